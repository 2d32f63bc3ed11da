"""A vendor's completed CAIQ uploaded in the portal: kept as evidence, its answers offered for
the questions of a CAIQ-based questionnaire, counted only once the vendor confirms them."""

from __future__ import annotations

import hashlib
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests.portal.caiq_scene import SHEET, caiq_version, filled_caiq, upload
from tests.portal.delegation_helpers import delegate, delegate_recipient
from tests.portal.helpers import draft_of, n, open_portal, save, section_url, submit
from tests.portal.test_workbook import download
from tests.portal.test_workbook import upload as workbook_upload
from tests.reports import helpers as reports
from tests.support.factories import create_campaign, make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.models import CAIQ_EVIDENCE, Evidence, Response, ReusedAnswer
from vendorrisk.extensions import db
from vendorrisk.portal import services
from vendorrisk.questionnaires import workbook as wb_format
from vendorrisk.questionnaires.answers import decode_answer
from vendorrisk.review import effective
from vendorrisk.scoring import score_response

# Two offered in the first section, one (an NA with its reason) in the second; IAM-02.1 left
# blank; one id the questionnaire does not ask; one answer that is not Yes, No or NA.
COMPLETED = [
    ("A&A-01.1", "Yes", "Our audit policy is reviewed every March."),
    ("A&A-02.1", "No", ""),
    ("IAM-01.1", "NA", "We hold no customer accounts."),
    ("IAM-02.1", "", ""),
    ("A&A-09.2", "Yes", ""),
    ("A&A-03.1", "Partly", ""),
]


@pytest.fixture
def caiq_assignment(db_session, vendor):
    return create_campaign(caiq_version(), [vendor]).assignments[0]


@pytest.fixture
def caiq_aid(vendor_client, caiq_assignment):
    return open_portal(vendor_client, caiq_assignment.recipients[0])


def _offers(assignment) -> dict[str, ReusedAnswer]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(ReusedAnswer).where(
            ReusedAnswer.response_id == assignment.response.id,
            ReusedAnswer.revision_id.is_(None),
        )
    )
    return {row.question_id: row for row in rows}


def _caiq_files(assignment) -> list[Evidence]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Evidence).where(
                Evidence.response_id == assignment.response.id,
                Evidence.question_id == CAIQ_EVIDENCE,
            )
        )
    )


def _counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Evidence, ReusedAnswer, AuditEntry)
    )


def _confirm(client, aid: int, section: int, question: str | None = None):
    data = {"section": str(section), **({"question": question} if question else {})}
    return client.post(f"/portal/a/{aid}/s/{section}/reuse/confirm", data=data)


def test_a_caiq_based_questionnaire_offers_the_upload_and_another_does_not(
    vendor_client, caiq_aid, aid
):
    page = vendor_client.get(section_url(caiq_aid, 0)).text
    assert "Upload your completed CAIQ (XLSX)" in page
    assert vendor_client.get(f"/portal/a/{caiq_aid}/caiq").status_code == 200
    # The small questionnaire of the other portal tests asks no CAIQ question.
    assert "Upload your completed CAIQ" not in vendor_client.get(section_url(aid, 0)).text
    assert vendor_client.get(f"/portal/a/{aid}/caiq").status_code == 404


