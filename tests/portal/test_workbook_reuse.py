"""Answers reused from earlier rounds in the offline workbook: written in their cells and marked;
uploaded unchanged they count as confirmed through the workbook, changed they are new answers."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.portal.delegation_helpers import audit_actions
from tests.portal.helpers import draft_of, n, open_portal, save, section_url, submit
from tests.portal.reuse_scene import BASELINE, INCIDENT, offers_of, progress_of, second_round
from tests.portal.test_workbook import download, fill, upload
from tests.support.factories import approved_version, create_campaign
from vendorrisk.campaigns import reuse
from vendorrisk.campaigns.models import Evidence, Response, ReusedAnswer
from vendorrisk.extensions import db
from vendorrisk.questionnaires import workbook as wb_format

POLICIES, PEOPLE = "1. Policies", "2. People and changes"
OFFERED = {"has_plan", "plan_reviewed", "plan_document", "security_owner", "notice_hours"}


@pytest.fixture
def later(first_round, baseline, vendor):
    """A second baseline campaign to the vendor: five earlier answers offered."""
    assignment = second_round(baseline, vendor)
    assert set(offers_of(assignment)) == OFFERED
    return assignment


@pytest.fixture
def browser(app, later):
    """The browser of the person asked the second time, through Continue."""
    client = app.test_client()
    open_portal(client, later.recipients[0])
    return client


def _rows(book, sheet: str) -> dict[str, int]:
    ws = book[sheet]
    return {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}


def _cell(book, sheet: str, qid: str, column: int):
    return book[sheet].cell(row=_rows(book, sheet)[qid], column=column)


def _shaded(cell) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.start_color.rgb == wb_format.OFFER_FILL


def test_offered_answers_are_in_their_cells_shaded_with_their_date_and_files(
    browser, later, first_round
):
    before = draft_of(later)
    book = load_workbook(io.BytesIO(download(browser, later.id)))
    answer, na, note = wb_format.COL_ANSWER, wb_format.COL_NA, wb_format.COL_EARLIER
    assert book[POLICIES].cell(row=1, column=note).value == "Earlier answer"
    assert _cell(book, POLICIES, "has_plan", answer).value == "Yes"
    assert _cell(book, POLICIES, "plan_reviewed", answer).value.date() == date(2026, 3, 2)
    assert _cell(book, PEOPLE, "security_owner", answer).value == "Dana Chief"
    assert _cell(book, PEOPLE, "notice_hours", answer).value == 24
    day = first_round.response.latest_submitted.submitted_at.strftime("%d %B %Y")
    for sheet, qid in [(POLICIES, "has_plan"), (PEOPLE, "notice_hours")]:
        text = _cell(book, sheet, qid, note).value
        assert text.startswith(f"From your answer of {day}") and "Leave this row as it is" in text
        assert all(_shaded(_cell(book, sheet, qid, c)) for c in (answer, na, note))
    # The earlier file is named as carried over; files never travel in the cells.
    plan = _cell(book, POLICIES, "plan_document", note).value
    assert "The file plan.pdf is carried over as submitted then." in plan
    assert _cell(book, POLICIES, "plan_document", answer).value is None
    # A question that may not be reused is neither filled in nor marked.
    assert _cell(book, PEOPLE, "changes_this_year", answer).value is None
    assert _cell(book, PEOPLE, "changes_this_year", note).value is None
    assert not _shaded(_cell(book, PEOPLE, "changes_this_year", answer))
    instructions = " ".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    assert "Shaded rows are filled in from your earlier answers" in instructions
    assert "to confirm it as your answer" in instructions
    # Downloading confirmed nothing.
    assert draft_of(later) == before
    assert all(row.confirmed_at is None for row in offers_of(later).values())


def test_uploading_the_offers_unchanged_confirms_them_through_the_workbook(
    browser, later, auth, first_round
):
    recipient = later.recipients[0]
    assert progress_of(later).answered == 0
    response = upload(browser, later.id, download(browser, later.id))
    assert response.status_code == 302, response.text[:2000]
    assert "5 of them earlier answers you left as they were, now confirmed" in (
        browser.get(response.location).text
    )
    offers = offers_of(later)
    assert all(row.confirmed_at is not None for row in offers.values())
    assert {row.confirmed_by_recipient_id for row in offers.values()} == {recipient.id}
    assert {row.confirmed_via for row in offers.values()} == {"workbook"}
    response_row = db.session.get(Response, later.response.id)
    assert set(reuse.confirmed(response_row)) == OFFERED
    assert progress_of(later).answered == 5  # the carried file answers plan_document
    entry = audit_actions("response.reuse_confirmed")[-1]
    assert entry.actor_ref == f"recipient:{recipient.id}"
    assert set(entry.details["questions"]) == OFFERED and entry.details["via"] == "workbook"
    assert audit_actions("portal.workbook_imported")[-1].details["confirmed"]
    # The submitted revision records them as confirmed through the workbook.
    save(
        browser,
        later.id,
        1,
        {
            n("security_owner"): "Dana Chief",
            n("notice_hours"): "24",
            n("changes_this_year"): "Nothing changed.",
        },
    )
    assert submit(browser, later.id).status_code == 302
    db.session.expire_all()
    revision = db.session.get(Response, later.response.id).latest_submitted
    frozen = db.session.scalars(select(ReusedAnswer).where(ReusedAnswer.revision_id == revision.id))
    assert {(r.question_id, r.confirmed_via) for r in frozen} == {(q, "workbook") for q in OFFERED}
    earlier_file = db.session.scalar(
        select(Evidence).where(Evidence.response_id == first_round.response.id)
    )
    assert [e["sha256"] for e in revision.evidence_index] == [earlier_file.sha256]
    auth.login("manager")
    page = auth.client.get(f"/review/assignments/{later.id}").text
    assert page.count("returned unchanged in the workbook") == 5


def test_a_changed_offer_is_a_new_answer_and_an_emptied_one_stays_offered(browser, later):
    data = fill(
        download(browser, later.id),
        {PEOPLE: {"notice_hours": {"C": 48}, "security_owner": {"C": None}}},
    )
    response = upload(browser, later.id, data)
    assert response.status_code == 302, response.text[:2000]
    offers = offers_of(later)
    assert offers["notice_hours"].confirmed_at is None
    assert draft_of(later)["notice_hours"]["value"] == {"decimal": "48"}
    assert offers["security_owner"].confirmed_at is None
    assert "security_owner" not in draft_of(later)
    assert {q for q, row in offers.items() if row.confirmed_at} == OFFERED - {
        "notice_hours",
        "security_owner",
    }
    response_row = db.session.get(Response, later.response.id)
    assert set(reuse.pending(response_row)) == {"security_owner"}
    assert "notice_hours" not in reuse.confirmed(response_row)
    page = browser.get(section_url(later.id, 1)).text
    assert 'id="reused-security_owner"' in page and 'id="reused-notice_hours"' not in page


def test_an_incident_specific_question_is_left_empty_in_the_workbook(app, first_round, vendor):
    incident = create_campaign(approved_version(INCIDENT), [vendor]).assignments[0]
    assert set(offers_of(incident)) == {"notify_hours"}
    client = app.test_client()
    open_portal(client, incident.recipients[0])
    book = load_workbook(io.BytesIO(download(client, incident.id)))
    sheet = next(name for name in book.sheetnames if "has_plan" in _rows(book, name))
    assert _cell(book, sheet, "has_plan", wb_format.COL_ANSWER).value is None
    assert _cell(book, sheet, "has_plan", wb_format.COL_EARLIER).value is None
    assert _cell(book, sheet, "notify_hours", wb_format.COL_ANSWER).value == 24
    assert "From your answer of" in _cell(book, sheet, "notify_hours", wb_format.COL_EARLIER).value


def test_a_workbook_with_offers_confirms_nothing_in_another_assignment_or_once_tampered(
    app, browser, later, baseline, vendor
):
    other = second_round(baseline, vendor)  # the same vendor, the same offers
    other_client = app.test_client()
    open_portal(other_client, other.recipients[0])
    theirs = download(other_client, other.id)
    refused = upload(browser, later.id, theirs)
    assert refused.status_code == 400
    assert "This workbook belongs to another questionnaire." in refused.text
    tampered = upload(browser, later.id, fill(download(browser, later.id), {}, {"signature": "0"}))
    assert tampered.status_code == 400 and "its signature does not match" in tampered.text
    for assignment in (later, other):
        assert all(row.confirmed_at is None for row in offers_of(assignment).values())
        assert draft_of(assignment) in (None, {})


def test_staff_entering_a_returned_workbook_confirm_the_offers_left_as_they_were(
    client, auth, later
):
    manager = auth.login("manager")
    path = f"/campaigns/{later.campaign_id}/assignments/{later.id}/workbook.xlsx"
    data = fill(client.get(path).data, {PEOPLE: {"notice_hours": {"C": 12}}})
    response = client.post(
        f"/campaigns/assignments/{later.id}/entry",
        data={"file": (io.BytesIO(data), "from-vendor.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text[:2000]
    offers = offers_of(later)
    kept = {q for q, row in offers.items() if row.confirmed_at}
    assert kept == OFFERED - {"notice_hours"}
    assert {offers[q].confirmed_via for q in kept} == {"workbook"}
    assert {offers[q].confirmed_by_recipient_id for q in kept} == {None}
    entry = audit_actions("response.reuse_confirmed")[-1]
    assert entry.actor_type == "user" and entry.actor_id == manager.id
    assert entry.details["via"] == "workbook"


def test_an_offer_the_new_answers_hide_is_neither_confirmed_nor_saved(app, first_round, vendor):
    shown_if = BASELINE.replace(
        "      - id: plan_reviewed\n        type: date\n",
        '      - id: plan_reviewed\n        type: date\n        show_if: {question: has_plan, in: ["yes"]}\n',
    )
    assert shown_if != BASELINE
    later = create_campaign(approved_version(shown_if), [vendor]).assignments[0]
    client = app.test_client()
    open_portal(client, later.recipients[0])
    data = fill(download(client, later.id), {POLICIES: {"has_plan": {"C": "No"}}})
    assert upload(client, later.id, data).status_code == 302
    offers = offers_of(later)
    assert offers["has_plan"].confirmed_at is None and draft_of(later)["has_plan"]["value"] == "no"
    assert offers["plan_reviewed"].confirmed_at is None
    assert "plan_reviewed" not in draft_of(later)  # still offered, should the plan come back
    assert offers["security_owner"].confirmed_at is not None
