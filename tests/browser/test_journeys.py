"""Three journeys through the whole product in a real Chromium, as the people who make them.

1. A vendor manager opens the shipped Mimecast advisory, sees which vendors are exposed (one of
   them only through a subcontractor) and launches a campaign from it; the invitations go out.
2. The vendor's security contact follows the link in that e-mail, answers section by section
   (conditional questions, autosave, an evidence file), leaves, comes back through the same link,
   finds everything, and submits with an attestation; the receipt arrives.
3. The manager asks for a clarification of one answer, the vendor changes it, the manager
   accepts; a compliance officer downloads the vendor's due-diligence PDF and the campaign's
   XLSX, and both are read back.

The journeys share one story (module-scoped) and run in this file's order; each later journey
skips, saying why, when the one before it did not finish. Every page visited is checked by axe.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, links_in, make_user
from tests.support.factories import make_vendor
from tests.support.smtp import SMTPServer

ROOT = Path(__file__).resolve().parents[2]
ADVISORY = "mimecast-certificate-compromise-2021"
DIRECT = "Harbour Payroll Services"  # uses Mimecast Sync and Recover itself
THROUGH_MSP = "Lumen Legal Partners"  # its managed-service provider runs Mimecast for it
MSP = "Keyrow Managed IT"
UNRELATED = "Quayside Catering"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class Story:
    """What one journey leaves for the next."""

    manager: str
    compliance: str
    contact: str  # the security contact of the directly exposed vendor
    link: str = ""
    campaign_id: int | None = None
    done: set[str] = field(default_factory=set)

    def needs(self, journey: str) -> None:
        if journey not in self.done:
            pytest.skip(f"needs the journey '{journey}' of this file to have passed first")


@pytest.fixture(scope="module")
def story(live_server) -> Story:
    """Load the shipped questionnaires and advisories (as `flask ... sync` does), and seed the
    people and vendors: two use an affected Mimecast product, one of them only through its MSP."""
    from vendorrisk.advisories import sync as advisories_sync
    from vendorrisk.extensions import db
    from vendorrisk.questionnaires import sync as questionnaires_sync
    from vendorrisk.vendors import catalogue
    from vendorrisk.vendors.matching import find_products

    with live_server.app().app_context():
        questionnaires_sync.sync_directory(ROOT / "questionnaires")
        advisories_sync.sync_directory(ROOT / "advisories")
        [sync_and_recover] = find_products("Mimecast S&R")
        [continuity_monitor] = find_products("Mimecast CM")
        manager = make_user("manager", name="Morgan Manager")
        compliance = make_user("compliance", name="Casey Compliance")
        direct = make_vendor(DIRECT, owner=manager, criticality="critical")
        catalogue.add_product_use(direct, sync_and_recover.id)
        through = make_vendor(THROUGH_MSP, owner=manager)
        catalogue.add_product_use(through, continuity_monitor.id, subcontractor=MSP)
        make_vendor(UNRELATED, owner=manager, criticality="low", data_access="none")
        contact = next(c.email for c in direct.contacts if c.is_security)
        result = Story(manager.email, compliance.email, contact)
        db.session.commit()
    return result


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))


def choose(page, question: str, *values: str) -> None:
    """Tick the options of a question by their values (stable ids of the shipped template)."""
    for value in values:
        page.locator(f'#question-{question} input[value="{value}"]').check()


def chosen(page, question: str, value: str) -> bool:
    return page.locator(f'#question-{question} input[value="{value}"]').is_checked()


def saved_by_autosave(page) -> None:
    """Wait until autosave has kept everything changed so far, as the page tells the person.

    Call it right after the last change: the page saves two seconds after the last change, so
    the save sent from now on carries every answer (an earlier one may not have).
    """
    with page.expect_request(lambda r: r.headers.get("x-autosave") == "1") as sent:
        pass
    sent.value.response()
    page.locator("[data-autosave-status]").filter(has_text=re.compile("Saved at")).wait_for()


def vendor_box(page, name: str):
    """The campaign form's box for a vendor (labelled "<name> · Tier <n>")."""
    return page.get_by_label(re.compile(rf"^{re.escape(name)} ·"))