def test_matching_answers_are_offered_with_a_summary_and_count_for_nothing_yet(
    vendor_client, caiq_aid, caiq_assignment
):
    response = upload(vendor_client, caiq_aid, filled_caiq(COMPLETED))
    assert response.status_code == 200, response.text[:2000]
    page = response.text
    assert "3 answers offered, 2 skipped." in page
    assert "A&amp;A-09.2 (CAIQv4.0.3!C7): not in this questionnaire" in page
    assert "CAIQv4.0.3!C8: A&amp;A-03.1: &#39;Partly&#39; is not Yes, No or NA" in page
    assert "1 question is not answered in the file." in page
    offers = _offers(caiq_assignment)
    assert set(offers) == {"a_a_01_1", "a_a_02_1", "iam_01_1"}
    (caiq_file,) = _caiq_files(caiq_assignment)
    assert {(o.source_evidence_id, o.source_revision_id) for o in offers.values()} == {
        (caiq_file.id, None)
    }
    assert offers["a_a_01_1"].source_question_id == "A&A-01.1"
    yes = decode_answer(offers["a_a_01_1"].answer)
    assert (yes.value, yes.comment) == ("yes", "Our audit policy is reviewed every March.")
    assert decode_answer(offers["a_a_02_1"].answer).value == "no"
    na = decode_answer(offers["iam_01_1"].answer)
    assert (na.na, na.comment) == (True, "We hold no customer accounts.")
    # Nothing is in the draft, answered, scored or submittable until confirmed.
    assert draft_of(caiq_assignment) == {}
    fresh = db.session.get(Response, caiq_assignment.response.id)
    template = services.template_of(fresh.assignment)
    assert services.progress(template, services.shown_answers(fresh)).answered == 0
    # Scored as a draft, the offered Yes and N/A earn nothing: as if nothing were answered.
    draft_score = score_response(template, services.draft_answers(fresh))
    nothing = score_response(template, {})
    assert draft_score.overall == nothing.overall == 0
    assert [c.score for c in draft_score.categories] == [c.score for c in nothing.categories]
    section = vendor_client.get(section_url(caiq_aid, 0)).text
    assert "From your CAIQ upload of" in section
    assert "(acme-caiq.xlsx), A&amp;A-01.1:" in section
    assert "Confirm all 2 earlier answers in this section" in section
    save(vendor_client, caiq_aid, 1, {n("iam_02_1"): "yes"})
    refused = submit(vendor_client, caiq_aid)
    assert refused.status_code != 302
    assert "need attention before you can submit" in refused.text


def test_confirmed_answers_count_and_the_reviewer_sees_the_caiq_they_came_from(
    vendor_client, caiq_aid, caiq_assignment, auth, app, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "REPORT_RUNNER", "inline")  # report jobs in the request
    monkeypatch.setitem(app.config, "REPORT_FOLDER", str(tmp_path / "reports"))
    upload(vendor_client, caiq_aid, filled_caiq(COMPLETED))
    assert _confirm(vendor_client, caiq_aid, 0).status_code == 302  # both of section 0
    assert set(draft_of(caiq_assignment)) == {"a_a_01_1", "a_a_02_1"}
    save(vendor_client, caiq_aid, 1, {n("iam_02_1"): "yes"})  # the one the CAIQ left blank
    assert _confirm(vendor_client, caiq_aid, 1, "iam_01_1").status_code == 302
    draft = draft_of(caiq_assignment)
    assert draft["a_a_01_1"]["value"] == "yes"
    assert draft["a_a_01_1"]["comment"] == "Our audit policy is reviewed every March."
    assert draft["iam_01_1"]["na"] is True
    assert submit(vendor_client, caiq_aid).status_code == 302
    db.session.expire_all()
    revision = db.session.get(Response, caiq_assignment.response.id).latest_submitted
    assert revision.answers["a_a_01_1"]["value"] == "yes"
    assert revision.answers["a_a_02_1"]["value"] == "no"
    # Audit & Assurance: yes and no, 50; Identity: N/A (not scored) and yes, 100.
    result = effective.for_assignment(revision.response.assignment).result
    assert result.category("audit_assurance").score == 50
    assert result.category("identity_access_management").score == 100
    frozen = db.session.scalars(select(ReusedAnswer).where(ReusedAnswer.revision_id == revision.id))
    (caiq_file,) = _caiq_files(caiq_assignment)
    assert {(r.question_id, r.source_evidence_id) for r in frozen} == {
        ("a_a_01_1", caiq_file.id),
        ("a_a_02_1", caiq_file.id),
        ("iam_01_1", caiq_file.id),
    }
    assert caiq_file.first_submitted_revision == revision.number  # on record with them
    # In the revision's evidence manifest (reports, record files) and on the vendor's receipt.
    (indexed,) = [e for e in revision.evidence_index if e["question_id"] == CAIQ_EVIDENCE]
    assert (indexed["id"], indexed["sha256"]) == (caiq_file.id, caiq_file.sha256)
    receipt = vendor_client.get(f"/portal/a/{caiq_aid}/receipt").text
    assert "Completed CAIQ" in receipt and caiq_file.sha256 in receipt
    assert "acme-caiq.xlsx" in receipt
    # The vendor's due-diligence report lists it among the evidence, named for what it is.
    auth.login("compliance")
    _, job_id = reports.build(auth.client, f"/reports/vendors/{caiq_assignment.vendor_id}/pdf")
    text = " ".join(reports.pages_text(reports.download(auth.client, job_id)))
    assert "acme-caiq.xlsx" in text and "completed CAIQ · rev. 1" in text
    # And the vendor's XLSX export has a row for it, with its file and hash.
    book = reports.workbook_of(
        auth.client.get(f"/reports/vendors/{caiq_assignment.vendor_id}/export.xlsx")
    )
    (row,) = [r for r in reports.rows_of(book["Answers"]) if r["Question ID"] == CAIQ_EVIDENCE]
    assert row["Evidence files"] == f"acme-caiq.xlsx (SHA-256 {caiq_file.sha256})"
    assert row["Revision"] == revision.number
    auth.login("manager")
    page = auth.client.get(f"/review/assignments/{caiq_assignment.id}").text
    assert page.count("Confirmed from the vendor's CAIQ") == 3
    assert f"/review/evidence/{caiq_file.id}" in page


