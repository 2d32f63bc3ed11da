"""A manager launches a campaign and a vendor answers it from the e-mail, in a real Chromium:
live conditional questions, autosave, an evidence upload, attestation and the receipt."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import count

from flask import current_app

from tests.conftest import PASSWORD, links_in, make_user
from tests.support.factories import approved_version, create_campaign, make_vendor
from tests.support.smtp import SMTPServer

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
_n = count(1)


def _send_outbox(live_server) -> None:
    """Deliver what the seeded data queued, to the live server's relay, with its links."""
    from vendorrisk.mail import services as outbox

    port = live_server.smtp.port
    current_app.config["EXTERNAL_BASE_URL"] = live_server.url
    current_app.config["MAIL_PORT"] = port
    current_app.extensions["mail"].port = port
    current_app.extensions["mail"].suppress = False
    outbox.send_pending()


def _seed_campaign(live_server, seed, *, security_contacts: int = 1):
    """Send the small questionnaire to a new vendor.

    Return the addresses of its security contacts, the campaign's id and its creator's address.
    """
    n = next(_n)

    def launch():
        from vendorrisk.extensions import db

        owner = make_user("manager", name="Olivia Owner")
        creator = make_user("manager", name="Mona Manager")
        vendor = make_vendor(
            f"Browser Vendor {n}",
            owner=owner,
            contacts=[("primary",)] + [("security",)] * security_contacts,
        )
        campaign = create_campaign(
            approved_version(),
            [vendor],
            actor=creator,
            name=f"Connector breach check {n}",
            message="Please answer by the end of the month.",
        )
        addresses = [c.email for c in vendor.contacts if c.is_security]
        db.session.commit()
        _send_outbox(live_server)
        return addresses, campaign.id, creator.email

    return seed(launch)


def _link_for(live_server, address: str) -> str:
    message = live_server.smtp.wait_for(lambda m: m["To"] == address)
    return next(u for u in links_in(SMTPServer.text_of(message)) if "/p/" in u)


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))


def test_a_manager_previews_and_sends_a_campaign(page, seed, live_server, shoot, accessible):
    def prepare():
        user = make_user("manager", name="Mona Manager")
        approved_version()
        for i in range(3):
            make_vendor(
                f"Preview Vendor {i} {next(_n)}", contacts=[("primary",)] if i == 2 else None
            )
        return user.email

    _sign_in(page, seed(prepare))

    page.goto("/campaigns/new")
    page.get_by_label("Campaign name").fill("Connector certificate compromise")
    page.get_by_label("Due date", exact=True).fill((date.today() + timedelta(days=21)).isoformat())
    page.get_by_label("Time zone of the due date").select_option("Europe/London")
    page.get_by_label("Message to vendors (optional)").fill("Three weeks, please.")
    for box in page.locator("input[name=vendors]").all()[-3:]:
        box.check()
    shoot("campaign-new")
    accessible("campaign-new")
    page.get_by_role("button", name="Preview recipients").click()
    assert page.get_by_text("Nothing has been sent yet.").is_visible()
    assert page.get_by_role("button", name=re.compile(r"Send to \d+ vendors")).is_visible()
    shoot("campaign-preview")
    accessible("campaign-preview")
    page.get_by_role("button", name=re.compile(r"Send to \d+ vendors")).click()
    page.wait_for_url(re.compile(r".*/campaigns/\d+$"))
    assert page.get_by_text("Connector certificate compromise").first.is_visible()
    shoot("campaign-page")
    accessible("campaign-page")


