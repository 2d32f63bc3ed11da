"""The import page and commands: a spreadsheet, the CAIQ v4 layout or a VSAQ file becomes a
template draft in the composer, never a template directly, and a refused file creates nothing;
then the CAIQ round trip through approval, a campaign and a vendor's answers."""

from __future__ import annotations

import io

from helpers_app import audit_actions, count
from helpers_imports import (
    MAPPING_YAML,
    SHEET_HEADER,
    caiq_workbook,
    sheet_csv,
    vsaq_bytes,
    vsaq_with,
)
from sqlalchemy import select

from tests.conftest import make_user
from tests.portal.helpers import n, open_portal, save, submit
from tests.support.factories import create_campaign, make_vendor
from vendorrisk.campaigns.models import Assignment
from vendorrisk.extensions import db
from vendorrisk.questionnaires.importers.models import ImportMapping
from vendorrisk.questionnaires.models import Template, TemplateDraft, TemplateVersion


def _upload(client, path, data: bytes, name: str, **form):
    return client.post(
        path,
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def _latest_draft() -> TemplateDraft | None:
    db.session.expire_all()
    return db.session.scalars(select(TemplateDraft).order_by(TemplateDraft.id.desc())).first()


def test_the_import_page_is_for_managers_only(client, auth):
    auth.login("compliance")
    assert client.get("/templates/imports/").status_code == 403
    auth.logout()
    auth.login("manager")
    page = client.get("/templates/imports/")
    assert page.status_code == 200 and "CAIQ v4" in page.text and "VSAQ" in page.text
    assert "/templates/imports/" in client.get("/templates/drafts/").text


def test_a_caiq_round_trip_draft_approval_campaign_and_vendor_answers(client, auth, app):
    """Import a CAIQ-layout workbook, submit the draft, a second manager approves, a campaign
    sends it, and the vendor's answers are kept against the imported questions."""
    manager = auth.login("manager")
    r = _upload(client, "/templates/imports/sheet", caiq_workbook(), "caiq.xlsx", mapping="caiq-v4")
    assert r.status_code == 303, r.text[:2000]
    draft = _latest_draft()
    assert r.location.endswith(f"/templates/drafts/{draft.id}")
    assert draft.valid and count(Template) == 0  # a draft, not a template
    assert "CCM v4 A&A-01" in draft.yaml_text
    assert audit_actions("template_draft.import")[-1].details["format"] == "caiq-v4"
    page = client.get(r.location).text
    lock = page.split('name="lock_version" value="')[1].split('"')[0]
    r = client.post(
        f"/templates/drafts/{draft.id}/submit", data={"op": "submit", "lock_version": lock}
    )
    assert r.status_code == 303
    version = db.session.get(TemplateVersion, _latest_draft().submitted_version_id)
    # The importer cannot approve their own import (four eyes).
    assert client.post(f"/templates/versions/{version.id}/approve", data={}).status_code in (
        302,
        403,
    )
    db.session.refresh(version)
    assert version.status == "pending"
    auth.logout()
    auth.login(user=make_user("manager"))
    assert client.post(f"/templates/versions/{version.id}/approve", data={}).status_code == 302
    db.session.refresh(version)
    assert version.status == "approved"

    vendor = make_vendor(owner=manager)
    campaign = create_campaign(version, [vendor], actor=manager)
    assignment = db.session.scalar(select(Assignment).where(Assignment.campaign_id == campaign.id))
    vendor_browser = app.test_client()
    aid = open_portal(vendor_browser, assignment.recipients[0])
    answers = [
        {n("a_a_01_1"): "yes", n("a_a_02_1"): "no"},
        {n("iam_01_1"): "yes", n("iam_02_1"): "yes"},
    ]
    for index, data in enumerate(answers):
        assert save(vendor_browser, aid, index, data, action="next").status_code == 302
    assert submit(vendor_browser, aid).status_code == 302
    db.session.expire_all()
    revision = db.session.get(Assignment, aid).response.latest_submitted
    assert {k: v["value"] for k, v in revision.answers.items()} == {
        "a_a_01_1": "yes",
        "a_a_02_1": "no",
        "iam_01_1": "yes",
        "iam_02_1": "yes",
    }
    assert revision.overall == 75.0


def test_a_refused_workbook_creates_nothing_and_says_which_cell(client, auth):
    auth.login("manager")
    rows = [("A&A-01.1", "Fine?", "A&A-01", "Audit"), ("A&A-01.1", "Twice?", "A&A-01", "Audit")]
    r = _upload(
        client, "/templates/imports/sheet", caiq_workbook(rows), "caiq.xlsx", mapping="caiq-v4"
    )
    assert r.status_code == 422
    assert "CAIQv4.0.3!A4" in r.text and "duplicate question id" in r.text
    assert count(TemplateDraft) == 0


def test_a_macro_workbook_is_refused_on_the_page(client, auth):
    auth.login("manager")
    r = _upload(client, "/templates/imports/sheet", b"PK\x03\x04", "book.xlsm", mapping="caiq-v4")
    assert r.status_code == 422 and "macro-enabled" in r.text and count(TemplateDraft) == 0


def test_mapping_columns_in_the_browser_saves_the_mapping_for_next_time(client, auth):
    auth.login("manager")
    r = _upload(client, "/templates/imports/sheet", sheet_csv(), "sig.csv", mapping="__new__")
    assert r.status_code == 200 and "Map the columns of sig.csv" in r.text
    token = r.text.split('name="upload" type="hidden" value="')[1].split('"')[0]
    form = {
        "upload": token,
        "filename": "sig.csv",
        "sheet": "",
        "header_row": "1",
        "col_id": "Ref",
        "col_section": "Area",
        "col_text": "Question",
        "col_type": "Kind",
        "col_choices": "Options",
        "col_help": "Guidance",
        "col_controls": "Controls",
        "col_weight": "Points",
        "default_type": "yes_no",
        "default_weight": "0",
        "framework": "ISO/IEC 27001:2022",
        "slug": "acme-sig-lite",
        "title": "Acme due diligence",
        "save_as": "Acme SIG lite",
    }
    r = client.post("/templates/imports/map", data=form)
    assert r.status_code == 303, r.text[:3000]
    first = _latest_draft()
    assert first.valid and first.slug == "acme-sig-lite"
    saved = db.session.scalar(select(ImportMapping).where(ImportMapping.name == "Acme SIG lite"))
    assert saved is not None and "Points" in saved.yaml_text
    # Next time the saved mapping is a choice of the upload form.
    assert "Saved mapping: Acme SIG lite" in client.get("/templates/imports/").text
    r = _upload(client, "/templates/imports/sheet", sheet_csv(), "sig.csv", mapping="Acme SIG lite")
    assert r.status_code == 303 and _latest_draft().id != first.id


def test_a_mapping_that_does_not_fit_is_shown_again_with_the_reason(client, auth):
    auth.login("manager")
    rows = [["1", "A", "Pick?", "choice", "Good;;Bad", "", "", ""]]
    r = _upload(client, "/templates/imports/sheet", sheet_csv(rows), "bad.csv", mapping="__new__")
    token = r.text.split('name="upload" type="hidden" value="')[1].split('"')[0]
    form = {
        "upload": token,
        "filename": "bad.csv",
        "header_row": "1",
        "col_id": "Ref",
        "col_text": "Question",
        "col_type": "Kind",
        "col_choices": "Options",
        "default_type": "yes_no",
        "save_as": "Never saved",
    }
    r = client.post("/templates/imports/map", data=form)
    assert r.status_code == 422 and "bad.csv!E2" in r.text and "choice 2 is empty" in r.text
    assert count(TemplateDraft) == 0 and count(ImportMapping) == 0


def test_a_lost_upload_is_a_plain_message(client, auth):
    auth.login("manager")
    r = client.post("/templates/imports/map", data={"upload": "../../etc/passwd", "filename": "x"})
    assert r.status_code == 410 and "upload it again" in r.text


def test_a_vsaq_upload_with_notes_shows_them_before_the_composer(client, auth):
    auth.login("manager")
    item = {"type": "line", "id": "q2", "text": "Second", "default": "x"}
    r = _upload(client, "/templates/imports/vsaq", vsaq_with(item), "small.json")
    assert r.status_code == 200 and "its default answer is not carried over" in r.text
    draft = _latest_draft()
    assert f"/templates/drafts/{draft.id}" in r.text and draft.valid
    r = _upload(client, "/templates/imports/vsaq", vsaq_bytes(), "webapp.json")
    assert r.status_code == 303 and _latest_draft().slug == "vsaq-webapp"


def test_a_vsaq_cond_syntax_error_on_the_page_names_the_item(client, auth):
    auth.login("manager")
    item = {"type": "line", "id": "q2", "text": "Second", "cond": "q1 &"}
    r = _upload(client, "/templates/imports/vsaq", vsaq_with(item), "small.json")
    assert r.status_code == 422 and "item q2" in r.text and "cond syntax error" in r.text
    assert count(TemplateDraft) == 0


def test_an_upload_without_a_file_is_refused_beside_the_field(client, auth):
    auth.login("manager")
    r = client.post("/templates/imports/vsaq", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Choose a VSAQ .json file." in r.text


# --- the command line ------------------------------------------------------------------------


def test_import_sheet_by_a_mapping_file_prints_the_draft(runner, tmp_path):
    user = make_user("manager")
    (tmp_path / "sig.csv").write_bytes(sheet_csv())
    (tmp_path / "map.yaml").write_text(MAPPING_YAML)
    result = runner.invoke(
        args=[
            "questionnaires",
            "import-sheet",
            str(tmp_path / "sig.csv"),
            "--map",
            str(tmp_path / "map.yaml"),
            "--by",
            user.email,
        ]
    )
    assert result.exit_code == 0, result.output
    draft = _latest_draft()
    assert f"draft {draft.id}: “Acme due diligence”, 5 question(s)" in result.output


def test_import_sheet_can_write_yaml_instead(runner, tmp_path):
    (tmp_path / "caiq.xlsx").write_bytes(caiq_workbook())
    out = tmp_path / "caiq.yaml"
    result = runner.invoke(
        args=[
            "questionnaires",
            "import-sheet",
            str(tmp_path / "caiq.xlsx"),
            "--mapping",
            "caiq-v4",
            "--yaml",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "CCM v4 IAM-02" in out.read_text() and count(TemplateDraft) == 0


def test_import_sheet_errors_name_file_cell_and_reason_and_exit_1(runner, tmp_path):
    rows = [["1", "A", "", "", "", "", "", ""]]
    (tmp_path / "bad.csv").write_bytes(sheet_csv(rows))
    (tmp_path / "map.yaml").write_text(MAPPING_YAML)
    result = runner.invoke(
        args=[
            "questionnaires",
            "import-sheet",
            str(tmp_path / "bad.csv"),
            "--map",
            str(tmp_path / "map.yaml"),
            "--yaml",
            "-",
        ]
    )
    assert result.exit_code == 1
    assert "bad.csv: bad.csv!C2: the question text is empty" in result.output
    assert "refused; nothing was imported" in result.output


def test_import_sheet_refuses_a_bad_mapping_file_with_its_line(runner, tmp_path):
    (tmp_path / "sig.csv").write_bytes(sheet_csv())
    (tmp_path / "map.yaml").write_text(MAPPING_YAML.replace("  weight: Points", "  weihgt: Points"))
    result = runner.invoke(
        args=[
            "questionnaires",
            "import-sheet",
            str(tmp_path / "sig.csv"),
            "--map",
            str(tmp_path / "map.yaml"),
            "--yaml",
            "-",
        ]
    )
    assert result.exit_code == 1 and "map.yaml:9: columns.weihgt: unknown key" in result.output


def test_import_sheet_needs_exactly_one_mapping_and_someone_to_own_the_draft(runner, tmp_path):
    (tmp_path / "sig.csv").write_bytes(sheet_csv())
    both = runner.invoke(args=["questionnaires", "import-sheet", str(tmp_path / "sig.csv")])
    assert both.exit_code == 2 and "--map MAPPING.yaml or --mapping NAME" in both.output
    nobody = runner.invoke(
        args=["questionnaires", "import-sheet", str(tmp_path / "sig.csv"), "--mapping", "caiq-v4"]
    )
    assert nobody.exit_code == 1  # not a CAIQ workbook: refused before asking who
    reader = make_user("compliance")
    (tmp_path / "caiq.xlsx").write_bytes(caiq_workbook())
    refused = runner.invoke(
        args=[
            "questionnaires",
            "import-sheet",
            str(tmp_path / "caiq.xlsx"),
            "--mapping",
            "caiq-v4",
            "--by",
            reader.email,
        ]
    )
    assert refused.exit_code == 1 and "No active vendor manager" in refused.output
    assert count(TemplateDraft) == 0


def test_import_vsaq_prints_notes_and_the_draft(runner, tmp_path):
    user = make_user("manager")
    item = {"type": "line", "id": "q2", "text": "Second", "auth": "admin"}
    (tmp_path / "v.json").write_bytes(vsaq_with(item))
    result = runner.invoke(
        args=["questionnaires", "import-vsaq", str(tmp_path / "v.json"), "--by", user.email]
    )
    assert result.exit_code == 0, result.output
    assert (
        "note: v.json: item q2: shown only to VSAQ's reviewers (or never); not imported"
        in result.output
    )
    assert "draft " in result.output and _latest_draft().valid


def test_import_vsaq_refuses_a_cond_error_with_exit_1(runner, tmp_path):
    item = {"type": "line", "id": "q2", "text": "Second", "cond": "(q1"}
    (tmp_path / "v.json").write_bytes(vsaq_with(item))
    result = runner.invoke(
        args=["questionnaires", "import-vsaq", str(tmp_path / "v.json"), "--yaml", "-"]
    )
    assert result.exit_code == 1 and "v.json: item q2: cond syntax error" in result.output


def test_an_unreadable_file_exits_1(runner, tmp_path):
    result = runner.invoke(args=["questionnaires", "import-vsaq", str(tmp_path / "none.json")])
    assert result.exit_code == 1 and "cannot be read" in result.output


def test_a_header_only_csv_is_refused(runner, tmp_path):
    (tmp_path / "empty.csv").write_bytes(",".join(SHEET_HEADER).encode() + b"\n")
    (tmp_path / "map.yaml").write_text(MAPPING_YAML)
    result = runner.invoke(
        args=[
            "questionnaires",
            "import-sheet",
            str(tmp_path / "empty.csv"),
            "--map",
            str(tmp_path / "map.yaml"),
            "--yaml",
            "-",
        ]
    )
    assert result.exit_code == 1 and "no question rows below the header" in result.output
