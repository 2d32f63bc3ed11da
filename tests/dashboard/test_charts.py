"""Charts are valid, self-contained SVG: no script, no CSS, readable without colour."""

import re
import xml.etree.ElementTree as ET

import pytest

from vendorrisk import charts

NS = "{http://www.w3.org/2000/svg}"
LABELS = ["Tier 1", "Tier 2", "Tier 3", "Tier 4"]


def _all_charts() -> dict[str, str]:
    return {
        "bar": charts.bar_chart(
            "Open findings",
            ["Critical", "High", "Medium", "Low"],
            [2, 7, 12, 0],
            colors=["#7f1d1d", "#b91c1c", "#b45309", "#475569"],
        ),
        "horizontal": charts.bar_chart("Vendors", LABELS, [3, 1, 4, 1], horizontal=True),
        "grouped": charts.grouped_bar_chart(
            "By tier", LABELS, [("Inherent", [3, 5, 8, 2]), ("Residual", [4, 6, 6, 2])]
        ),
        "stacked": charts.stacked_bar_chart(
            "Scores",
            LABELS,
            [
                ("0–49", [1, 2, 0, 1]),
                ("50–69", [2, 0, 1, 1]),
                ("70–84", [3, 1, 1, 0]),
                ("85–100", [1, 1, 2, 5]),
            ],
        ),
        "histogram": charts.histogram(
            "Scores", charts.histogram_bins([5, 15, 55, 90, 100], [0, 50, 70, 85, 100])
        ),
        "empty": charts.bar_chart("Nothing yet", ["A", "B"], [0, 0]),
    }


@pytest.fixture(scope="module")
def rendered():
    return _all_charts()


@pytest.mark.parametrize("name", ["bar", "horizontal", "grouped", "stacked", "histogram", "empty"])
def test_a_chart_is_valid_svg_with_no_script_no_css_and_no_handlers(rendered, name):
    text = rendered[name]
    root = ET.fromstring(text)  # well-formed, or this raises
    assert root.tag == f"{NS}svg"
    assert not text.startswith("<?xml")
    for element in root.iter():
        tag = element.tag.replace(NS, "")
        assert tag not in ("script", "style", "foreignObject", "a", "image"), tag
        for attribute in element.attrib:
            assert not attribute.lower().startswith("on"), (tag, attribute)
            assert attribute != "style", tag
            assert "href" not in attribute, (tag, attribute)
        for value in element.attrib.values():
            assert "javascript:" not in value.lower()
            if value.startswith("url("):
                assert value.startswith("url(#"), value  # only this chart's own patterns
    assert "<!--" not in text


@pytest.mark.parametrize("name", ["bar", "grouped", "stacked"])
def test_a_chart_has_a_size_a_viewbox_a_title_and_a_description(rendered, name):
    root = ET.fromstring(rendered[name])
    assert root.get("width") and root.get("height")
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    first, second = list(root)[:2]
    assert first.tag == f"{NS}title" and first.text
    assert second.tag == f"{NS}desc" and second.text
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{first.get('id')} {second.get('id')}"


def test_every_value_is_printed_as_text_on_the_chart(rendered):
    texts = [t.text for t in ET.fromstring(rendered["grouped"]).iter(f"{NS}text")]
    for value in ("3", "5", "8", "2", "4", "6"):
        assert value in texts
    stacked = [t.text for t in ET.fromstring(rendered["stacked"]).iter(f"{NS}text")]
    assert stacked.count("5") >= 1 and "85–100" in stacked


def test_the_description_gives_every_number_in_words(rendered):
    desc = ET.fromstring(rendered["grouped"]).find(f"{NS}desc").text
    assert desc.startswith("Tier 1: Inherent 3, Residual 4; Tier 2: Inherent 5, Residual 6")


def test_series_differ_by_pattern_not_only_by_colour(rendered):
    root = ET.fromstring(rendered["stacked"])
    patterns = root.findall(f".//{NS}pattern")
    assert len(patterns) == 4
    drawings = [len(list(p)) for p in patterns]
    assert drawings[0] == 1 and all(d == 2 for d in drawings[1:])  # solid, then three overlays
    overlays = {ET.tostring(list(p)[1]) for p in patterns[1:]}
    assert len(overlays) == 3  # stripes, dots, cross-hatch: all different
    fills = {
        e.get("fill") for e in root.iter(f"{NS}rect") if (e.get("fill") or "").startswith("url(")
    }
    assert len(fills) == 4  # each series (and its legend box) filled with its own pattern


def test_the_same_numbers_give_the_same_chart_and_other_numbers_another(rendered):
    again = charts.grouped_bar_chart(
        "By tier", LABELS, [("Inherent", [3, 5, 8, 2]), ("Residual", [4, 6, 6, 2])]
    )
    assert again == rendered["grouped"]
    other = charts.grouped_bar_chart(
        "By tier", LABELS, [("Inherent", [3, 5, 8, 2]), ("Residual", [4, 6, 6, 3])]
    )
    ids = re.findall(r'<svg[^>]* id="([^"]+)"', other + again)
    assert len(set(ids)) == 2  # two charts inline in one page never share pattern ids


def test_labels_are_escaped_not_interpreted():
    text = charts.bar_chart(
        '<script>alert("x")</script>', ["<b>&", "B"], [1, 2], description="A & B <i>"
    )
    root = ET.fromstring(text)
    assert root.find(f"{NS}title").text == '<script>alert("x")</script>'
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert not root.findall(f".//{NS}script")


def test_ticks_are_whole_numbers_that_cover_the_largest_value():
    assert charts._ticks(0) == [0, 1]
    assert charts._ticks(7) == [0, 2, 4, 6, 8]
    assert charts._ticks(12) == [0, 2, 4, 6, 8, 10, 12]
    assert charts._ticks(13) == [0, 5, 10, 15]
    assert charts._ticks(9_589)[-1] >= 9_589 and len(charts._ticks(9_589)) <= 8


def test_histogram_bins_count_each_value_once():
    assert charts.histogram_bins([0, 49.9, 50, 84.9, 85, 100], [0, 50, 85, 100]) == [
        (2, 0, 50),
        (2, 50, 85),
        (2, 85, 100),
    ]


def test_the_dashboard_serves_its_charts_as_svg_images_under_the_strict_csp(portfolio, signed_in):
    client = signed_in("compliance")
    for name in (
        "residual",
        "findings",
        "scores-certificate_rotation",
        "scores-incident_readiness",
    ):
        response = client.get(f"/dashboard/charts/{name}.svg?scope=all")
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        root = ET.fromstring(response.text)
        assert not [e for e in root.iter() if e.tag in (f"{NS}script", f"{NS}style")]
    assert client.get("/dashboard/charts/nope.svg").status_code == 404
