"""Evidence uploads: checked by extension and content, macros refused, size and quota limits, an
optional malware scan, removal before submission only, and a full disk loses nothing."""

from __future__ import annotations

import errno
import io
import re

from tests.portal.helpers import (
    DOCX,
    PDF,
    all_evidence,
    answer_everything,
    f,
    n,
    office_file,
    pdf_file,
    save,
    section_url,
    stored_files,
    submit,
    upload_evidence,
)
from vendorrisk.campaigns.models import Response
from vendorrisk.core import storage
from vendorrisk.extensions import db


def test_real_office_text_and_image_files_are_accepted(vendor_client, aid):
    for name, content in [
        ("policy.docx", office_file(DOCX)),
        ("log.csv", b"when,what\n1,2\n"),
        ("notes.txt", "Rotated on 15 January — done\n".encode()),
        ("shot.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
    ]:
        assert upload_evidence(vendor_client, aid, name, content).status_code == 302, name
    assert [e.filename for e in all_evidence()] == [
        "policy.docx",
        "log.csv",
        "notes.txt",
        "shot.png",
    ]


def test_a_scan_command_that_cannot_run_refuses_the_file(app, vendor_client, aid, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_SCAN_COMMAND", "/nonexistent/clamdscan --fdpass")
    refused = upload_evidence(vendor_client, aid, "report.pdf", PDF)
    assert refused.status_code == 400 and "could not be checked for malware" in refused.text
    assert all_evidence() == []


def test_a_file_can_be_removed_before_submission_but_not_after(vendor_client, aid, uploads):
    assert upload_evidence(vendor_client, aid, "draft.pdf", PDF).status_code == 302
    assert upload_evidence(vendor_client, aid, "final.pdf", PDF + b"%final").status_code == 302
    draft, final = all_evidence()
    removed = vendor_client.post(f"/portal/a/{aid}/evidence/{draft.id}/remove", data={})
    assert removed.status_code == 302
    draft, final = all_evidence()
    assert draft.removed_at is not None and final.removed_at is None
    assert stored_files(uploads) == [final.stored_name]
    page = vendor_client.get(f"/portal/a/{aid}/s/2").text
    assert "draft.pdf is removed." in page and "draft.pdf (" not in page and "final.pdf (" in page

    answer_everything(vendor_client, aid)
    assert submit(vendor_client, aid).status_code == 302
    refused = vendor_client.post(
        f"/portal/a/{aid}/evidence/{final.id}/remove", data={}, follow_redirects=True
    )
    assert "stays on record" in refused.text
    _, final = all_evidence()
    assert final.removed_at is None and final.first_submitted_revision == 1
    assert stored_files(uploads) == [final.stored_name]


def test_a_full_disk_gives_a_clear_message_and_loses_nothing(
    vendor_client, aid, uploads, monkeypatch, assignment
):
    assert save(vendor_client, aid, 2, {n("notes"): "Saved earlier"}).status_code == 302

    def disk_full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", disk_full)
    response = upload_evidence(
        vendor_client,
        aid,
        "report.pdf",
        PDF,
        **{f("notify_hours").comment: "Typed while the disk was full"},
    )
    assert response.status_code == 400
    assert "could not be stored right now" in response.text
    assert "Typed while the disk was full" in response.text
    assert all_evidence() == [] and stored_files(uploads) == []
    db.session.expire_all()
    draft = db.session.get(Response, assignment.response.id).draft
    assert draft["notes"]["value"] == "Saved earlier"

    monkeypatch.undo()
    assert upload_evidence(vendor_client, aid, "report.pdf", PDF).status_code == 302


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
    response = upload_evidence(vendor_client, aid, "report.pdf", PDF)
    assert response.status_code == 400 and "could not be stored right now" in response.text
    assert all_evidence() == [] and stored_files(uploads) == []


def test_an_upload_for_a_question_that_asks_no_evidence_is_refused(vendor_client, aid):
    response = save(
        vendor_client, aid, 0, {n("uses_connector"): "yes", "a-uses_connector-files": pdf_file()}
    )
    assert all_evidence() == []
    assert response.status_code == 302  # no such field: the file is ignored


def test_an_attached_file_is_listed_in_its_question_with_a_remove_button_that_works(
    vendor_client, aid
):
    """The list sits inside the question the file answers (not at the foot of the page); the
    button submits a form of its own, since forms cannot nest."""
    upload_evidence(vendor_client, aid, "soc2.pdf", PDF)
    (evidence,) = all_evidence()
    page = vendor_client.get(section_url(aid, 2)).text
    question = page.split('data-question="soc2_report"', 1)[1].split('<div class="vr-question', 1)[
        0
    ]
    assert "Attached:" in question and "soc2.pdf (" in question
    button = re.search(r'<button[^>]*form="(remove-evidence-\d+)"[^>]*>Remove', question)
    assert button, question
    form = re.search(rf'<form id="{button.group(1)}" method="post" action="([^"]+)">', page)
    assert form and page.index(form.group(0)) > page.index("</form>")  # outside the main form
    removed = vendor_client.post(form.group(1), data={}, follow_redirects=True)
    assert "soc2.pdf is removed." in removed.text and "Attached:" not in removed.text
    db.session.expire_all()
    assert evidence.removed_at is not None
