"""SECURITY.md 20: the renderer fetches nothing from the network or the file system, and a
render has a time and a size bound."""

import io
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.reports.conftest import make_assessment
from tests.reports.helpers import build, download, joined, squash
from vendorrisk.reports import pdf

STATIC = Path(pdf.STATIC_DIR)


def _payload(port: int) -> str:
    return (
        '<img src="file:///etc/passwd"> '
        '<link rel="attachment" href="file:///etc/hostname"> '
        f'<img src="http://127.0.0.1:{port}/pixel.png"> '
        f'<style>@import url(http://127.0.0.1:{port}/style.css);</style>'
    )


def test_vendor_text_fetches_nothing_and_shows_as_text(client, auth, vendor, http_recorder):
    """References in a vendor's answers load nothing and are printed as the text they are."""
    port = http_recorder.server_address[1]
    make_assessment(vendor, notes=_payload(port),
                    comment=f'<img src="http://127.0.0.1:{port}/comment.png">')
    auth.login("compliance")
    _, job_id = build(client, f"/reports/vendors/{vendor.id}/pdf")
    data = download(client, job_id)
    assert http_recorder.hits == []
    text = joined(data)
    flat = squash(text)
    assert squash('<img src="file:///etc/passwd">') in flat
    assert squash('<link rel="attachment" href="file:///etc/hostname">') in flat
    assert squash(f'<img src="http://127.0.0.1:{port}/pixel.png">') in flat
    assert "root:x:0:0" not in text and b"root:x:0:0" not in data
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    if len(hostname) > 6:
        assert hostname.encode() not in data
    assert PdfReader(io.BytesIO(data)).attachments == {}


def test_even_unescaped_markup_fetches_nothing(http_recorder):
    """If a reference ever reached the HTML as markup, the fetcher still refuses it."""
    port = http_recorder.server_address[1]
    html = f"<html><body><p>Report</p>{_payload(port)}<img src='../../../../etc/passwd'>" \
           f"<iframe src='http://127.0.0.1:{port}/frame'></iframe></body></html>"
    result = pdf.render(html, timeout=60, max_bytes=10**7, max_html_bytes=10**7)
    assert http_recorder.hits == []
    assert b"root:x:0:0" not in result.pdf
    assert PdfReader(io.BytesIO(result.pdf)).attachments == {}
    assert "file:///etc/passwd" in result.refused
    assert "file:///etc/hostname" in result.refused
    assert any(url.startswith(f"http://127.0.0.1:{port}/") for url in result.refused)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file://localhost/etc/hostname",
    "http://127.0.0.1:9/x.png",
    "https://example.com/x.css",
    "ftp://example.com/x",
    STATIC.as_uri() + "/../../../etc/passwd",
    STATIC.as_uri() + "/%2e%2e/%2e%2e/pyproject.toml",
    STATIC.as_uri() + "/css/report.css?x=1",
    STATIC.as_uri() + "/js/portal.js",
    "file://other-host" + str(STATIC / "css" / "report.css"),
    "javascript:alert(1)",
])
def test_the_fetcher_refuses_anything_but_data_and_our_static_files(url):
    with pytest.raises(pdf.FetchRefused):
        pdf.SafeFetcher().fetch(url)


def test_the_fetcher_serves_data_urls_and_the_print_stylesheet():
    fetcher = pdf.SafeFetcher()
    css = fetcher.fetch((STATIC / "css" / "report.css").as_uri())
    assert css.content_type == "text/css" and b"@page" in css.read()
    image = fetcher.fetch("data:image/svg+xml;base64,PHN2Zy8+")
    assert image.read() == b"<svg/>"


def test_a_render_past_its_time_limit_is_stopped():
    """The child process is killed; the caller gets an error quickly, not a hung worker."""
    rows = "".join(f"<tr><td>Row {i}</td><td>{'word ' * 40}</td></tr>" for i in range(20000))
    started = time.monotonic()
    with pytest.raises(pdf.RenderTimeout):
        pdf.render(f"<table>{rows}</table>", timeout=1, max_bytes=10**8, max_html_bytes=10**8)
    assert time.monotonic() - started < 30


def test_size_limits_refuse_large_html_and_large_pdfs():
    with pytest.raises(pdf.ReportTooLarge):
        pdf.render("<p>" + "x" * 2000 + "</p>", timeout=60, max_bytes=10**7, max_html_bytes=1000)
    with pytest.raises(pdf.ReportTooLarge):
        pdf.render("<p>Hello</p>", timeout=60, max_bytes=100, max_html_bytes=10**6)


def test_a_failed_render_marks_the_job_failed(client, auth, assessment, monkeypatch):
    """A report that cannot be built is a failed job with a reason, audited; nothing crashes."""
    from sqlalchemy import select

    from vendorrisk.audit.models import AuditEntry
    from vendorrisk.extensions import db
    from vendorrisk.reports.models import FAILED, ReportJob

    def too_slow(*args, **kwargs):
        raise pdf.RenderTimeout("the render took longer than 1 s and was stopped")

    monkeypatch.setattr(pdf, "render", too_slow)
    auth.login("compliance")
    page, job_id = build(client, f"/reports/vendors/{assessment.vendor_id}/pdf")
    assert "could not be built" in page.text and "longer than 1 s" in page.text
    job = db.session.get(ReportJob, job_id)
    assert job.state == FAILED and job.finished_at is not None
    assert client.get(f"/reports/jobs/{job_id}/download").status_code == 302
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.failed"))
