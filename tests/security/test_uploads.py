"""SECURITY.md item 17: uploads.

Size limit and quota, allowed types checked by extension and magic bytes, an optional scan, a
random name outside static written safely, and downloads only as audited attachments.
"""

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.portal.helpers import (
    DOCX,
    PDF,
    all_evidence,
    office_file,
    stored_files,
    upload_evidence,
)
from vendorrisk.audit.models import AuditEntry
from vendorrisk.core import storage
from vendorrisk.extensions import db


def test_item_17_a_pdf_is_stored_under_a_random_name_with_its_sha256_and_an_audit_entry(
    vendor_client, aid, uploads
):
    """Item 17: "stored outside static under a random name; ... SHA-256 recorded." """
    response = upload_evidence(vendor_client, aid, "SOC 2 report.pdf", PDF)
    assert response.status_code == 302
    (evidence,) = all_evidence()
    assert evidence.filename == "SOC 2 report.pdf"
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest() and evidence.size == len(PDF)
    assert evidence.content_type == "application/pdf"
    assert stored_files(uploads) == [evidence.stored_name]
    assert "SOC 2" not in evidence.stored_name
    assert (uploads / evidence.stored_name).read_bytes() == PDF
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "evidence.uploaded"))


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "This type of file is not accepted"),
        ("archive.zip", office_file(DOCX), "This type of file is not accepted"),
        ("macro.docm", office_file(DOCX), "This type of file is not accepted"),
        ("report.pdf", b"Just some text pretending to be a PDF\n", "does not match its extension"),
        ("picture.png", PDF, "does not match its extension"),
        (
            "letter.docx",
            office_file({**DOCX, "word/vbaProject.bin": b"\x00macro"}),
            "Files with macros are not accepted",
        ),
        ("sheet.xlsx", office_file(DOCX), "does not match its extension"),
        ("empty.txt", b"", "The file is empty"),
    ],
    ids=[
        "exe",
        "zip",
        "docm",
        "text-as-pdf",
        "pdf-as-png",
        "docx-with-macro",
        "docx-as-xlsx",
        "empty",
    ],
)
def test_item_17_a_refused_file_is_explained_and_what_was_typed_is_shown_again(
    vendor_client, aid, uploads, filename, content, message
):
    """Item 17: "allowed: PDF, PNG, JPEG, plain text, CSV, DOCX, XLSX (no macro-enabled formats,
    no archives), checked by extension and by magic bytes." """
    response = upload_evidence(vendor_client, aid, filename, content)
    assert response.status_code == 400
    assert message in response.text
    assert "Typed with the upload" in response.text
    assert all_evidence() == []
    assert stored_files(uploads) == []


def test_item_17_a_request_above_max_content_length_gets_a_413_page_that_says_so(
    app, vendor_client, aid, monkeypatch
):
    """Item 17: "`MAX_CONTENT_LENGTH` set (e.g. 20 MiB), 413 with a clear message above it." """
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = upload_evidence(vendor_client, aid, "big.pdf", b"%PDF-" + b"0" * (100 * 1024))
    assert response.status_code == 413
    assert "The file is too large" in response.text
    assert "Files may be at most 64 KiB." in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert all_evidence() == []


def test_item_17_the_per_assignment_quota_refuses_the_file_that_would_exceed_it(
    app, vendor_client, aid, monkeypatch
):
    """Item 17: "a per-assignment quota." """
    monkeypatch.setitem(app.config, "EVIDENCE_QUOTA_BYTES", len(PDF) * 2 + 10)
    assert upload_evidence(vendor_client, aid, "one.pdf", PDF).status_code == 302
    assert upload_evidence(vendor_client, aid, "two.pdf", PDF).status_code == 302
    refused = upload_evidence(vendor_client, aid, "three.pdf", PDF)
    assert refused.status_code == 400
    assert "evidence storage limit" in refused.text
    assert [e.filename for e in all_evidence()] == ["one.pdf", "two.pdf"]


def test_item_17_a_file_that_fails_the_configured_scan_is_refused(
    app, vendor_client, aid, monkeypatch, uploads
):
    """Item 17: "an optional scan command from configuration (e.g. clamdscan) must pass before a
    file is accepted." """
    monkeypatch.setitem(app.config, "UPLOAD_SCAN_COMMAND", "false")
    refused = upload_evidence(vendor_client, aid, "report.pdf", PDF)
    assert refused.status_code == 400
    assert "did not pass the malware check" in refused.text
    assert all_evidence() == [] and stored_files(uploads) == []
    monkeypatch.setitem(app.config, "UPLOAD_SCAN_COMMAND", "true")
    assert upload_evidence(vendor_client, aid, "report.pdf", PDF).status_code == 302


def test_item_17_a_file_is_fsynced_and_renamed_into_place_before_its_row_is_committed(
    vendor_client, aid, uploads, monkeypatch
):
    """Item 17: "written to a temp file, fsynced, renamed, then the row committed." """
    events = []
    real_fsync, real_replace, real_commit = storage.os.fsync, storage.os.replace, db.session.commit

    def fsync(fd):
        events.append("fsync")
        return real_fsync(fd)

    def replace(src, dst):
        assert Path(src).parent == Path(dst).parent == uploads  # a rename, never a copy
        assert Path(src).name.startswith(".upload-") and Path(src).stat().st_size == len(PDF)
        events.append("rename")
        return real_replace(src, dst)

    def commit():
        events.append("commit")
        return real_commit()

    monkeypatch.setattr(storage.os, "fsync", fsync)
    monkeypatch.setattr(storage.os, "replace", replace)
    monkeypatch.setattr(db.session, "commit", commit)
    assert upload_evidence(vendor_client, aid, "report.pdf", PDF).status_code == 302
    assert events[:4] == ["fsync", "rename", "fsync", "commit"]  # the file, then its folder
    (evidence,) = all_evidence()
    assert stored_files(uploads) == [evidence.stored_name]


def test_item_17_evidence_is_served_only_as_an_audited_attachment_outside_static(
    app, client, auth, vendor_client, aid, uploads
):
    """Item 17: "stored outside static ...; served only as an attachment with `nosniff`; ...
    downloads audited." """
    assert upload_evidence(vendor_client, aid, "SOC 2 report.pdf", PDF).status_code == 302
    (evidence,) = all_evidence()
    static = Path(app.static_folder).resolve()
    assert static not in (uploads / evidence.stored_name).resolve().parents
    assert client.get(f"/static/{evidence.stored_name}").status_code == 404
    with app.test_request_context():
        default = Path(app.instance_path, "uploads").resolve()
    assert static not in default.parents

    user = auth.login("compliance")
    response = client.get(f"/review/evidence/{evidence.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "SOC 2 report.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "evidence.downloaded"))
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        user.id,
        "evidence",
        str(evidence.id),
    )