def test_questions_already_answered_are_left_as_the_vendor_answered_them(
    vendor_client, caiq_aid, caiq_assignment
):
    save(vendor_client, caiq_aid, 0, {n("a_a_01_1"): "no"})
    response = upload(vendor_client, caiq_aid, filled_caiq(COMPLETED))
    assert response.status_code == 200
    assert "2 answers offered, 2 skipped." in response.text
    assert "1 question already answered keeps its answer." in response.text
    assert "left as they were answered: A&amp;A-01.1." in response.text
    assert "a_a_01_1" not in _offers(caiq_assignment)
    assert draft_of(caiq_assignment)["a_a_01_1"]["value"] == "no"
    assert _confirm(vendor_client, caiq_aid, 0).status_code == 302
    assert draft_of(caiq_assignment)["a_a_01_1"]["value"] == "no"


def test_the_file_is_kept_as_evidence_with_its_hash_as_uploaded_by_the_vendor(
    vendor_client, caiq_aid, caiq_assignment, uploads
):
    data = filled_caiq(COMPLETED)
    upload(vendor_client, caiq_aid, data)
    (caiq_file,) = _caiq_files(caiq_assignment)
    assert caiq_file.sha256 == hashlib.sha256(data).hexdigest()
    assert caiq_file.size == len(data)
    assert caiq_file.filename == "acme-caiq.xlsx"
    assert caiq_file.uploaded_by_recipient_id == caiq_assignment.recipients[0].id
    assert (uploads / caiq_file.stored_name).read_bytes() == data
    actions = {
        e.action: e
        for e in db.session.scalars(select(AuditEntry).where(AuditEntry.actor_type == "vendor"))
    }
    assert actions["evidence.uploaded"].object_id == str(caiq_file.id)
    assert actions["response.caiq_offered"].details["offered"] == 3
    # The file answers no question: it cannot be removed as a question's file.
    removed = vendor_client.post(f"/portal/a/{caiq_aid}/evidence/{caiq_file.id}/remove", data={})
    assert removed.status_code == 404
    assert _caiq_files(caiq_assignment)[0].removed_at is None