def tab_to(page, text: str, limit: int = 40) -> None:
    """Move the focus with the Tab key alone until it is on the control that says `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText || ''").strip() == text:
            return
    raise AssertionError(f"{text!r} cannot be reached with the keyboard")


def link_in(message) -> str:
    return next(u for u in links_in(SMTPServer.text_of(message)) if "/p/" in u)


# --- 1. the advisory, its exposed vendors, and the launch ------------------------------------


def test_a_manager_launches_a_campaign_from_the_mimecast_advisory(
    page, story, live_server, shoot, accessible
):
    sign_in(page, story.manager)
    page.get_by_role("link", name="Advisories").click()
    accessible("advisories")
    page.get_by_role("link", name=re.compile("^Mimecast certificate compromise")).click()
    page.wait_for_url(re.compile(f".*/advisories/{ADVISORY}$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Mimecast certificate")

    exposure = page.locator("#exposure-table")
    direct = exposure.get_by_role("row").filter(has_text=DIRECT)
    through = exposure.get_by_role("row").filter(has_text=THROUGH_MSP)
    assert "Suspected" in direct.inner_text()
    assert "Suspected" in through.inner_text()
    assert f"through {MSP}" in through.inner_text()
    assert exposure.get_by_role("row").filter(has_text=UNRELATED).count() == 0
    shoot("advisory")
    accessible("advisory")

    page.get_by_role("link", name="Launch campaign").click()
    page.wait_for_url(re.compile(rf".*/campaigns/new\?advisory={ADVISORY}$"))
    assert page.locator("#advisory-context").is_visible()
    assert vendor_box(page, DIRECT).is_checked()
    assert vendor_box(page, THROUGH_MSP).is_checked()
    assert not vendor_box(page, UNRELATED).is_checked()
    # Vendors that other tests may have exposed stay out of this campaign.
    ours = {vendor_box(page, name).get_attribute("id") for name in (DIRECT, THROUGH_MSP)}
    for box in page.locator("input[name=vendors]:checked").all():
        if box.get_attribute("id") not in ours:
            box.uncheck()
    assert "Mimecast certificate compromise (January 2021)" in (
        page.get_by_label("Questionnaire").locator("option:checked").inner_text()
    )
    page.get_by_label("Campaign name").fill("Mimecast follow-up, January 2021")
    page.get_by_label("Due date", exact=True).fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_label("Time zone of the due date").select_option("Europe/London")
    shoot("campaign-new")
    accessible("campaign-new")

    page.get_by_role("button", name="Preview recipients").click()
    assert page.get_by_text("Nothing has been sent yet.").is_visible()
    shoot("campaign-preview")
    accessible("campaign-preview")
    page.get_by_role("button", name="Send to 2 vendors").click()
    page.wait_for_url(re.compile(r".*/campaigns/\d+$"))
    story.campaign_id = int(page.url.rsplit("/", 1)[1])
    assert page.get_by_text("Sent to 2 vendors.").is_visible()
    shoot("campaign")
    accessible("campaign")

    invitation = live_server.smtp.wait_for(lambda m: m["To"] == story.contact)
    assert DIRECT in SMTPServer.text_of(invitation)
    story.link = link_in(invitation)
    story.done.add("launch")


# --- 2. the vendor answers from the e-mail -----------------------------------------------------


def test_the_vendor_answers_leaves_comes_back_and_submits(
    page, story, live_server, shoot, accessible
):
    story.needs("launch")
    page.goto(story.link)
    assert page.get_by_text(DIRECT).first.is_visible()
    shoot("landing")
    accessible("landing")
    # The vendor uses the keyboard alone here.
    tab_to(page, "Continue to the questionnaire")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/portal/a/\d+/s/0$"))

    # Section 1: each answer opens the next question, and autosave keeps them.
    assert page.locator("#question-affected_products").is_hidden()
    choose(page, "mimecast_customer", "yes")
    assert page.locator("#question-affected_products").is_visible()
    assert page.locator("#question-m365_auth_method_2021").is_hidden()
    choose(page, "affected_products", "sync_and_recover")
    assert page.locator("#question-m365_auth_method_2021").is_visible()
    choose(page, "mimecast_hosting_region", "other_region")
    choose(page, "m365_auth_method_2021", "mimecast_certificate")
    saved_by_autosave(page)
    shoot("section-1-autosaved")
    accessible("section-1")
    page.get_by_role("button", name="Save and continue").click()

    # Section 2: the replacement of the connection, with its dates; kept by autosave alone.
    page.wait_for_url(re.compile(r".*/s/1$"))
    assert page.locator("#question-new_connection_date").is_hidden()
    choose(page, "connection_recreated", "all")
    page.locator("#a-new_connection_date").fill("2021-01-15")
    page.locator("#a-old_connection_removed_date").fill("2021-01-16")
    choose(page, "current_auth_method", "oauth")
    saved_by_autosave(page)
    shoot("section-2-autosaved")
    accessible("section-2")

    # The vendor leaves, and comes back another day (its session gone) through the same link.
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(story.link)
    page.get_by_role("button", name="Continue to the questionnaire").click()
    page.wait_for_url(re.compile(r".*/s/0$"))
    assert chosen(page, "mimecast_customer", "yes")
    assert chosen(page, "affected_products", "sync_and_recover")
    assert chosen(page, "m365_auth_method_2021", "mimecast_certificate")
    page.get_by_role("navigation", name="Sections").get_by_role(
        "link", name=re.compile("Replacing the Microsoft 365 connection")
    ).click()
    page.wait_for_url(re.compile(r".*/s/1$"))
    assert chosen(page, "connection_recreated", "all")
    assert page.locator("#a-new_connection_date").input_value() == "2021-01-15"
    assert page.locator("#a-old_connection_removed_date").input_value() == "2021-01-16"
    assert chosen(page, "current_auth_method", "oauth")
    page.get_by_role("button", name="Save and continue").click()

    # The credentials section is skipped: the account was hosted outside the US and the UK.
    page.wait_for_url(re.compile(r".*/s/3$"))
    choose(page, "m365_config_review", "yes")
    choose(page, "app_permissions_reviewed", "yes")
    choose(page, "log_review_performed", "yes")
    page.locator("#a-log_review_lookback_days").fill("14")
    choose(page, "log_sources_reviewed", "m365_unified_audit", "mimecast_audit")
    choose(page, "data_accessed", "no")
    accessible("section-investigation")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r".*/s/4$"))
    choose(page, "backups_verified", "yes")
    choose(page, "ir_plan_reviewed", "yes")
    choose(page, "later_updates_tracked", "yes")
    choose(page, "later_guidance_followed", "yes")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r".*/s/5$"))
    choose(page, "suppliers_informed", "yes")
    choose(page, "subcontractor_exposure", "no")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(re.compile(r".*/s/6$"))
    choose(page, "connects_to_customer_tenants", "no")
    choose(page, "key_storage", "cloud_kms")
    choose(page, "certificate_inventory", "yes")
    page.locator("#a-time_to_replace_hours").fill("24")
    page.get_by_role("button", name="Save and continue").click()

    # The last section asks for the screenshot of the new connection.
    page.wait_for_url(re.compile(r".*/s/7$"))
    page.locator("#question-evidence_connection_list input[type=file]").set_input_files(
        files=[{"name": "connections.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("#a-accountable_contact").fill("Sam Vendor, CISO, sam@harbour.example")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/s/7$"))
    assert page.get_by_text(re.compile(r"connections\.pdf \(")).is_visible()
    shoot("section-evidence")
    accessible("section-evidence")
    page.get_by_role("button", name="Save and continue").click()

    # Review and submit, with the attestation.
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
    assert page.get_by_text("File: connections.pdf").is_visible()
    shoot("receipt")
    accessible("receipt")
    receipt = live_server.smtp.wait_for(
        lambda m: m["To"] == story.contact and m["Subject"].startswith("Receipt")
    )
    assert page.locator("dd code").inner_text() in SMTPServer.text_of(receipt)
    story.done.add("answer")


# --- 3. review, clarification, decision and the reports ---------------------------------------


def test_review_clarification_decision_and_the_compliance_reports(
    page, browser, story, live_server, shoot, accessible, page_problems
):
    story.needs("answer")
    sign_in(page, story.manager)
    page.goto(f"/campaigns/{story.campaign_id}")
    page.get_by_role("link", name=f"Review answers and score of {DIRECT}").click()
    page.wait_for_url(re.compile(r".*/review/assignments/\d+$"))
    review_url = page.url
    assert page.locator("#q-log_review_lookback_days").get_by_text("14").first.is_visible()
    shoot("review-first")
    accessible("review-first")
    # Two questions asked about, each from its own answer row, sent as one request.
    page.locator("#q-log_review_lookback_days").get_by_text("Ask about this").click()
    page.locator("#q_log_review_lookback_days").fill(
        "Two weeks is the minimum the advisory asked for; how far back did you really look?"
    )
    page.locator("#q-time_to_replace_hours").get_by_text("Ask about this").click()
    page.locator("#q_time_to_replace_hours").fill(
        "Are the 24 hours counted from detection or from the supplier's notice?"
    )
    shoot("review-asking")
    page.get_by_role("button", name="Request clarification").click()
    assert page.get_by_text("The vendor is asked to look again").is_visible()
    assert page.get_by_text("Asked about 2 questions").is_visible()
    accessible("review-clarification-asked")

    # The vendor follows the link in the clarification e-mail and changes that one answer.
    message = live_server.smtp.wait_for(
        lambda m: m["To"] == story.contact and m["Subject"].startswith("Clarification requested")
    )
    vendor = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    vendor.set_default_timeout(10_000)
    try:
        portal = vendor.new_page()
        portal.on("console", page_problems.on_console)
        portal.on("pageerror", page_problems.on_page_error)
        portal.goto(link_in(message))
        accessible("clarification-landing", portal)
        portal.get_by_role("button", name="Continue to the questionnaire").click()
        # The vendor lands on the first question asked about, with the comment beside it.
        portal.wait_for_url(re.compile(r".*/s/3#question-log_review_lookback_days$"))
        assert portal.get_by_text("Only the questions marked for review can change").is_visible()
        asked = portal.locator("#question-log_review_lookback_days-asked")
        assert "how far back did you really look?" in asked.inner_text()
        portal.screenshot(path=str(shoot.folder / "vendor-clarification.png"), full_page=True)
        accessible("clarification-section", portal)
        # The reply is given in place: the changed answer and its comment.
        portal.locator("#a-log_review_lookback_days").fill("90")
        portal.get_by_label("Your reply").first.fill("We went back 90 days, to mid-October 2020.")
        portal.get_by_role("button", name="Save and continue").click()
        portal.get_by_role("link", name="Review and submit").click()
        portal.wait_for_url(re.compile(r".*/submit$"))
        assert portal.get_by_text("We asked about 2 questions").is_visible()
        mine = portal.locator("#asked-log_review_lookback_days").inner_text()
        assert "how far back did you really look?" in mine and "We went back 90 days" in mine
        portal.screenshot(
            path=str(shoot.folder / "vendor-clarification-review.png"), full_page=True
        )
        accessible("clarification-review", portal)
        portal.get_by_label("Your full name").fill("Sam Vendor")
        portal.get_by_label("Your job title").fill("CISO")
        portal.get_by_label(re.compile("I confirm that these answers")).check()
        portal.get_by_role("button", name="Submit the answers").click()
        portal.wait_for_url(re.compile(r".*/receipt$"))
        portal.screenshot(path=str(shoot.folder / "vendor-resubmitted.png"), full_page=True)
    finally:
        vendor.close()

    # The manager sees the new answer and the reply, and accepts.
    page.goto(review_url)
    row = page.locator("#q-log_review_lookback_days")
    assert "90" in row.inner_text()
    assert "We went back 90 days" in row.inner_text()
    assert "answer changed to “90”" in row.inner_text()
    other = page.locator("#q-time_to_replace_hours").inner_text()
    assert "answer kept as “24”" in other and "No reply yet" not in other
    shoot("review-replied")
    page.get_by_label("Accepted").check()
    page.get_by_label("Note (required to reject)").fill("Clarified: 90 days of logs reviewed.")
    page.get_by_role("button", name="Record decision").click()
    assert page.get_by_text("The decision is recorded.").is_visible()
    shoot("review-accepted")
    accessible("review-accepted")

    # The compliance officer downloads the vendor's due-diligence PDF and the campaign XLSX.
    page.context.clear_cookies()
    sign_in(page, story.compliance)
    page.goto("/vendors/")
    page.get_by_role("link", name=DIRECT, exact=True).click()
    accessible("vendor")
    page.get_by_role("link", name="Report and exports").click()
    accessible("vendor-reports")
    page.get_by_role("button", name="Build the PDF").click()
    page.wait_for_url(re.compile(r".*/reports/jobs/\d+$"))
    # The page refreshes itself while the report builds; a person waits for the button.
    download_pdf = page.get_by_role("link", name="Download the PDF")
    download_pdf.wait_for(timeout=120_000)
    shoot("report-ready")
    accessible("report-ready")
    with page.expect_download() as pdf_download:
        download_pdf.click()
    pdf_path = shoot.folder / "due-diligence.pdf"  # kept beside the screenshots, for a person
    pdf_download.value.save_as(pdf_path)
    pdf_text = _pdf_text(pdf_path.read_bytes())
    (shoot.folder / "due-diligence.txt").write_text(pdf_text)
    assert DIRECT in pdf_text
    assert "Mimecast follow-up, January 2021" in pdf_text
    assert "Sam Vendor" in pdf_text
    assert "Answers (revision 2)" in pdf_text
    assert re.search(r"the earliest log entries you reviewed go back\? 90 ", pdf_text)
    assert "We went back 90 days" in pdf_text
    assert "Answer changed to: 90" in pdf_text
    assert "Answer kept as: 24" in pdf_text
    assert "Accepted" in pdf_text

    page.goto(f"/campaigns/{story.campaign_id}")
    page.get_by_role("link", name="Report and exports").click()
    accessible("campaign-reports")
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download XLSX").click()
    xlsx_path = shoot.folder / "campaign.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    answers, scores = _xlsx_rows(xlsx_path.read_bytes())
    lookback = [
        r
        for r in answers
        if r["Vendor"] == DIRECT and r["Question ID"] == "log_review_lookback_days"
    ]
    assert lookback and str(lookback[-1]["Answer"]) == "90"
    assert {r["Vendor"] for r in answers} == {DIRECT}  # the other vendor has not answered
    assert any(r["Vendor"] == DIRECT and r["Attested by"] == "Sam Vendor" for r in scores)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def _xlsx_rows(data: bytes) -> tuple[list[dict], list[dict]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)

    def rows(name: str) -> list[dict]:
        values = list(book[name].iter_rows(values_only=True))
        return [dict(zip(values[0], row, strict=False)) for row in values[1:]]

    return rows("Answers"), rows("Scores")
