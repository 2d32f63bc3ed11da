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
