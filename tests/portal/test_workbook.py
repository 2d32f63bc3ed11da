"""The offline workbook: download, fill in Excel, upload into the draft, submit as usual."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.portal.helpers import COMPLETE, answer_everything, draft_of, open_portal, submit
from tests.support.factories import create_campaign, make_vendor, shipped_version
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.models import Response, Revision
from vendorrisk.extensions import db
from vendorrisk.portal.workbook import _sign
from vendorrisk.questionnaires import workbook as wb_format
from vendorrisk.questionnaires.answers import decode_answer

EXPOSURE, ROTATION, READINESS = (
    "1. Exposure",
    "2. Replacing the certificate",
    "3. Your response plan",
)
# The answers of tests.portal.helpers.COMPLETE, as a person types them in Excel.
FILLED = {
    EXPOSURE: {"uses_connector": {"C": "Yes"}, "data_accessed": {"C": "No"}},
    ROTATION: {
        "rotated": {"C": "Yes"},
        "rotated_on": {"C": date(2021, 1, 15)},
        "credentials_reset": {"C": "Some of them"},
    },
    READINESS: {"notify_hours": {"C": 24}, "soc2_report": {"F": "Our first audit is under way."}},
}


def download(client, aid: int) -> bytes:
    response = client.get(f"/portal/a/{aid}/workbook.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    return response.data


def fill(data: bytes, cells: dict, meta: dict | None = None) -> bytes:
    """Write values into a workbook by sheet, question id and column letter."""
    book = load_workbook(io.BytesIO(data))
    for sheet, questions in cells.items():
        ws = book[sheet]
        rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
        for qid, columns in questions.items():
            for column, value in columns.items():
                ws[f"{column}{rows[qid]}"] = value
    for key, value in (meta or {}).items():
        ws = book[wb_format.META_SHEET]
        row = next(r for r in range(1, 5) if ws.cell(row=r, column=1).value == key)
        ws.cell(row=row, column=2, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, aid: int, data: bytes, name: str = "answers.xlsx"):
    return client.post(
        f"/portal/a/{aid}/workbook",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_workbook_has_a_sheet_per_section_choices_as_lists_and_a_hidden_binding(
    vendor_client, aid
):
    book = load_workbook(io.BytesIO(download(vendor_client, aid)))
    assert book.sheetnames[:4] == ["Instructions", EXPOSURE, ROTATION, READINESS]
    assert book[wb_format.META_SHEET].sheet_state == "veryHidden"
    assert book.security.lockStructure
    ws = book[ROTATION]
    assert ws.protection.sheet
    assert [ws.cell(row=r, column=1).value for r in range(2, 5)] == [
        "rotated",
        "rotated_on",
        "credentials_reset",
    ]
    assert ws["H3"].value == 'uses_connector is "yes" and rotated is "yes"'
    assert ws["C3"].number_format == "yyyy-mm-dd"
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "date"} <= kinds
    lists = book[wb_format.LISTS_SHEET]
    labels = {lists.cell(row=r, column=c).value for r in (1, 2, 3) for c in (1, 2, 3, 4)}
    assert {"Some of them", "Yes, some of it"} <= labels
    assert ws["C2"].protection.locked is False and ws["A2"].protection.locked is True


def test_round_trip_gives_the_same_draft_and_score_as_the_portal(
    app, version, vendor_client, aid, assignment
):
    other_vendor = make_vendor("Beta Mail Gateway")
    other = create_campaign(version, [other_vendor]).assignments[0]
    portal_client = app.test_client()
    other_aid = open_portal(portal_client, other.recipients[0])
    answer_everything(portal_client, other_aid, COMPLETE)

    response = upload(vendor_client, aid, fill(download(vendor_client, aid), FILLED))
    assert response.status_code == 302, response.text[:2000]
    assert response.headers["Location"].endswith(f"/portal/a/{aid}/submit")
    assert draft_of(assignment) == draft_of(other)
    assert db.session.scalar(select(func.count()).select_from(Revision)) == 0

    for client, a in ((vendor_client, aid), (portal_client, other_aid)):
        assert submit(client, a).status_code == 302
    db.session.expire_all()
    mine = db.session.get(Response, assignment.response.id).latest_submitted
    theirs = db.session.get(Response, other.response.id).latest_submitted
    assert mine.answers == theirs.answers
    assert mine.score == theirs.score and mine.score["overall"] is not None


def test_the_downloaded_workbook_holds_the_saved_draft(vendor_client, aid, assignment):
    answer_everything(vendor_client, aid, COMPLETE[:2])
    saved = draft_of(assignment)
    data = download(vendor_client, aid)
    book = load_workbook(io.BytesIO(data))
    assert book[ROTATION]["C3"].value.date() == date(2021, 1, 15)
    assert book[ROTATION]["C4"].value == "Some of them"
    # Uploading it unchanged keeps the draft as it was.
    assert upload(vendor_client, aid, data).status_code == 302
    assert draft_of(assignment) == saved


def test_bad_cells_are_listed_by_sheet_and_cell_and_nothing_is_saved(
    vendor_client, aid, assignment
):
    filled = {
        EXPOSURE: {"uses_connector": {"C": "Yes"}, "data_accessed": {"C": "Perhaps"}},
        ROTATION: {"rotated": {"C": "Yes"}, "rotated_on": {"C": "mid-January"}},
        READINESS: {"notify_hours": {"C": "soon", "D": "Yes"}},
    }
    response = upload(vendor_client, aid, fill(download(vendor_client, aid), filled))
    assert response.status_code == 400
    assert "1. Exposure!C3 (data_accessed): not one of the choices" in response.text
    assert "Nothing was saved" in response.text
    assert draft_of(assignment) in (None, {})

    # Once the choices are right, the form's own checks speak for the other cells.
    filled[EXPOSURE]["data_accessed"] = {"C": "No"}
    response = upload(vendor_client, aid, fill(download(vendor_client, aid), filled))
    assert response.status_code == 400
    assert "2. Replacing the certificate!C3 (rotated_on): " in response.text
    assert "3. Your response plan!E2 (notify_hours): Say why this question does not apply." in (
        response.text
    )
    assert draft_of(assignment) in (None, {})


def test_a_formula_cell_is_refused_by_its_reference(vendor_client, aid, assignment):
    filled = {READINESS: {"notify_hours": {"C": "=6*4"}}}
    response = upload(vendor_client, aid, fill(download(vendor_client, aid), filled))
    assert response.status_code == 400
    assert "3. Your response plan!C2: formulas are not accepted" in response.text
    assert draft_of(assignment) in (None, {})


def test_a_tampered_binding_is_refused(vendor_client, aid, assignment):
    data = download(vendor_client, aid)
    for meta in ({"signature": "0" * 64}, {"assignment": str(assignment.id + 1)}):
        response = upload(vendor_client, aid, fill(data, FILLED, meta))
        assert response.status_code == 400
        assert "its signature does not match" in response.text
    assert draft_of(assignment) in (None, {})


def test_a_workbook_of_another_assignment_is_refused(app, version, vendor_client, aid, assignment):
    other = create_campaign(version, [make_vendor("Beta Mail Gateway")]).assignments[0]
    other_client = app.test_client()
    other_aid = open_portal(other_client, other.recipients[0])
    theirs = fill(download(other_client, other_aid), FILLED)
    response = upload(vendor_client, aid, theirs)
    assert response.status_code == 400
    assert "This workbook belongs to another questionnaire." in response.text
    assert draft_of(assignment) in (None, {})


def test_a_workbook_of_another_template_version_is_refused(vendor_client, aid, assignment):
    version = assignment.campaign.template_version
    data = fill(download(vendor_client, aid), FILLED)
    version_id, content_hash = version.id, version.content_hash
    forged = _sign(str(assignment.id), str(version_id + 1000), "0" * 64)
    meta = {"template_version": str(version_id + 1000), "content_hash": "0" * 64}
    response = upload(vendor_client, aid, fill(data, {}, {**meta, "signature": forged}))
    assert response.status_code == 400
    assert "another version of the questionnaire" in response.text
    assert content_hash == version.content_hash


def test_a_sheet_of_ten_thousand_rows_is_refused(vendor_client, aid, assignment):
    book = load_workbook(io.BytesIO(download(vendor_client, aid)))
    ws = book[READINESS]
    for row in range(10, 10_010):
        ws.cell(row=row, column=5, value="x")
    out = io.BytesIO()
    book.save(out)
    response = upload(vendor_client, aid, out.getvalue())
    assert response.status_code == 400
    assert f"has more than {wb_format.MAX_ROWS} rows" in response.text


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in replace.items():
            if name not in src.namelist():
                dst.writestr(name, content)
    return out.getvalue()


def test_an_xml_bomb_and_a_zip_bomb_and_macros_are_refused(
    vendor_client, aid, assignment, monkeypatch
):
    data = download(vendor_client, aid)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<sst>&lol2;</sst>"
    )
    cases = {
        "XML declarations that are refused": _rezip(data, {"xl/sharedStrings.xml": bomb}),
        "too much data to be read": _rezip(
            data, {"xl/media/padding.xml": b" " * (wb_format.MAX_UNCOMPRESSED + 1)}
        ),
        "Workbooks with macros are not accepted": _rezip(data, {"xl/vbaProject.bin": b"x"}),
    }
    for message, body in cases.items():
        response = upload(vendor_client, aid, body)
        assert response.status_code == 400
        assert message in response.text, message
    for name, message in (
        ("answers.xlsm", "macro-enabled files are not accepted"),
        ("answers.xlsx", "not an Excel workbook"),
    ):
        body = data if name.endswith("xlsm") else b"%PDF-1.4 not a workbook"
        response = upload(vendor_client, aid, body, name)
        assert response.status_code == 400 and message in response.text
    monkeypatch.setattr(wb_format, "MAX_BYTES", len(data) - 1)  # a small limit shows the rule
    assert "The workbook is larger than" in upload(vendor_client, aid, data).text
    assert draft_of(assignment) in (None, {})


def test_a_submitted_questionnaire_takes_no_workbook(vendor_client, aid, assignment):
    answer_everything(vendor_client, aid, COMPLETE)
    assert submit(vendor_client, aid).status_code == 302
    page = vendor_client.get(f"/portal/a/{aid}/workbook")
    assert "can no longer be changed" in page.text
    response = upload(vendor_client, aid, fill(download(vendor_client, aid), FILLED))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Revision)) == 1


def test_staff_download_the_workbook_beside_each_assignment_and_it_is_audited(
    client, auth, assignment, recipient, vendor_client
):
    auth.login("compliance")
    campaign_page = client.get(f"/campaigns/{assignment.campaign_id}").text
    url = f"/campaigns/{assignment.campaign_id}/assignments/{assignment.id}/workbook.xlsx"
    assert url in campaign_page
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    meta = {row[0]: row[1] for row in book[wb_format.META_SHEET].iter_rows(values_only=True)}
    assert meta["assignment"] == str(assignment.id)
    exported = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "assignment.workbook_exported")
    ).all()
    assert [e.object_id for e in exported] == [str(assignment.id)]
    # The vendor can upload what staff downloaded and sent them.
    aid = open_portal(vendor_client, recipient)
    assert upload(vendor_client, aid, fill(response.data, FILLED)).status_code == 302
    assert (
        client.get(
            f"/campaigns/{assignment.campaign_id}/assignments/{assignment.id + 99}/workbook.xlsx"
        ).status_code
        == 404
    )


def test_in_a_clarification_round_only_the_reopened_questions_take_the_workbook(
    vendor_client, aid, assignment, owner
):
    from vendorrisk.portal.services import template_of
    from vendorrisk.review.services import request_clarification

    answer_everything(vendor_client, aid, COMPLETE)
    assert submit(vendor_client, aid).status_code == 302
    db.session.expire_all()
    assignment = db.session.get(type(assignment), assignment.id)
    request_clarification(
        assignment, owner, {"notify_hours": "Is that business hours?"}, template_of(assignment)
    )
    db.session.flush()
    changed = {
        EXPOSURE: {"data_accessed": {"C": "Yes, some of it"}},
        READINESS: {"notify_hours": {"C": 12}},
    }
    response = upload(vendor_client, aid, fill(download(vendor_client, aid), changed))
    assert response.status_code == 302, response.text[:2000]
    draft = draft_of(assignment)
    assert draft["notify_hours"]["value"] == {"decimal": "12"}
    assert draft["data_accessed"]["value"] == "no"


def test_an_upload_without_its_csrf_token_saves_nothing(vendor_client, aid, assignment):
    response = vendor_client.post(
        f"/portal/a/{aid}/workbook",
        data={"file": (io.BytesIO(fill(download(vendor_client, aid), FILLED)), "a.xlsx")},
        content_type="multipart/form-data",
        csrf=False,
    )
    assert response.status_code == 400
    assert "Go back, check the form and try again." in response.text
    assert draft_of(assignment) in (None, {})


def _fill_by_id(data: bytes, answers: dict[str, object]) -> bytes:
    """Write answer cells (column C) by question id, wherever their sheet is."""
    book = load_workbook(io.BytesIO(data))
    for ws in book.worksheets[1:]:
        for row in range(2, ws.max_row + 1):
            qid = ws.cell(row=row, column=1).value
            if qid in answers:
                ws.cell(row=row, column=3, value=answers[qid])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_exclusive_choice_with_others_is_refused_as_in_the_portal(vendor_client, vendor):
    assignment = create_campaign(shipped_version(), [vendor]).assignments[0]
    aid = open_portal(vendor_client, assignment.recipients[0])
    data = download(vendor_client, aid)
    both = {"mimecast_customer": "Yes", "affected_products": "Mimecast Sync and Recover; none"}
    response = upload(vendor_client, aid, _fill_by_id(data, both))
    assert response.status_code == 400
    assert "(affected_products): " in response.text
    assert "cannot be combined with any other choice." in response.text
    assert draft_of(assignment) in (None, {})

    alone = {"mimecast_customer": "Yes", "affected_products": "none"}
    assert upload(vendor_client, aid, _fill_by_id(data, alone)).status_code == 302
    assert decode_answer(draft_of(assignment)["affected_products"]).value == ["none"]


def test_cells_returned_as_the_workbook_wrote_them_keep_the_saved_answers_exactly(
    vendor_client, aid, assignment
):
    """Some saved values cannot live in a spreadsheet cell as they are: Excel keeps 15 digits of
    a number, and a cell holds no control characters. A cell that comes back as the workbook
    wrote it is no change, so uploading the file untouched keeps every saved answer exactly."""
    from tests.portal.helpers import n
    from vendorrisk.questionnaires.formfactory import field_names

    sections = [dict(section) for section in COMPLETE]
    sections[2][n("notify_hours")] = "987654321012.345678"
    sections[2][field_names("notify_hours").comment] = "Counted\x0bin hours"
    sections[2][n("notes")] = "Ask our CISO\x07 first."
    answer_everything(vendor_client, aid, sections)
    saved = draft_of(assignment)
    assert saved["notify_hours"]["value"] == {"decimal": "987654321012.345678"}
    assert "\x0b" in saved["notify_hours"]["comment"] and "\x07" in saved["notes"]["value"]

    data = download(vendor_client, aid)
    assert upload(vendor_client, aid, data).status_code == 302
    assert draft_of(assignment) == saved

    # A cell the vendor did change is still their answer.
    changed = fill(data, {READINESS: {"notes": {"C": "Call us first."}}})
    assert upload(vendor_client, aid, changed).status_code == 302
    assert draft_of(assignment)["notes"]["value"] == "Call us first."
    assert draft_of(assignment)["notify_hours"] == saved["notify_hours"]
