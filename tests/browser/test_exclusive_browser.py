"""In a real Chromium, a vendor cannot give contradictory answers: "we never used any of these"
unticks the products (with JavaScript), and without JavaScript the save is refused with a
message next to the question."""

from __future__ import annotations

import re

from tests.browser.test_portal_browser import _link_for, _send_outbox
from tests.support.factories import create_campaign, make_vendor, shipped_version

MESSAGE = re.compile("cannot be combined with any other choice")


def _seed_mimecast(live_server, seed, name: str) -> str:
    def launch():
        from vendorrisk.extensions import db

        vendor = make_vendor(name, contacts=[("primary",)])
        create_campaign(shipped_version(), [vendor])
        address = vendor.contacts[0].email
        db.session.commit()
        _send_outbox(live_server)
        return address

    return seed(launch)


def _open(page, link: str) -> None:
    page.goto(link)
    page.get_by_role("button", name="Continue to the questionnaire").click()
    page.wait_for_url(re.compile(r".*/portal/a/\d+/s/0$"))


PRODUCTS = ("#a-affected_products-0", "#a-affected_products-1", "#a-affected_products-2")
NONE = "#a-affected_products-5"


def test_never_used_them_unticks_the_products_as_the_vendor_clicks(page, seed, live_server, shoot):
    link = _link_for(live_server, _seed_mimecast(live_server, seed, "Exclusive JS Vendor"))
    _open(page, link)
    page.locator("#a-mimecast_customer-0").check()
    for box in PRODUCTS:
        page.locator(box).check()
    page.locator(NONE).check()
    shoot("none-ticked")
    assert page.locator(NONE).is_checked()
    assert not any(page.locator(box).is_checked() for box in PRODUCTS)
    page.locator(PRODUCTS[0]).check()
    assert not page.locator(NONE).is_checked()


def test_without_javascript_the_contradiction_is_refused_next_to_the_question(
    browser, seed, live_server, page_problems, request
):
    link = _link_for(live_server, _seed_mimecast(live_server, seed, "Exclusive No-JS Vendor"))
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        _open(page, link)
        page.locator("#a-mimecast_customer-0").check()
        # Without JavaScript, follow-up questions appear once the answer they depend on is saved.
        page.get_by_role("button", name="Save draft").click()
        for box in (*PRODUCTS, NONE):
            page.locator(box).check()
        page.get_by_role("button", name="Save draft").click()
        question = page.locator("#question-affected_products")
        assert question.get_by_text(MESSAGE).is_visible()
        page.screenshot(path=f"test-artifacts/{request.node.name}.png", full_page=True)
        # Nothing contradictory was saved: the page shows the saved answers after a reload.
        page.goto(page.url)
        assert not page.locator(NONE).is_checked()
    finally:
        context.close()
