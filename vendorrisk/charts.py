"""Server-rendered SVG charts: plain functions that return SVG text.

The same functions serve the dashboard (as images from a route) and the PDF reports, so every
chart is self-contained and safe under the strict Content-Security-Policy (SECURITY.md 16):

- no script and no event-handler attributes (pygal's tooltips are dropped);
- no ``<style>`` element and no ``style=`` attribute: pygal's CSS is resolved here, once, into
  presentation attributes (``fill=``, ``font-size=``...), which a CSP does not govern;
- explicit ``width``/``height`` and a ``viewBox``, no XML declaration, a deterministic id;
- a ``<title>`` and ``<desc>`` as the first children and ``role="img"``;
- readable without colour: every value is printed on or beside its bar, each series of a
  multi-series chart has its own fill pattern (solid, hatched, dotted, ...) as well as its own
  colour and a legend entry.

Pages show a chart with ``<img src=... alt=...>`` and put the numbers beside it in a table for
screen readers; a PDF may embed the SVG text directly.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import cssselect2
import tinycss2

# pygal is imported by the functions that draw, so starting the app or a command does not load it.
if TYPE_CHECKING:
    from pygal.style import Style

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
# Dark enough for white hatching and black value labels beside the bars (WCAG 3:1 at least
# against white for the graphics), and distinguishable by people with common colour deficits.
PALETTE = ("#1f4e79", "#c8553d", "#e0a526", "#3b7d4f", "#6b4c9a", "#5f6b73")
TEXT = "#212529"
MUTED = "#5c636a"

# Presentation attributes a CSS declaration may become; everything else (transitions, cursor,
# user-select...) means nothing in a static image and is dropped.
PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "stroke",
        "stroke-opacity",
        "stroke-width",
        "stroke-dasharray",
        "stroke-linecap",
        "stroke-linejoin",
        "opacity",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "text-decoration",
        "visibility",
    }
)
SHAPES = frozenset({"rect", "path", "circle", "ellipse", "polygon", "polyline"})
_COLOR_CLASS = re.compile(r"^color-(\d+)$")
# Our look, applied after pygal's stylesheet (same specificity, later, so it wins).
THEME = """
#chart .axis .guide.line, #chart .axis .major.guide.line {stroke:#e1e5ea; stroke-dasharray:none}
#chart .axis .line, #chart .axis .major.line {stroke:#6c757d}
#chart .axis text, #chart .axis text.major {fill:#495057}
#chart .text-overlay text.value {fill:#212529; font-weight:600}
#chart .legends .legend text {fill:#212529}
"""

Number = int | float


def _style(colors: Sequence[str]) -> Style:
    from pygal.style import Style

    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground=TEXT,
        foreground_strong=TEXT,
        foreground_subtle="#ced4da",
        opacity="1",
        opacity_hover="1",
        transition="0ms",
        colors=tuple(colors),
        font_family=FONT,
        label_font_family=FONT,
        major_label_font_family=FONT,
        value_font_family=FONT,
        value_label_font_family=FONT,
        title_font_family=FONT,
        legend_font_family=FONT,
        label_font_size=13,
        major_label_font_size=13,
        value_font_size=13,
        value_label_font_size=13,
        title_font_size=15,
        legend_font_size=13,
        value_colors=(TEXT,) * len(colors),
    )


def _config(width: int, height: int, colors: Sequence[str], **extra) -> dict:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": True,
        "width": width,
        "height": height,
        "style": _style(colors),
        "print_values": True,
        "print_zeroes": False,
        "show_y_guides": True,
        "show_x_guides": False,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 4,
        "truncate_legend": -1,
        "truncate_label": -1,
        "margin": 12,
        "margin_bottom": 28,
        "spacing": 10,
        "tooltip_border_radius": 0,
        **extra,
    }


# --- the public API ---------------------------------------------------------------------------


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    description: str | None = None,
    colors: Sequence[str] | None = None,
    horizontal: bool = False,
    width: int = 560,
    height: int = 300,
    value_suffix: str = "",
    scale_max: Number | None = None,
) -> str:
    """Draw one series of bars, each value printed on its bar (one colour per bar if given).

    `scale_max` fixes the top of the axis (100 for scores), so charts side by side compare.
    """
    import pygal

    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_class(
        **_config(width, height, PALETTE, show_legend=False, print_values_position="top")
    )
    order = _order(len(labels), horizontal)
    chart.x_labels = [labels[i] for i in order]
    chart.value_formatter = _formatter(value_suffix)
    points = []
    for index in order:
        value = values[index]
        point: dict = {"value": value}
        if colors:
            point["color"] = colors[index % len(colors)]
        points.append(point)
    chart.add(title, points)
    peak = max(values, default=0)
    # A horizontal bar prints its value past its end: leave room for it.
    return finish(
        chart,
        title,
        description or _describe(labels, [(title, values)]),
        (),
        max_value=scale_max if scale_max is not None else (peak * 1.12 if horizontal else peak),
    )


def grouped_bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    description: str | None = None,
    colors: Sequence[str] | None = None,
    horizontal: bool = False,
    width: int = 560,
    height: int = 300,
) -> str:
    """Draw several series side by side per label; each series has its own pattern."""
    import pygal

    palette = tuple(colors or PALETTE)
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_class(**_config(width, height, palette, print_values_position="top"))
    order = _order(len(labels), horizontal)
    chart.x_labels = [labels[i] for i in order]
    chart.value_formatter = _formatter("")
    for name, values in series:
        chart.add(name, [values[i] for i in order])
    peak = max((v for _, values in series for v in values), default=0)
    return finish(chart, title, description or _describe(labels, series), palette, max_value=peak)


def stacked_bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    description: str | None = None,
    colors: Sequence[str] | None = None,
    horizontal: bool = True,
    width: int = 560,
    height: int = 300,
) -> str:
    """Draw one bar per label made of the series stacked; each segment shows its value."""
    import pygal

    palette = tuple(colors or PALETTE)
    chart_class = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
    chart = chart_class(**_config(width, height, palette, print_values_position="center"))
    order = _order(len(labels), horizontal)
    chart.x_labels = [labels[i] for i in order]
    chart.value_formatter = _formatter("")
    for name, values in series:
        chart.add(name, [values[i] or None for i in order])
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    return finish(
        chart,
        title,
        description or _describe(labels, series),
        palette,
        max_value=max(totals, default=0),
    )


def histogram(
    title: str,
    bins: Sequence[tuple[Number, Number, Number]],
    *,
    description: str | None = None,
    color: str = PALETTE[0],
    width: int = 560,
    height: int = 300,
    unit: str = "",
) -> str:
    """Draw counts over ranges given as (count, start, end), each count printed on its bar."""
    import pygal

    chart = pygal.Histogram(
        **_config(width, height, (color,), show_legend=False, print_values_position="top")
    )
    chart.add(
        title,
        [(count, start, end) for count, start, end in bins],
        formatter=lambda value: _num(value[0]) if value and value[0] else "",
    )
    text = "; ".join(
        f"{_num(start)} to {_num(end)}{unit}: {_num(count)}" for count, start, end in bins
    )
    peak = max((count for count, _, _ in bins), default=0)
    return finish(chart, title, description or f"{title}. {text}.", (), max_value=peak)


def histogram_bins(values: Sequence[Number], edges: Sequence[Number]) -> list[tuple]:
    """Count values into the ranges between consecutive edges (the last range includes its end)."""
    bins = []
    for index, (start, end) in enumerate(zip(edges, edges[1:], strict=False)):
        last = index == len(edges) - 2
        count = sum(1 for v in values if start <= v < end or (last and v == end))
        bins.append((count, start, end))
    return bins


# --- making pygal's output self-contained ------------------------------------------------------


def finish(
    chart, title: str, description: str, pattern_colors: Sequence[str], max_value: Number = 0
) -> str:
    """Render a configured pygal chart and make it safe: see the module docstring."""
    # Whole-number ticks: these charts count vendors and findings, never fractions of one.
    chart.y_labels = _ticks(max_value)
    chart.range = (0, chart.y_labels[-1])
    raw = chart.render(is_unicode=True)
    return sanitize(raw, title, description, pattern_colors)


def sanitize(raw: str, title: str, description: str, pattern_colors: Sequence[str] = ()) -> str:
    """Turn pygal's SVG into one with no script, no CSS and an accessible name."""
    # pygal's own output, never a document from outside: labels in it are already escaped,
    # and it declares no entities or DTD.
    root = ET.fromstring(raw)  # noqa: S314  # nosec B314
    _strip_namespaces(root)
    chart_css = "".join(style.text or "" for style in root.iter("style"))
    rules = _css_rules(chart_css + THEME.replace("#chart", f"#{root.get('id')}"))
    _apply_css(root, rules)
    _drop(root)
    _halo_values(root)
    for element in root.iter():
        if element is not root:
            element.attrib.pop("font-family", None)  # the root's applies everywhere
    for child in list(root):
        if child.tag in ("title", "desc"):
            root.remove(child)
    digest = hashlib.sha256(
        json.dumps([raw.split("</defs>", 1)[-1], title, description]).encode()
    ).hexdigest()[:12]
    chart_id = f"chart-{digest}"
    root.set("id", chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("font-family", FONT)
    for name in ("class",):
        root.attrib.pop(name, None)
    if pattern_colors:
        _add_patterns(root, chart_id, pattern_colors)
    title_el = ET.Element("title", {"id": f"{chart_id}-title"})
    title_el.text = title
    desc_el = ET.Element("desc", {"id": f"{chart_id}-desc"})
    desc_el.text = description
    root.insert(0, desc_el)
    root.insert(0, title_el)
    root.set("xmlns", SVG_NS)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _strip_namespaces(root: ET.Element) -> None:
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]
        for name in list(element.attrib):
            if name.startswith("{"):  # xlink:href and friends: no links inside an image
                del element.attrib[name]


