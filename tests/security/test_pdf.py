"""SECURITY.md item 20: PDF reports.

The renderer fetches nothing from the network or the file system, and a render has a time and a
size bound.
"""

import io
from pathlib import Path

import pytest
import weasyprint
from pypdf import PdfReader
from weasyprint.urls import URLFetcher

import vendorrisk
from tests.reports.conftest import make_assessment
from tests.reports.helpers import build, download, joined, squash
from vendorrisk.reports import pdf

STATIC = Path(pdf.STATIC_DIR)


def _payload(port: int) -> str:
    return (
        '<img src="file:///etc/passwd"> '
        '<link rel="attachment" href="file:///etc/hostname"> '
        f'<img src="http://127.0.0.1:{port}/pixel.png"> '
        f"<style>@import url(http://127.0.0.1:{port}/style.css);</style>"
    )


def test_item_20_vendor_text_fetches_nothing_and_shows_as_text(client, auth, vendor, http_recorder):
    """Item 20: "a `file://` or `http://` reference in vendor text fetches nothing and embeds
    nothing."

    References in a vendor's answers load nothing and are printed as the text they are."""
    port = http_recorder.server_address[1]
    make_assessment(
        vendor, notes=_payload(port), comment=f'<img src="http://127.0.0.1:{port}/comment.png">'
    )
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
    # The only files inside are the machine-readable record's; the `rel="attachment"` link
    # attached nothing.
    from vendorrisk.reports.record import FILES, MANIFEST

    assert set(PdfReader(io.BytesIO(data)).attachments) == set(FILES) | {MANIFEST}


def test_item_20_even_unescaped_markup_fetches_nothing(http_recorder):
    """Item 20: "`URLFetcher` allowing only `data:` URLs and the app's own packaged static files."

    If a reference ever reached the HTML as markup, the fetcher still refuses it."""
    port = http_recorder.server_address[1]
    html = (
        f"<html><body><p>Report</p>{_payload(port)}<img src='../../../../etc/passwd'>"
        f"<iframe src='http://127.0.0.1:{port}/frame'></iframe></body></html>"
    )
    result = pdf.render(html, timeout=60, max_bytes=10**7, max_html_bytes=10**7)
    assert http_recorder.hits == []
    assert b"root:x:0:0" not in result.pdf
    assert PdfReader(io.BytesIO(result.pdf)).attachments == {}
    assert "file:///etc/passwd" in result.refused
    assert "file:///etc/hostname" in result.refused
    assert any(url.startswith(f"http://127.0.0.1:{port}/") for url in result.refused)


@pytest.mark.parametrize(
    "url",
    [
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
    ],
)
def test_item_20_the_fetcher_refuses_anything_but_data_and_our_static_files(url):
    """Item 20: only `data:` URLs and our packaged static files, "no redirects"."""
    with pytest.raises(pdf.FetchRefused):
        pdf.SafeFetcher().fetch(url)


def test_item_20_weasyprint_is_at_least_70_and_the_fetcher_follows_no_redirect():
    """Item 20: "WeasyPrint >= 70 with `URLFetcher` allowing only `data:` URLs and the app's
    own packaged static files, no redirects." """
    assert int(weasyprint.__version__.split(".")[0]) >= 70
    fetcher = pdf.SafeFetcher()
    assert isinstance(fetcher, URLFetcher)
    assert STATIC.is_relative_to(Path(vendorrisk.__file__).parent)
    css = fetcher.fetch((STATIC / "css" / "report.css").as_uri())
    assert css.content_type == "text/css"


def test_item_20_a_render_past_its_time_limit_is_stopped():
    """Item 20: "Rendering has a time ... bound."

    The child process is killed; the caller gets an error quickly, not a hung worker."""
    rows = "".join(f"<tr><td>Row {i}</td><td>{'word ' * 40}</td></tr>" for i in range(20000))
    with pytest.raises(pdf.RenderTimeout):
        pdf.render(f"<table>{rows}</table>", timeout=1, max_bytes=10**8, max_html_bytes=10**8)


def test_item_20_size_limits_refuse_large_html_and_large_pdfs():
    """Item 20: "Rendering has a ... size bound." """
    with pytest.raises(pdf.ReportTooLarge):
        pdf.render("<p>" + "x" * 2000 + "</p>", timeout=60, max_bytes=10**7, max_html_bytes=1000)
    with pytest.raises(pdf.ReportTooLarge):
        pdf.render("<p>Hello</p>", timeout=60, max_bytes=100, max_html_bytes=10**6)
