"""The charts a report shows, drawn by `vendorrisk.charts` and wrapped as SVG `data:` URLs.

The report renderer loads nothing but `data:` URLs and our static files, so each chart travels
inside the HTML. `vendorrisk.charts` already resolves pygal's CSS into attributes, which is
what WeasyPrint's SVG renderer needs (it does not apply pygal's stylesheet).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from vendorrisk import charts as shared

BAND_COLOURS = {"A": "#2e7d32", "B": "#1565c0", "C": "#e08a00", "D": "#c62828"}
NEUTRAL = "#8c959f"


def data_url(svg: str) -> str:
    """Wrap SVG text as a data: URL (the only kind of image the report renderer loads)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def score_colour(score: float | None) -> str:
    """Colour a 0-100 score like the default rating bands."""
    if score is None:
        return NEUTRAL
    if score >= 85:
        return BAND_COLOURS["A"]
    if score >= 70:
        return BAND_COLOURS["B"]
    if score >= 50:
        return BAND_COLOURS["C"]
    return BAND_COLOURS["D"]


def category_chart(
    categories: Sequence[tuple[str, float | None]], title: str = "Score per category"
) -> str:
    """Return a horizontal bar chart of category scores on a fixed 0-100 scale, as a data: URL."""
    import pygal
    from pygal.style import Style

    labels = [t if s is not None else f"{t} (not scored)" for t, s in categories]
    # The shared bar_chart scales its axis to the data; a score always reads against 100.
    chart = pygal.HorizontalBar(
        js=[],
        disable_xml_declaration=True,
        explicit_size=True,
        width=760,
        height=60 + 38 * max(1, len(labels)),
        show_legend=False,
        print_values=False,
        show_y_guides=True,
        show_x_guides=False,
        truncate_label=-1,
        margin=12,
        spacing=10,
        style=Style(
            background="#ffffff",
            plot_background="#ffffff",
            foreground=shared.TEXT,
            foreground_strong=shared.TEXT,
            foreground_subtle="#ced4da",
            opacity="1",
            opacity_hover="1",
            transition="0ms",
            colors=(shared.PALETTE[0],),
            label_font_size=13,
            major_label_font_size=13,
        ),
    )
    chart.x_labels = list(reversed(labels))
    chart.value_formatter = lambda v: "" if v is None else f"{v:.0f}"
    # The numbers are in the table beside the chart; bars alone print more cleanly.
    chart.add(
        title,
        [
            {"value": s, "color": score_colour(s)} if s is not None else None
            for _, s in reversed(categories)
        ],
    )
    description = "; ".join(
        f"{t}: {'not scored' if s is None else f'{s:.1f}'}" for t, s in categories
    )
    return data_url(shared.finish(chart, title, f"{title}. {description}.", (), max_value=100))


def band_chart(bands: Sequence[tuple[str, str, int]]) -> str:
    """Return a bar chart of how many vendors fall in each band: (band id, label, count)."""
    return data_url(
        shared.bar_chart(
            "Vendors per rating",
            [label for _, label, _ in bands],
            [count for _, _, count in bands],
            colors=[BAND_COLOURS.get(band, NEUTRAL) for band, _, _ in bands],
            width=760,
            height=300,
        )
    )
