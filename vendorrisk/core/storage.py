"""Evidence files: checked by extension and magic bytes, scanned, written atomically.

Files get random names; the original name is kept only as data. Where they live (a local
folder, by default instance/uploads/, or an S3-compatible bucket) is `vendorrisk.core.blobs`'s
business: a file is checked in a local temporary file first and handed over only once accepted.
"""

import hashlib
import logging
import os
import secrets
import shlex
import subprocess  # nosec B404  # runs only the scan command from configuration
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Response, abort, current_app, send_file

from vendorrisk.core import blobs
from vendorrisk.extensions import db

CHUNK = 1024 * 1024
log = logging.getLogger(__name__)

# Extension -> (MIME type, predicate on the first bytes of the file).
_ZIP = b"PK\x03\x04"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(head) - 3
    return True


ALLOWED = {
    ".pdf": ("application/pdf", lambda h: h.startswith(b"%PDF-")),
    ".png": ("image/png", lambda h: h.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda h: h.startswith(b"\xff\xd8\xff")),
    ".txt": ("text/plain", _is_text),
    ".csv": ("text/csv", _is_text),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda h: h.startswith(_ZIP),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        lambda h: h.startswith(_ZIP),
    ),
}


class UploadRejected(ValueError):
    """A file that is not accepted, with a message for the person uploading it."""


class FileTooLarge(UploadRejected):
    """A file larger than the room it was given."""

    def __init__(self, max_bytes: int):
        super().__init__(f"The file is larger than {human_size(max_bytes)}.")
        self.max_bytes = max_bytes


def human_size(size: int) -> str:
    """Return a size for people: "20 MiB", "512 KiB", "300 bytes"."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


@dataclass(frozen=True)
class StoredFile:
    """Where a file was stored and what it was."""

    stored_name: str
    size: int
    sha256: str
    content_type: str


def upload_dir() -> Path:
    """Return the local folder evidence files are stored in (created if needed)."""
    return blobs.LocalStore().folder(blobs.UPLOADS)


def clean_filename(name: str) -> str:
    """Return a display-safe file name (no path, no control characters, at most 200 chars)."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    return name.strip(" .")[:200] or "file"


def _check_docx_xlsx(path: Path, ext: str) -> None:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise UploadRejected("The file is damaged or not a real Office document.") from exc
    if "[Content_Types].xml" not in names:
        raise UploadRejected("The file is not a real Office document.")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRejected("Files with macros are not accepted.")
    marker = "word/" if ext == ".docx" else "xl/"
    if not any(n.startswith(marker) for n in names):
        raise UploadRejected("The file's content does not match its extension.")


def _scan(path: Path) -> None:
    command = current_app.config.get("UPLOAD_SCAN_COMMAND")
    if not command:
        return
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603  # command from configuration, no shell
            [*shlex.split(command), str(path)], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UploadRejected("The file could not be checked for malware; try again later.") from exc
    if result.returncode != 0:
        raise UploadRejected("The file did not pass the malware check.")


# Accepted only where a question asks for a certificate (the caller passes them to `save`).
_CERT = ("application/pkix-cert", lambda h: h.startswith(b"\x30") or _is_text(h))
CERTIFICATE_TYPES = {
    ".pem": ("application/x-pem-file", _is_text),
    ".crt": _CERT,
    ".cer": _CERT,
    ".der": ("application/pkix-cert", lambda h: h.startswith(b"\x30")),
}


def save(
    stream: BinaryIO,
    filename: str,
    *,
    max_bytes: int,
    extra_types: dict[str, tuple[str, Callable[[bytes], bool]]] | None = None,
) -> StoredFile:
    """Check and store an uploaded file; return where it is. Raises UploadRejected.

    `extra_types` adds extensions (with their MIME type and content check) for this upload.
    """
    ext = Path(filename or "").suffix.lower()
    if extra_types and ext in extra_types:
        content_type, looks_right = extra_types[ext]
    elif ext not in ALLOWED:
        allowed = ", ".join(sorted(e.lstrip(".").upper() for e in ALLOWED if e != ".jpeg"))
        raise UploadRejected(f"This type of file is not accepted. Use one of: {allowed}.")
    else:
        content_type, looks_right = ALLOWED[ext]
    store = blobs.store()
    folder = store.staging_dir(blobs.UPLOADS)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            head = b""
            while chunk := stream.read(CHUNK):
                if not head:
                    head = chunk[:4096]
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(max_bytes)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise UploadRejected("The file is empty.")
        if not looks_right(head):
            raise UploadRejected("The file's content does not match its extension.")
        if ext in (".docx", ".xlsx"):
            _check_docx_xlsx(tmp, ext)
        _scan(tmp)
        stored_name = secrets.token_hex(20)
        store.put_file(blobs.UPLOADS, stored_name, tmp)
    except OSError as exc:  # disk full, store down: the person gets a message, not a 500
        tmp.unlink(missing_ok=True)
        raise UploadRejected(
            "The file could not be stored right now. Nothing you saved is lost; try again later."
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StoredFile(stored_name, size, digest.hexdigest(), content_type)


def _checked(stored_name: str) -> str:
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise FileNotFoundError(stored_name)
    return stored_name


def path_of(stored_name: str) -> Path:
    """Return the local path of a stored file (names are random hex; anything else is refused)."""
    return upload_dir() / _checked(stored_name)


def open_stored(stored_name: str) -> blobs.Blob:
    """Open a stored evidence file for streaming; FileNotFoundError if there is none."""
    return blobs.store().open(blobs.UPLOADS, _checked(stored_name))


def send_stored(
    stored_name: str, *, mimetype: str, download_name: str, record: Callable[[], None]
) -> Response:
    """Stream a stored file as a download (404 when it is gone, 503 when the store is down).

    `record` runs (the audit entry and its commit) once the file is known to be there.
    """
    try:
        blob = open_stored(stored_name)
    except FileNotFoundError:
        abort(404)
    except blobs.StorageError:
        abort(503)
    try:
        record()
    except BaseException:
        blob.close()
        raise
    response = send_file(
        blob.stream,
        mimetype=mimetype,
        as_attachment=True,
        download_name=download_name,
        max_age=0,
        etag=False,
    )
    response.content_length = blob.size
    return response


def remove(stored_name: str) -> None:
    """Delete a stored file that no record needs any more.

    Called after the change that freed it is committed: if the store cannot be reached the
    file stays behind, unreferenced, and the person's change stands.
    """
    try:
        blobs.store().delete(blobs.UPLOADS, _checked(stored_name))
    except blobs.StorageError:
        log.warning("could not delete stored file %s", stored_name, exc_info=True)


def commit_keeping(stored_names: Iterable[str]) -> None:
    """Commit the rows that refer to files this request stored. Should the commit fail, no
    row refers to the files: they are deleted (storage holds nothing unrecorded) and the
    error goes on to the caller."""
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        remove_unrecorded(stored_names)
        raise


def remove_unrecorded(stored_names: Iterable[str]) -> None:
    """Delete files whose rows were rolled back: no record refers to them."""
    for name in stored_names:
        remove(name)
