"""Rendering report HTML to PDF with WeasyPrint, fetching nothing but our own packaged files.

SECURITY.md item 20: the URL fetcher answers only `data:` URLs and files under
`vendorrisk/static/` (no `..`, no links out of the folder, no redirects); everything else is
refused. Vendor text reaches the HTML only through Jinja's escaping, so it never becomes an
element, but the fetcher holds even if it did.

Report PDFs are records kept for years: rendered as PDF/A-3a (archival, and tagged for
accessibility: "a" is the accessible conformance level, with the logical structure screen
readers follow) with the machine-readable record embedded as associated JSON files. They also
carry the PDF/UA-1 identification: WeasyPrint's PDF/A-3a output is its PDF/UA-1 output
(structure tree, document language, title shown in the window) plus the PDF/A parts, but it
writes only one identification, so the PDF/UA one is added to the same XMP description.

Rendering is bounded in time and size: the HTML and the PDF have a size cap, and by default the
render runs in a child process (forked from a server that has WeasyPrint loaded) that is killed
when it runs past the time limit. Inside an RQ work horse, which is itself a process RQ kills
on its job timeout, the render can run in-process with elapsed-time checks instead.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STYLESHEET = "css/report.css"
# What our own templates may load from the static folder.
ALLOWED_TYPES = frozenset(
    {
        "text/css",
        "image/svg+xml",
        "image/png",
        "image/jpeg",
        "font/woff",
        "font/woff2",
        "font/ttf",
        "font/otf",
    }
)
MAX_STATIC_BYTES = 5 * 1024 * 1024
MAX_DATA_URL_BYTES = 5 * 1024 * 1024
TICK_SECONDS = 1.0
# PDF/A-3, conformance level A: archival, tagged, with associated files. WeasyPrint writes one
# identification (PDF/A or PDF/UA, not both); the tag tree is the one it writes for PDF/UA-1,
# whose identification `claim_pdf_ua` adds.
PDF_VARIANT = "pdf/a-3a"
PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
PDFA_NS = "http://www.aiim.org/pdfa/ns/id/"
# An attachment: (file name, bytes, description).
File = tuple[str, bytes, str]


class ReportError(RuntimeError):
    """A report that could not be rendered, with a message fit to show the person who asked."""


class RenderTimeout(ReportError):
    """The render ran past its time limit and was stopped."""


class ReportTooLarge(ReportError):
    """The HTML or the PDF is over its size limit."""


class FetchRefused(ValueError):
    """A URL the report renderer will not load."""


def __getattr__(name: str) -> Any:
    # WeasyPrint is imported by the first render (or the render server), never by importing this
    # module: the fetcher, a WeasyPrint class, lives in its own module.
    if name == "SafeFetcher":
        from vendorrisk.reports.fetcher import SafeFetcher

        return SafeFetcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Rendered:
    """A rendered PDF and what it cost."""

    pdf: bytes
    pages: int
    seconds: float
    peak_rss_kib: int  # of the process that rendered it
    refused: tuple[str, ...]


def base_url() -> str:
    """Return the base URL relative references in report HTML resolve against (static/)."""
    return STATIC_DIR.as_uri() + "/"


def _archival_options(files: tuple[File, ...], fetcher: Any) -> dict:
    """Return WeasyPrint's options for a PDF/A-3a file with these associated files."""
    from weasyprint import Attachment

    return {
        "pdf_variant": PDF_VARIANT,
        "attachments": [
            Attachment(
                file_obj=io.BytesIO(body),
                name=name,
                description=description,
                relationship="Data",
                url_fetcher=fetcher,
            )
            for name, body, description in files
        ],
    }


def claim_pdf_ua(metadata: Any) -> None:
    """Make `metadata` (a WeasyPrint DocumentMetadata) write `pdfuaid:part="1"` beside the
    PDF/A identification in the one XMP description that holds it."""
    import xml.etree.ElementTree as ET  # noqa: S405  # nosec B405: WeasyPrint's own output

    generate = metadata.generate_rdf_metadata

    def with_pdf_ua(variant: str, version: int, conformance: str | None) -> bytes:
        # Parsing the XMP WeasyPrint has just written, never outside input.
        rdf = ET.fromstring(generate(variant, version, conformance))  # noqa: S314  # nosec B314
        for description in rdf:
            if f"{{{PDFA_NS}}}part" in description.attrib:
                description.set(f"{{{PDFUA_NS}}}part", "1")
        return ET.tostring(rdf, encoding="utf-8")

    metadata.generate_rdf_metadata = with_pdf_ua