def _workbook(rows: list[list], title: str = SHEET) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "caiq.xlsm",
            filled_caiq(COMPLETED[:1]),
            "macro-enabled workbooks (.xlsm) and other formats are not accepted",
        ),
        (
            "caiq.xlsx",
            filled_caiq([("A&A-01.1", '=IF(TRUE,"Yes","No")', "")]),
            "CAIQv4.0.3!C3: formulas are not accepted; type the value itself",
        ),
        (
            "caiq.xlsx",
            _workbook([["Ref", "Question", "Answer"], ["A&A-01.1", "q", "Yes"]]),
            "no header row found",
        ),
        (
            "caiq.xlsx",
            _workbook([["Question ID", "Question", "Answer"], ["A&A-01.1", "q", "Yes"]]),
            "the header row has no column &#39;CSP CAIQ Answer&#39;",
        ),
        (
            "caiq.xlsx",
            filled_caiq([], extra=[["A&A-01.1", "q", "Yes"]] * 2001),
            "the sheet has more than 2,000 rows below the header",
        ),
        (
            "caiq.xlsx",
            filled_caiq([("A&A-09.2", "Yes", "")]),
            "none of its answered questions is a question of this questionnaire",
        ),
    ],
    ids=["xlsm", "formula", "no-caiq-header", "no-answer-column", "oversize", "no-match"],
)
def test_a_refused_file_keeps_and_offers_nothing(
    vendor_client, caiq_aid, caiq_assignment, uploads, name, data, message
):
    before = _counts()
    response = upload(vendor_client, caiq_aid, data, name=name)
    assert response.status_code == 400
    assert message in response.text
    assert "nothing was kept" in response.text
    assert _counts() == before
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_a_commit_that_fails_leaves_no_file_behind(
    vendor_client, caiq_aid, caiq_assignment, uploads, monkeypatch
):
    """The file is written before the rows that refer to it are committed: if the commit
    fails (the database gone, say), the file goes too, so storage holds nothing unrecorded."""

    def fail() -> None:
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    before = _counts()
    monkeypatch.setattr(db.session, "commit", fail)
    response = upload(vendor_client, caiq_aid, filled_caiq(COMPLETED))
    monkeypatch.undo()
    assert response.status_code == 500  # the error page, no traceback
    assert "Traceback" not in response.text
    assert _counts() == before
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_a_workbook_over_the_size_limit_is_refused(vendor_client, caiq_aid, monkeypatch):
    data = filled_caiq(COMPLETED)
    monkeypatch.setattr(wb_format, "MAX_BYTES", len(data) - 1)  # a small limit shows the rule
    before = _counts()
    response = upload(vendor_client, caiq_aid, data)
    assert response.status_code == 400
    assert "The workbook is larger than" in response.text
    assert _counts() == before


def test_opening_the_upload_page_changes_nothing(vendor_client, caiq_aid):
    before = _counts()
    assert vendor_client.get(f"/portal/a/{caiq_aid}/caiq").status_code == 200
    assert _counts() == before


def test_the_upload_needs_the_vendors_link_and_the_csrf_token(
    app, vendor_client, caiq_aid, caiq_assignment
):
    before = _counts()
    stranger = app.test_client()
    assert upload(stranger, caiq_aid, filled_caiq(COMPLETED)).status_code == 404
    other = create_campaign(caiq_assignment.campaign.template_version, [make_vendor()])
    other_client = app.test_client()
    open_portal(other_client, other.assignments[0].recipients[0])
    assert upload(other_client, caiq_aid, filled_caiq(COMPLETED)).status_code == 404
    assert upload(vendor_client, caiq_aid, filled_caiq(COMPLETED), csrf=False).status_code == 400
    assert _counts()[:2] == before[:2]
    assert _offers(caiq_assignment) == {}