@lru_cache(maxsize=64)
def _css_rules(css: str) -> tuple:
    """Parse a stylesheet into (compiled selectors, declarations) pairs we can apply."""
    rules = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        try:
            selectors = cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.SelectorError:
            continue  # :hover and the like: no meaning in a static image
        declarations = [
            (d.lower_name, tinycss2.serialize(d.value).strip())
            for d in tinycss2.parse_declaration_list(
                rule.content, skip_comments=True, skip_whitespace=True
            )
            if d.type == "declaration" and d.lower_name in PRESENTATION
        ]
        if declarations:
            rules.append((tuple(selectors), tuple(declarations)))
    return tuple(rules)


def _apply_css(root: ET.Element, rules: tuple) -> None:
    matcher = cssselect2.Matcher()
    for selectors, declarations in rules:
        for selector in selectors:
            if selector.pseudo_element is None:
                matcher.add_selector(selector, declarations)
    wrapper = cssselect2.ElementWrapper.from_xml_root(root)
    for item in wrapper.iter_subtree():
        element = item.etree_element
        resolved: dict[str, str] = {}
        for _specificity, _order, _pseudo, declarations in matcher.match(item):
            resolved.update(declarations)
        inline = element.attrib.pop("style", None)
        if inline:
            for d in tinycss2.parse_declaration_list(inline, skip_whitespace=True):
                if d.type == "declaration" and d.lower_name in PRESENTATION:
                    resolved[d.lower_name] = tinycss2.serialize(d.value).strip()
        for name, value in resolved.items():
            element.set(name, value.replace("!important", "").strip())


