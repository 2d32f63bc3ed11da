"""Evidence uploads: checked by extension and content, macros refused, size and quota limits, an
optional malware scan, removal before submission only, and a full disk loses nothing."""

from __future__ import annotations

import errno
import hashlib
import io
import zipfile

import pytest
from sqlalchemy import select

from tests.portal.helpers import PDF, answer_everything, f, n, open_portal, pdf_file, save, submit
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.models import Evidence, Response
from vendorrisk.core import storage
from vendorrisk.extensions import db


def _office(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}


def _upload(client, aid, filename, content, **extra):
    """Attach a file to the soc2_report evidence question (section 3)."""
    return save(
        client,
        aid,
        2,
        {
            n("soc2_report"): (io.BytesIO(content), filename),
            n("notes"): "Typed with the upload",
            **extra,
        },
    )


def _evidence() -> list[Evidence]:
    db.session.expire_all()
    return list(db.session.scalars(select(Evidence).order_by(Evidence.id)))


def _stored_files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def aid(vendor_client, recipient):
    return open_portal(vendor_client, recipient)


def test_a_pdf_is_stored_under_a_random_name_with_its_sha256_and_an_audit_entry(
    vendor_client, aid, uploads
):
    response = _upload(vendor_client, aid, "SOC 2 report.pdf", PDF)
    assert response.status_code == 302
    (evidence,) = _evidence()
    assert evidence.filename == "SOC 2 report.pdf"
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest() and evidence.size == len(PDF)
    assert evidence.content_type == "application/pdf"
    assert _stored_files(uploads) == [evidence.stored_name]
    assert "SOC 2" not in evidence.stored_name
    assert (uploads / evidence.stored_name).read_bytes() == PDF
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "evidence.uploaded"))


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "This type of file is not accepted"),
        ("archive.zip", _office(DOCX), "This type of file is not accepted"),
        ("macro.docm", _office(DOCX), "This type of file is not accepted"),
        ("report.pdf", b"Just some text pretending to be a PDF\n", "does not match its extension"),
        ("picture.png", PDF, "does not match its extension"),
        (
            "letter.docx",
            _office({**DOCX, "word/vbaProject.bin": b"\x00macro"}),
            "Files with macros are not accepted",
        ),
        ("sheet.xlsx", _office(DOCX), "does not match its extension"),
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
def test_a_refused_file_is_explained_and_what_was_typed_is_shown_again(
    vendor_client, aid, uploads, filename, content, message
):
    response = _upload(vendor_client, aid, filename, content)
    assert response.status_code == 400
    assert message in response.text
    assert "Typed with the upload" in response.text
    assert _evidence() == []
    assert _stored_files(uploads) == []