def test_a_second_upload_replaces_the_offers_not_yet_confirmed(
    vendor_client, caiq_aid, caiq_assignment
):
    upload(vendor_client, caiq_aid, filled_caiq(COMPLETED))
    _confirm(vendor_client, caiq_aid, 0, "a_a_01_1")
    again = upload(
        vendor_client, caiq_aid, filled_caiq([("A&A-01.1", "No", ""), ("A&A-02.1", "Yes", "")])
    )
    assert "1 answer offered, 0 skipped." in again.text
    assert "1 question already answered keeps its answer." in again.text
    assert "1 earlier offer was replaced" in again.text
    first, second = sorted(_caiq_files(caiq_assignment), key=lambda e: e.id)
    pending = {
        o.question_id: (decode_answer(o.answer).value, o.source_evidence_id)
        for o in _offers(caiq_assignment).values()
        if o.confirmed_at is None
    }
    assert pending == {"a_a_02_1": ("yes", second.id), "iam_01_1": (None, first.id)}
    assert draft_of(caiq_assignment)["a_a_01_1"]["value"] == "yes"  # confirmed before


def test_the_same_workbook_posted_again_keeps_and_offers_nothing_more(
    vendor_client, caiq_aid, caiq_assignment
):
    """A page refreshed after an upload re-posts the file: it is refused beside the field, and
    the one file and its offers stay as they were."""
    data = filled_caiq(COMPLETED)
    assert upload(vendor_client, caiq_aid, data).status_code == 200
    before = _counts()
    again = upload(vendor_client, caiq_aid, data, name="renamed.xlsx")
    assert again.status_code == 400
    assert "This workbook was already uploaded (acme-caiq.xlsx)" in again.text
    assert 'class="invalid-feedback' in again.text or "is-invalid" in again.text
    assert _counts() == before
    assert len(_caiq_files(caiq_assignment)) == 1


def test_a_submitted_questionnaire_takes_no_caiq(vendor_client, caiq_aid, caiq_assignment):
    for index, data in enumerate(
        [
            {n("a_a_01_1"): "yes", n("a_a_02_1"): "yes"},
            {n("iam_01_1"): "yes", n("iam_02_1"): "yes"},
        ]
    ):
        save(vendor_client, caiq_aid, index, data)
    assert submit(vendor_client, caiq_aid).status_code == 302
    before = _counts()
    response = upload(vendor_client, caiq_aid, filled_caiq(COMPLETED))
    assert response.status_code == 400
    assert "can no longer be changed" in response.text
    assert _counts()[:2] == before[:2]


def test_a_colleague_given_sections_cannot_upload_a_caiq(
    app, vendor_client, caiq_aid, caiq_assignment
):
    response = delegate(vendor_client, caiq_aid, ["identity_access_management"])
    assert response.status_code == 302
    colleague = app.test_client()
    open_portal(colleague, delegate_recipient())
    assert colleague.get(section_url(caiq_aid, 1)).status_code == 200
    assert colleague.get(f"/portal/a/{caiq_aid}/caiq").status_code == 404
    assert upload(colleague, caiq_aid, filled_caiq(COMPLETED)).status_code == 404
    assert _caiq_files(caiq_assignment) == [] and _offers(caiq_assignment) == {}


def test_the_workbook_carries_the_caiq_offers_and_returned_unchanged_confirms_them(
    vendor_client, caiq_aid, caiq_assignment
):
    upload(vendor_client, caiq_aid, filled_caiq(COMPLETED))
    data = download(vendor_client, caiq_aid)
    book = load_workbook(io.BytesIO(data))
    ws = book[wb_format.sheet_title(1, "Audit & Assurance")]
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    note = ws.cell(row=rows["a_a_01_1"], column=wb_format.COL_EARLIER).value
    assert note.startswith("From your CAIQ upload of ")
    assert "(acme-caiq.xlsx), A&A-01.1." in note
    assert draft_of(caiq_assignment) == {}
    assert workbook_upload(vendor_client, caiq_aid, data).status_code == 302
    draft = draft_of(caiq_assignment)
    assert draft["a_a_01_1"]["value"] == "yes" and draft["iam_01_1"]["na"] is True
    confirmed = [o for o in _offers(caiq_assignment).values() if o.confirmed_at is not None]
    assert {o.confirmed_via for o in confirmed} == {"workbook"}