def _drop(root: ET.Element) -> None:
    """Remove styles, scripts, tooltips, pygal's per-bar <desc> data and event handlers."""
    for parent in list(root.iter()):
        for child in list(parent):
            classes = set((child.get("class") or "").split())
            if (
                not isinstance(child.tag, str)
                or child.tag in ("style", "script", "foreignObject")
                or (child.tag == "desc" and parent is not root)
                or (child.tag == "title" and parent is not root)
                or classes & {"tooltip-overlay", "tooltip", "overlay"}
            ):
                parent.remove(child)
    for element in root.iter():
        for name in list(element.attrib):
            if name.lower().startswith("on"):
                del element.attrib[name]
        element.attrib.pop("id", None) if element is not root else None
    defs = root.find("defs")
    if defs is not None and not len(defs):
        root.remove(defs)


def _halo_values(root: ET.Element) -> None:
    """Put a white outline under each printed value so it reads on any bar or pattern.

    Drawn as a copy underneath rather than with paint-order, which PDF renderers ignore.
    """
    for parent in list(root.iter()):
        for position, child in reversed(list(enumerate(list(parent)))):
            if child.tag == "text" and "value" in (child.get("class") or "").split():
                halo = ET.Element("text", {k: v for k, v in child.attrib.items()})
                halo.text = child.text
                halo.set("fill", "#ffffff")
                halo.set("stroke", "#ffffff")
                halo.set("stroke-width", "3")
                halo.set("stroke-linejoin", "round")
                halo.set("aria-hidden", "true")
                parent.insert(position, halo)