def test_real_office_text_and_image_files_are_accepted(vendor_client, aid):
    for name, content in [
        ("policy.docx", _office(DOCX)),
        ("log.csv", b"when,what\n1,2\n"),
        ("notes.txt", "Rotated on 15 January — done\n".encode()),
        ("shot.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
    ]:
        assert _upload(vendor_client, aid, name, content).status_code == 302, name
    assert [e.filename for e in _evidence()] == ["policy.docx", "log.csv", "notes.txt", "shot.png"]


def test_a_request_above_max_content_length_gets_a_413_page_that_says_so(
    app, vendor_client, aid, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = _upload(vendor_client, aid, "big.pdf", b"%PDF-" + b"0" * (100 * 1024))
    assert response.status_code == 413
    assert "The file is too large" in response.text
    assert "Files may be at most 64 KiB." in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert _evidence() == []


def test_the_per_assignment_quota_refuses_the_file_that_would_exceed_it(
    app, vendor_client, aid, monkeypatch
):
    monkeypatch.setitem(app.config, "EVIDENCE_QUOTA_BYTES", len(PDF) * 2 + 10)
    assert _upload(vendor_client, aid, "one.pdf", PDF).status_code == 302
    assert _upload(vendor_client, aid, "two.pdf", PDF).status_code == 302
    refused = _upload(vendor_client, aid, "three.pdf", PDF)
    assert refused.status_code == 400
    assert "evidence storage limit" in refused.text
    assert [e.filename for e in _evidence()] == ["one.pdf", "two.pdf"]


def test_a_file_that_fails_the_configured_scan_is_refused(
    app, vendor_client, aid, monkeypatch, uploads
):
    monkeypatch.setitem(app.config, "UPLOAD_SCAN_COMMAND", "false")
    refused = _upload(vendor_client, aid, "report.pdf", PDF)
    assert refused.status_code == 400
    assert "did not pass the malware check" in refused.text
    assert _evidence() == [] and _stored_files(uploads) == []
    monkeypatch.setitem(app.config, "UPLOAD_SCAN_COMMAND", "true")
    assert _upload(vendor_client, aid, "report.pdf", PDF).status_code == 302


def test_a_scan_command_that_cannot_run_refuses_the_file(app, vendor_client, aid, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_SCAN_COMMAND", "/nonexistent/clamdscan --fdpass")
    refused = _upload(vendor_client, aid, "report.pdf", PDF)
    assert refused.status_code == 400 and "could not be checked for malware" in refused.text
    assert _evidence() == []


def test_a_file_can_be_removed_before_submission_but_not_after(vendor_client, aid, uploads):
    assert _upload(vendor_client, aid, "draft.pdf", PDF).status_code == 302
    assert _upload(vendor_client, aid, "final.pdf", PDF + b"%final").status_code == 302
    draft, final = _evidence()
    removed = vendor_client.post(f"/portal/a/{aid}/evidence/{draft.id}/remove", data={})
    assert removed.status_code == 302
    draft, final = _evidence()
    assert draft.removed_at is not None and final.removed_at is None
    assert _stored_files(uploads) == [final.stored_name]
    page = vendor_client.get(f"/portal/a/{aid}/s/2").text
    assert "draft.pdf is removed." in page and "draft.pdf (" not in page and "final.pdf (" in page

    answer_everything(vendor_client, aid)
    assert submit(vendor_client, aid).status_code == 302
    refused = vendor_client.post(
        f"/portal/a/{aid}/evidence/{final.id}/remove", data={}, follow_redirects=True
    )
    assert "stays on record" in refused.text
    _, final = _evidence()
    assert final.removed_at is None and final.first_submitted_revision == 1
    assert _stored_files(uploads) == [final.stored_name]


def test_a_full_disk_gives_a_clear_message_and_loses_nothing(
    vendor_client, aid, uploads, monkeypatch, assignment
):
    assert save(vendor_client, aid, 2, {n("notes"): "Saved earlier"}).status_code == 302

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", disk_full)
    response = _upload(
        vendor_client,
        aid,
        "report.pdf",
        PDF,
        **{f("notify_hours").comment: "Typed while the disk was full"},
    )
    assert response.status_code == 400
    assert "could not be stored right now" in response.text
    assert "Typed while the disk was full" in response.text
    assert _evidence() == [] and _stored_files(uploads) == []
    db.session.expire_all()
    draft = db.session.get(Response, assignment.response.id).draft
    assert draft["notes"]["value"] == "Saved earlier"

    monkeypatch.undo()
    assert _upload(vendor_client, aid, "report.pdf", PDF).status_code == 302


def test_a_failing_write_is_handled_like_a_full_disk(vendor_client, aid, uploads, monkeypatch):
    real_fdopen = storage.os.fdopen

    class Full(io.RawIOBase):
        def __init__(self, fd, mode):
            self.inner = real_fdopen(fd, mode)

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def fileno(self):
            return self.inner.fileno()

        def close(self):
            self.inner.close()
            super().close()

    monkeypatch.setattr(storage.os, "fdopen", Full)
    response = _upload(vendor_client, aid, "report.pdf", PDF)
    assert response.status_code == 400 and "could not be stored right now" in response.text
    assert _evidence() == [] and _stored_files(uploads) == []


def test_an_upload_for_a_question_that_asks_no_evidence_is_refused(vendor_client, aid):
    response = save(
        vendor_client, aid, 0, {n("uses_connector"): "yes", "a-uses_connector-files": pdf_file()}
    )
    assert _evidence() == []
    assert response.status_code == 302  # no such field: the file is ignored