def render_inline(
    html: str,
    *,
    timeout: float,
    max_bytes: int,
    static_dir: str | Path = STATIC_DIR,
    archival: bool = False,
    attachments: tuple[File, ...] = (),
) -> Rendered:
    """Render in this process, checking the clock between stages (no hard stop).

    `archival` makes a tagged PDF/A-3a file with `attachments` embedded as associated files.
    """
    from weasyprint import HTML

    from vendorrisk.reports.fetcher import SafeFetcher

    start = time.monotonic()
    fetcher = SafeFetcher(static_dir)
    document = HTML(
        string=html, base_url=Path(static_dir).resolve().as_uri() + "/", url_fetcher=fetcher
    ).render()
    if time.monotonic() - start > timeout:
        raise RenderTimeout(f"the layout took longer than {timeout:.0f} s")
    options = {}
    if archival:
        options = _archival_options(attachments, fetcher)
        claim_pdf_ua(document.metadata)
    pdf = document.write_pdf(**options)
    elapsed = time.monotonic() - start
    if elapsed > timeout:
        raise RenderTimeout(f"the render took longer than {timeout:.0f} s")
    if len(pdf) > max_bytes:
        raise ReportTooLarge(f"the PDF is larger than {max_bytes // (1024 * 1024)} MiB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return Rendered(pdf, len(document.pages), elapsed, peak, tuple(fetcher.refused))


def _child(
    conn,
    html: str,
    timeout: float,
    max_bytes: int,
    static_dir: str,
    archival: bool = False,
    attachments: tuple[File, ...] = (),
) -> None:
    """Run one render in a forked child and send the outcome back through the pipe."""
    try:
        result = render_inline(
            html,
            timeout=timeout,
            max_bytes=max_bytes,
            static_dir=static_dir,
            archival=archival,
            attachments=attachments,
        )
    except ReportError as exc:
        conn.send(("refused", type(exc).__name__, str(exc)))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        conn.send(("error", type(exc).__name__, str(exc)[:500]))
    else:
        conn.send(("ok", result))
    finally:
        conn.close()


_context_lock = threading.Lock()
_context = None


def _forkserver():
    """Return the forkserver context; its server imports WeasyPrint once, children fork from it."""
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(
                [__name__, "vendorrisk.reports.fetcher", "vendorrisk.reports._warm"]
            )
            _context = ctx
        return _context


def render_isolated(
    html: str,
    *,
    timeout: float,
    max_bytes: int,
    tick: Callable[[], None] | None = None,
    archival: bool = False,
    attachments: tuple[File, ...] = (),
) -> Rendered:
    """Render in a child process that is killed if it runs past `timeout` seconds.

    `tick` is called about every TICK_SECONDS while the child works (to show progress).
    """
    ctx = _forkserver()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=_child,
        args=(sender, html, timeout, max_bytes, str(STATIC_DIR), archival, attachments),
        daemon=True,
        name="report-render",
    )
    process.start()
    sender.close()
    try:
        deadline = time.monotonic() + timeout + 5
        while not receiver.poll(min(TICK_SECONDS, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                raise RenderTimeout(f"the render took longer than {timeout:.0f} s and was stopped")
            if not process.is_alive() and not receiver.poll(0):
                raise ReportError("the renderer stopped without an answer")
            if tick is not None:
                tick()
        try:
            message = receiver.recv()
        except EOFError as exc:
            raise ReportError("the renderer stopped without an answer") from exc
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if message[0] == "ok":
        return message[1]
    if message[0] == "refused":
        kind = {"RenderTimeout": RenderTimeout, "ReportTooLarge": ReportTooLarge}.get(
            message[1], ReportError
        )
        raise kind(message[2])
    raise ReportError(f"the renderer failed: {message[1]}: {message[2]}")


def can_isolate() -> bool:
    """Tell whether a child process can start here (multiprocessing re-imports a script main)."""
    main = sys.modules.get("__main__")
    if main is None or getattr(getattr(main, "__spec__", None), "name", None):
        return True
    path = getattr(main, "__file__", None)
    return path is None or os.path.isfile(path)


def render(
    html: str,
    *,
    timeout: float,
    max_bytes: int,
    max_html_bytes: int,
    isolate: bool = True,
    tick: Callable[[], None] | None = None,
    archival: bool = False,
    attachments: tuple[File, ...] = (),
) -> Rendered:
    """Render report HTML to PDF within the time and size limits (PDF/A-3a if `archival`)."""
    if len(html.encode("utf-8")) > max_html_bytes:
        raise ReportTooLarge(
            f"the report is too large to render ({max_html_bytes // (1024 * 1024)} MiB of HTML)"
        )
    if isolate and can_isolate():
        return render_isolated(
            html,
            timeout=timeout,
            max_bytes=max_bytes,
            tick=tick,
            archival=archival,
            attachments=attachments,
        )
    return render_inline(
        html, timeout=timeout, max_bytes=max_bytes, archival=archival, attachments=attachments
    )