# Pattern drawings, overlaid in white on the series colour: solid, hatched, dotted, crossed...
_WHITE = "#ffffff"
_PATTERNS: tuple[tuple[tuple[str, dict[str, str]], ...], ...] = (
    (),
    (
        (
            "path",
            {"d": "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4", "stroke": _WHITE, "stroke-width": "1.6"},
        ),
    ),
    (("circle", {"cx": "4", "cy": "4", "r": "1.6", "fill": _WHITE}),),
    (("path", {"d": "M0,0 L8,8 M8,0 L0,8", "stroke": _WHITE, "stroke-width": "1.2"}),),
    (("path", {"d": "M0,2 H8 M0,6 H8", "stroke": _WHITE, "stroke-width": "1.4"}),),
    (("path", {"d": "M2,0 V8 M6,0 V8", "stroke": _WHITE, "stroke-width": "1.4"}),),
)


def _add_patterns(root: ET.Element, chart_id: str, colors: Sequence[str]) -> None:
    defs = root.find("defs")
    if defs is None:
        defs = ET.Element("defs")
        root.insert(0, defs)
    used: set[int] = set()
    for element in root.iter():
        for cls in (element.get("class") or "").split():
            match = _COLOR_CLASS.match(cls)
            if match:
                used.add(int(match.group(1)))
    for index in sorted(used):
        color = colors[index % len(colors)]
        drawing = _PATTERNS[index % len(_PATTERNS)]
        pattern = ET.SubElement(
            defs,
            "pattern",
            {
                "id": f"{chart_id}-p{index}",
                "patternUnits": "userSpaceOnUse",
                "width": "8",
                "height": "8",
            },
        )
        ET.SubElement(pattern, "rect", {"width": "8", "height": "8", "fill": color})
        for tag, attributes in drawing:
            ET.SubElement(pattern, tag, attributes)

    def paint(element: ET.Element, index: int | None) -> None:
        own = [
            int(m.group(1))
            for c in (element.get("class") or "").split()
            if (m := _COLOR_CLASS.match(c))
        ]
        if own:
            index = own[0]
        is_text_layer = "text-overlay" in (element.get("class") or "")
        for child in element:
            if is_text_layer:
                continue
            paint(child, index)
        if (
            index is not None
            and (element.tag in SHAPES)
            and element.get("fill") not in ("none", "transparent")
        ):
            element.set("fill", f"url(#{chart_id}-p{index})")
            element.set("stroke", "#ffffff")
            element.set("stroke-width", "0.5")

    for child in root:
        if "text-overlay" not in (child.get("class") or ""):
            paint(child, None)


def _order(count: int, horizontal: bool) -> list[int]:
    """Horizontal charts draw the first label at the bottom; list it at the top instead."""
    return list(reversed(range(count))) if horizontal else list(range(count))


def _ticks(max_value: Number) -> list[int]:
    """Return 0 and whole-number steps (1, 2, 5, 10, 20, 50...) just covering max_value."""
    top = max(1, math.ceil(max_value))
    step = 1
    for base in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        step = base
        if top / base <= 6:
            break
    else:
        step = 10 ** math.ceil(math.log10(top / 6))
    return list(range(0, step * math.ceil(top / step) + 1, step))


# --- text ---------------------------------------------------------------------------------------


def _num(value: Number) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


def _formatter(suffix: str):
    return lambda value: "" if value is None else f"{_num(value)}{suffix}"


def _describe(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]]) -> str:
    if len(series) == 1:
        name, values = series[0]
        parts = [f"{label}: {_num(v)}" for label, v in zip(labels, values, strict=False)]
        return f"{name}. " + "; ".join(parts) + "."
    parts = []
    for index, label in enumerate(labels):
        cells = ", ".join(f"{name} {_num(values[index])}" for name, values in series)
        parts.append(f"{label}: {cells}")
    return "; ".join(parts) + "."
