"""The portfolio dashboard in a real browser: charts load as images under the strict CSP,
and a vendor manager marks an impact signal handled."""

import re

from tests.conftest import PASSWORD, make_user


def _seed_portfolio():
    from datetime import date, timedelta

    from tests.dashboard.helpers import IMPACT, answers, decide, submit
    from tests.support.factories import approved_version, create_campaign, make_vendor

    owner, reviewer = make_user("manager"), make_user("manager")
    vendors = [
        make_vendor(owner=owner, criticality=c, data_access="confidential")
        for c in ("critical", "high", "moderate")
    ]
    campaign = create_campaign(
        approved_version(), vendors, actor=reviewer, due_date=date.today() + timedelta(days=10)
    )
    first, second, _third = campaign.assignments
    submit(first, answers(12, rotated=False))
    decide(first, reviewer)
    submit(second, IMPACT)
    return owner.email


def test_a_manager_reads_the_dashboard_and_handles_an_impact_signal(page, seed, shoot, accessible):
    email = seed(_seed_portfolio)
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    assert page.get_by_role("heading", name="Portfolio dashboard").is_visible()
    # Every chart is an SVG image that loaded (no CSP violation, no broken image). They load
    # lazily: bring each into view, wait until every image has finished (loaded or failed),
    # then look for broken ones.
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src)"
    )
    assert broken == []
    assert page.locator("img.dash-chart").count() == 4
    # Nothing spills out of its panel, at the widths where a panel puts its chart and its
    # table side by side (a long tier name once pushed a column past the card's edge).
    for width in (1400, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        spilling = page.evaluate(
            "Array.from(document.querySelectorAll('section.card'))"
            ".filter(c => c.scrollWidth > c.clientWidth + 1)"
            ".map(c => c.getAttribute('aria-labelledby'))"
        )
        assert spilling == [], width
    page.set_viewport_size({"width": 1280, "height": 900})
    shoot("dashboard")
    accessible("dashboard")
    page.get_by_text("Mark handled").first.click()
    page.get_by_label("What was done").fill("Spoke to their CISO; no data of ours was taken.")
    page.get_by_role("button", name="Mark handled").click()
    assert page.get_by_text("is marked handled").is_visible()
    shoot("handled")
    accessible("handled")
