"""The disk fills up while a vendor uploads evidence (ENOSPC from write or fsync). The vendor
sees a clear message next to the upload field, what was saved before is intact, what was typed
is shown again, no file or partial file is left behind, no row is committed, and the upload
works again once there is room."""

from __future__ import annotations

import errno
import io
import re

import pytest

from tests.portal.helpers import PDF, all_evidence, f, n, open_portal, save, stored_files
from vendorrisk.campaigns.models import Response
from vendorrisk.core import storage
from vendorrisk.extensions import db

STORED = "The file could not be stored right now."


@pytest.fixture
def aid(vendor_client, recipient):
    return open_portal(vendor_client, recipient)


def _upload(client, aid, *files, **extra):
    """Post section 3 with files for the soc2_report evidence question."""
    data = {
        n("soc2_report"): [(io.BytesIO(content), name) for name, content in files],
        n("notes"): "Typed with the upload",
        **extra,
    }
    return save(client, aid, 2, data)


def _all_files(folder) -> list[str]:
    """Every file in the upload folder, temporary ones (".upload-…") included."""
    return stored_files(folder)


def _message_next_to_the_upload_field(html: str) -> bool:
    name = n("soc2_report")
    return bool(
        re.search(rf'id="{name}-error-\d+">{re.escape(STORED)}', html)
        and re.search(rf'aria-invalid="true" aria-describedby="{name}-error-1"', html)
    )


def _disk_full(*_args):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_is_explained_next_to_the_upload_field_and_loses_nothing(
    vendor_client, aid, uploads, monkeypatch, assignment
):
    assert save(vendor_client, aid, 2, {n("notes"): "Saved earlier"}).status_code == 302

    real_fsync = storage.os.fsync
    monkeypatch.setattr(storage.os, "fsync", _disk_full)
    response = _upload(
        vendor_client,
        aid,
        ("report.pdf", PDF),
        **{f("notify_hours").comment: "Typed while the disk was full"},
    )

    assert response.status_code == 400
    assert _message_next_to_the_upload_field(response.text), response.text
    assert "Typed while the disk was full" in response.text  # shown again, to save again
    assert all_evidence() == [] and _all_files(uploads) == []
    db.session.expire_all()
    draft = db.session.get(Response, assignment.response.id).draft
    assert draft["notes"]["value"] == "Saved earlier"
    assert vendor_client.get(f"/portal/a/{aid}/s/2").status_code == 200  # still serving

    monkeypatch.setattr(storage.os, "fsync", real_fsync)  # room again
    assert _upload(vendor_client, aid, ("report.pdf", PDF)).status_code == 302
    (evidence,) = all_evidence()
    assert _all_files(uploads) == [evidence.stored_name]


def test_a_disk_that_fills_halfway_through_a_file_leaves_no_partial_file(
    vendor_client, aid, uploads, monkeypatch
):
    real_fdopen = storage.os.fdopen
    written = []

    class FillsUp(io.RawIOBase):
        """A file that takes the first chunk, then runs out of space."""

        def __init__(self, fd, mode):
            self.inner = real_fdopen(fd, mode)

        def write(self, data):
            if written:
                _disk_full()
            written.append(len(data))
            return self.inner.write(data)

        def flush(self):
            self.inner.flush()

        def fileno(self):
            return self.inner.fileno()

        def close(self):
            super().close()
            self.inner.close()

    monkeypatch.setattr(storage.os, "fdopen", FillsUp)
    monkeypatch.setattr(storage, "CHUNK", 64 * 1024)  # a few chunks, a small request body
    big = PDF + b"%" + b"0" * (storage.CHUNK * 2)
    response = _upload(vendor_client, aid, ("big.pdf", big))

    assert written == [storage.CHUNK]  # a partial file really was on disk
    assert response.status_code == 400 and _message_next_to_the_upload_field(response.text)
    assert all_evidence() == [] and _all_files(uploads) == []


def test_when_the_second_of_two_files_finds_the_disk_full_neither_is_kept(
    vendor_client, aid, uploads, monkeypatch
):
    real_fsync = storage.os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) > 2:  # the first file and its folder went through
            _disk_full()
        return real_fsync(fd)

    monkeypatch.setattr(storage.os, "fsync", fsync)
    response = _upload(vendor_client, aid, ("first.pdf", PDF), ("second.pdf", PDF + b"%2"))

    assert response.status_code == 400 and _message_next_to_the_upload_field(response.text)
    assert all_evidence() == []
    assert _all_files(uploads) == []  # the first file went with the save it belonged to
