"""The report renderer's URL fetcher: `data:` URLs and our own packaged static files, nothing else.

It lives apart from `vendorrisk.reports.pdf` because it subclasses a WeasyPrint class: importing
it loads WeasyPrint, which only the render server and a render need (SECURITY.md item 20).
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from vendorrisk.reports.pdf import (
    ALLOWED_TYPES,
    MAX_DATA_URL_BYTES,
    MAX_STATIC_BYTES,
    STATIC_DIR,
    FetchRefused,
    log,
)


class SafeFetcher(URLFetcher):
    """Load `data:` URLs and our own static files; refuse everything else; never redirect."""

    def __init__(self, static_dir: Path | str = STATIC_DIR):
        super().__init__(
            timeout=1,
            allowed_protocols=("data", "file"),
            allow_redirects=False,
            fail_on_errors=False,
        )
        self.static_dir = Path(os.path.realpath(static_dir))
        self.refused: list[str] = []

    def fetch(self, url, headers=None):  # noqa: ARG002 - WeasyPrint's signature
        """Return the resource for an allowed URL; raise FetchRefused for any other."""
        try:
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            if scheme == "data":
                return self._data(url)
            if scheme == "file":
                return self._static(url)
            raise FetchRefused(f"scheme {scheme or '(none)'} is not allowed")
        except FetchRefused as exc:
            self.refused.append(url[:200])
            log.warning("report renderer refused %s: %s", url[:200], exc)
            raise

    def _data(self, url: str) -> URLFetcherResponse:
        header, sep, payload = url[5:].partition(",")
        if not sep:
            raise FetchRefused("malformed data URL")
        params = header.split(";")
        mime = params[0].strip().lower() or "text/plain"
        if len(payload) > MAX_DATA_URL_BYTES * 4 // 3 + 4:
            raise FetchRefused("data URL too large")
        try:
            if "base64" in (p.strip().lower() for p in params[1:]):
                body = base64.b64decode(unquote(payload), validate=False)
            else:
                body = unquote_to_bytes(payload)
        except (binascii.Error, ValueError) as exc:
            raise FetchRefused("undecodable data URL") from exc
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    def static_path(self, url: str) -> Path:
        """Return the file a file: URL names if it is one of our static files, else refuse."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.query:
            raise FetchRefused("only local files without a query")
        raw = parts.path
        decoded = unquote(raw)
        if ".." in raw.split("/") or ".." in decoded.replace("\\", "/").split("/"):
            raise FetchRefused("'..' in the path")
        path = Path(os.path.realpath(decoded))
        if not path.is_relative_to(self.static_dir):
            raise FetchRefused("outside the packaged static files")
        if not path.is_file():
            raise FetchRefused("no such static file")
        return path

    def _static(self, url: str) -> URLFetcherResponse:
        path = self.static_path(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if mime not in ALLOWED_TYPES:
            raise FetchRefused(f"type {mime} is not loaded into reports")
        if path.stat().st_size > MAX_STATIC_BYTES:
            raise FetchRefused("static file too large")
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime}
        )