def test_a_vendor_answers_from_the_email_with_live_conditions_autosave_and_evidence(
    page, seed, live_server, shoot, accessible
):
    (address,), campaign_id, manager = _seed_campaign(live_server, seed)
    page.goto(_link_for(live_server, address))
    shoot("landing")
    accessible("landing")
    page.get_by_role("button", name="Continue to the questionnaire").click()
    page.wait_for_url(re.compile(r".*/portal/a/\d+/s/0$"))
    assert "/p/" not in page.url

    # Section 1, saved by autosave alone.
    page.locator("#a-uses_connector-0").check()
    page.locator("#a-data_accessed-1").check()
    status = page.locator("[data-autosave-status]")
    status.filter(has_text=re.compile("Saved at")).wait_for()
    shoot("section-1-autosaved")
    accessible("section-1-autosaved")
    page.reload()
    assert page.locator("#a-uses_connector-0").is_checked()
    assert page.locator("#a-data_accessed-1").is_checked()
    page.get_by_role("button", name="Save and continue").click()

    # Section 2 depends on section 1's answer; its date question appears live.
    page.wait_for_url(re.compile(r".*/s/1$"))
    assert page.locator("#question-rotated").is_visible()
    assert page.locator("#question-rotated_on").is_hidden()
    page.locator("#a-rotated-0").check()
    assert page.locator("#question-rotated_on").is_visible()
    page.locator("#a-rotated_on").fill("2021-01-15")
    page.locator("#a-credentials_reset-0").check()
    page.locator("#a-credentials_reset-files").set_input_files(
        files=[{"name": "reset-log.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    shoot("section-2-filled")
    accessible("section-2-filled")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/s/1$"))
    assert page.get_by_text(re.compile(r"reset-log\.pdf \(")).is_visible()
    assert page.locator("#a-rotated_on").input_value() == "2021-01-15"
    shoot("section-2-saved")
    accessible("section-2-saved")
    page.get_by_role("button", name="Save and continue").click()

    # Section 3: N/A opens the comment box; a reason stands in for the report.
    page.wait_for_url(re.compile(r".*/s/2$"))
    page.locator("#a-notify_hours-na").check()
    page.locator("#a-notify_hours-comment").fill("We have no duty to notify you.")
    page.locator("#a-soc2_report-reason").fill("Our first audit is under way.")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r".*/submit$"))
    assert page.get_by_text("attention before you can submit").count() == 0
    page.get_by_label("Your full name").fill("Sam Vendor")
    page.get_by_label("Your job title").fill("CISO")
    page.get_by_label(re.compile("I confirm that these answers")).check()
    shoot("review")
    accessible("review")
    page.get_by_role("button", name="Submit the answers").click()
    page.wait_for_url(re.compile(r".*/receipt$"))
    assert page.get_by_text("Thank you: your answers are submitted").is_visible()
    assert page.get_by_text("File: reset-log.pdf").is_visible()
    shoot("receipt")
    accessible("receipt")
    receipt = live_server.smtp.wait_for(
        lambda m: m["To"] == address and m["Subject"].startswith("Receipt")
    )
    fingerprint = page.locator("dd code").inner_text()
    assert fingerprint in SMTPServer.text_of(receipt)

    page.goto(page.url.replace("/receipt", "/s/0"))
    assert page.get_by_role("button", name="Save draft").count() == 0
    assert page.locator("#a-uses_connector-0").is_disabled()
    shoot("submitted-read-only")
    accessible("submitted-read-only")

    # The manager sees the submission on the campaign page.
    page.context.clear_cookies()
    _sign_in(page, manager)
    page.goto(f"/campaigns/{campaign_id}")
    assert page.get_by_text("Submitted", exact=True).is_visible()
    assert page.get_by_text("1 of 1", exact=True).is_visible()
    shoot("campaign-after-submission")
    accessible("campaign-after-submission")


def test_a_second_recipient_saving_a_stale_page_sees_the_conflict_in_the_browser(
    page, browser, seed, live_server, shoot, accessible, page_problems
):
    (first_address, second_address), _, _ = _seed_campaign(live_server, seed, security_contacts=2)
    other = browser.new_context(base_url=live_server.url)
    try:
        colleague = other.new_page()
        colleague.goto(_link_for(live_server, second_address))
        colleague.get_by_role("button", name="Continue to the questionnaire").click()
        colleague.wait_for_url(re.compile(r".*/s/0$"))

        page.goto(_link_for(live_server, first_address))
        page.get_by_role("button", name="Continue to the questionnaire").click()
        page.wait_for_url(re.compile(r".*/s/0$"))
        page.locator("#a-uses_connector-0").check()
        page.get_by_role("button", name="Save draft").click()
        page.wait_for_url(re.compile(r".*/s/0$"))
        assert page.get_by_text("Your answers are saved.").is_visible()

        page_problems.allow("status of 409")
        colleague.on("console", page_problems.on_console)
        colleague.locator("#a-uses_connector-1").check()
        colleague.get_by_role("button", name="Save draft").click()
        colleague.get_by_text("Someone else saved answers to this questionnaire").wait_for()
        assert colleague.locator("#a-uses_connector-1").is_checked()
        colleague.screenshot(path=str(shoot("first-saved").parent / "conflict.png"), full_page=True)
        accessible("conflict", colleague)
    finally:
        other.close()
