"""Imported by the render server only: lay out one small page, so each forked render starts with
fonts and WeasyPrint's own stylesheets already loaded (they cost a second on a cold start)."""

import logging

from vendorrisk.reports.pdf import render_inline

SAMPLE = """<!doctype html><html><head><link rel="stylesheet" href="css/report.css"></head>
<body><h1 class="chapter">Warm</h1><p><strong>Bold</strong> <em>italic</em> text
<span class="badge band-A">A</span></p><table class="grid"><thead><tr><th>A</th></tr></thead>
<tbody><tr><td class="hash">0123456789abcdef</td></tr></tbody></table></body></html>"""

try:
    render_inline(SAMPLE, timeout=60, max_bytes=10 * 1024 * 1024)
except Exception:  # noqa: BLE001 - a cold start is slower, never broken
    logging.getLogger(__name__).warning("warming the report renderer failed", exc_info=True)
