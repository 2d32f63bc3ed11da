"""An uploaded spreadsheet kept between choosing it and mapping its columns (at most a day)."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[0-9a-f]{32}\.(xlsx|csv)")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports" / "questionnaires"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(data: bytes, suffix: str) -> str:
    """Store the bytes under a random name; return the name (the form carries it)."""
    folder = _folder()
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = f"{secrets.token_hex(16)}.{suffix}"
    (folder / token).write_bytes(data)
    return token


def load(token: str | None) -> bytes | None:
    """Return a kept upload, or None when it is gone or the name is not one of ours."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    path = _folder() / token
    return path.read_bytes() if path.exists() else None


def discard(token: str | None) -> None:
    """Delete a kept upload."""
    if token and _TOKEN.fullmatch(token):
        (_folder() / token).unlink(missing_ok=True)
