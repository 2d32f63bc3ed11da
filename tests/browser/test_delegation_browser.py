"""Delegation in two real browsers: the recipient hands a section to a colleague, the colleague
answers it from the e-mail the relay received, and the recipient sees the progress."""

from __future__ import annotations

import re

from tests.browser.test_portal_browser import _link_for, _seed_campaign

COLLEAGUE = "dana.browser@acme.example"


def test_a_recipient_delegates_a_section_and_the_colleague_answers_it(
    browser, page, seed, live_server, shoot, accessible, page_problems
):
    addresses, _campaign_id, _creator = _seed_campaign(live_server, seed)
    page.goto(_link_for(live_server, addresses[0]))
    page.get_by_role("button", name="Continue to the questionnaire").click()
    page.get_by_role("link", name="Delegate sections").click()
    page.get_by_label("Your colleague's e-mail address").fill(COLLEAGUE)
    page.get_by_label("Their name (optional)").fill("Dana Delegate")
    page.get_by_label("Your response plan").check()
    page.get_by_role("button", name="Send them a link").click()
    page.get_by_text(f"A link of their own is on its way to {COLLEAGUE}").wait_for()
    accessible("delegates")
    shoot("delegator-delegates")

    # The colleague, in a browser of their own, opens the link the relay received.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    colleague = context.new_page()
    colleague.on("console", page_problems.on_console)
    colleague.on("pageerror", page_problems.on_page_error)
    try:
        colleague.goto(_link_for(live_server, COLLEAGUE))
        colleague.get_by_role("button", name="Continue to the questionnaire").click()
        colleague.wait_for_url(re.compile(r".*/yours$"))
        accessible("colleague sections", colleague)
        colleague.get_by_role("link", name="Open").click()
        nav = colleague.get_by_role("navigation", name="Sections")
        assert nav.get_by_role("link", name=re.compile("Exposure")).count() == 0
        assert nav.get_by_role("link", name="Review and submit").count() == 0
        colleague.get_by_label(re.compile("Within how many hours")).fill("24")
        colleague.get_by_role("button", name="Save and continue").click()
        colleague.wait_for_url(re.compile(r".*/yours$"))
        colleague.screenshot(path=str(shoot.folder / "colleague-yours.png"), full_page=True)
        assert "1 of 3" in colleague.locator("#my-sections").inner_text()
        blocked = colleague.goto(page.url.rsplit("/delegates", 1)[0] + "/submit")
        assert blocked is not None and blocked.status == 404
        page_problems.allow("404")
    finally:
        context.close()

    page.reload()
    row = page.locator("#section-progress tr", has_text="Your response plan")
    assert "Dana Delegate" in row.inner_text() and "1 of 3" in row.inner_text()
    shoot("delegator-progress")


def test_a_colleague_confirms_an_earlier_answer_offered_in_their_section(
    browser, page, seed, live_server, shoot, accessible, page_problems
):
    """The second round of a questionnaire offers the vendor's earlier answer in a delegated
    section; the colleague confirms it there and the recipient sees it counted."""
    from tests.browser.test_portal_browser import _send_outbox
    from tests.conftest import links_in
    from tests.portal.reuse_scene import INCIDENT
    from tests.support.factories import approved_version, create_campaign, make_vendor
    from tests.support.smtp import SMTPServer

    colleague_address = "dana.reuse@acme.example"

    def prepare():
        from decimal import Decimal

        from vendorrisk.campaigns.models import Revision
        from vendorrisk.core.timeutil import utcnow
        from vendorrisk.extensions import db
        from vendorrisk.questionnaires.answers import Answer, encode_answer

        vendor = make_vendor("Reuse Browser Vendor", contacts=[("primary",), ("security",)])
        version = approved_version(INCIDENT)
        first = create_campaign(version, [vendor], name="Relay incident, first round")
        earlier = {"notify_hours": encode_answer(Answer(value=Decimal("24")))}
        db.session.add(
            Revision(
                response_id=first.assignments[0].response.id,
                number=1,
                answers=earlier,
                submitted_at=utcnow(),
            )
        )
        db.session.flush()
        create_campaign(version, [vendor], name="Relay incident, second round")
        db.session.commit()
        _send_outbox(live_server)
        return next(c.email for c in vendor.contacts if c.is_security)

    address = seed(prepare)
    invitation = live_server.smtp.wait_for(
        lambda m: m["To"] == address and "second round" in m["Subject"]
    )
    page.goto(next(u for u in links_in(SMTPServer.text_of(invitation)) if "/p/" in u))
    page.get_by_role("button", name="Continue to the questionnaire").click()
    page.get_by_role("link", name="Delegate sections").click()
    page.get_by_label("Your colleague's e-mail address").fill(colleague_address)
    page.get_by_label("Their name (optional)").fill("Dana Reuse")
    page.get_by_label("Your response plan").check()
    page.get_by_role("button", name="Send them a link").click()
    page.get_by_text(f"A link of their own is on its way to {colleague_address}").wait_for()
    row = page.locator("#section-progress tr", has_text="Your response plan")
    assert "0 of " in row.inner_text()

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    colleague = context.new_page()
    colleague.on("console", page_problems.on_console)
    colleague.on("pageerror", page_problems.on_page_error)
    try:
        colleague.goto(_link_for(live_server, colleague_address))
        colleague.get_by_role("button", name="Continue to the questionnaire").click()
        colleague.wait_for_url(re.compile(r".*/yours$"))
        colleague.get_by_role("link", name="Open").click()
        colleague.get_by_text("From your answer of").wait_for()
        accessible("colleague offered answer", colleague)
        colleague.get_by_role("button", name=re.compile("Confirm this answer")).click()
        colleague.get_by_text("1 earlier answer confirmed.").wait_for()
        assert colleague.locator("#reused-notify_hours").count() == 0
        colleague.screenshot(path=str(shoot.folder / "colleague-confirmed.png"), full_page=True)
    finally:
        context.close()

    page.reload()
    row = page.locator("#section-progress tr", has_text="Your response plan")
    assert "1 of " in row.inner_text()
    shoot("delegator-progress-after-confirm")
