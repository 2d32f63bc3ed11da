"""axe's colour-contrast rule on the shared styles: the band C badge and the dashboard's count
links in card headers, rendered with the app's own stylesheets."""

from __future__ import annotations

SAMPLE = """<!doctype html><html lang="en"><head><title>Contrast sample</title>
<link rel="stylesheet" href="/bootstrap/static/css/bootstrap.min.css">
<link rel="stylesheet" href="/static/css/app.css">
<link rel="stylesheet" href="/static/css/dashboard.css"></head>
<body><main class="container">
<h1>Contrast sample</h1>
<p>{badges}</p>
<div class="card"><div class="card-header dash-card-header d-flex justify-content-between">
  <h2 class="h6 mb-0">Open findings</h2>
  <span class="dash-count"><a href="/findings/" class="dash-num">9<span class="visually-hidden"> open findings</span></a></span>
</div><div class="card-body">Body</div></div>
<div class="card"><div class="card-header dash-card-header d-flex justify-content-between">
  <h2 class="h6 mb-0">Responded</h2>
  <span class="dash-count"><a href="/campaigns/" class="dash-num dash-zero">0<span class="visually-hidden"> responded</span></a></span>
</div><div class="card-body">Body</div></div>
</main></body></html>"""


def test_band_badges_and_dashboard_count_links_pass_axe_colour_contrast(page, accessible):
    page.goto("/login")
    badges = " ".join(
        f'<span class="badge band band-{b.lower()}">Band {b} · label</span>' for b in "ABCD"
    )
    page.set_content(SAMPLE.format(badges=badges))
    page.wait_for_function(
        "getComputedStyle(document.querySelector('.band-c')).backgroundColor !== 'rgba(0, 0, 0, 0)'"
    )
    assert page.locator(".band-c").evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb(138, 90, 18)"
    )
    violations = accessible("contrast-sample")
    assert not [v for v in violations if v["id"] == "color-contrast"]
