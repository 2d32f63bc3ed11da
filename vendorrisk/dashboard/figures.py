"""The dashboard's charts: data from the dashboard queries drawn by vendorrisk.charts.

Drawing a chart costs tens of milliseconds, and the same numbers give the same SVG, so the
last few drawings are remembered by their numbers.
"""

from functools import lru_cache

from vendorrisk import charts
from vendorrisk.dashboard.queries import SCORE_BANDS, FindingCounts, ScoreDistribution, TierCounts
from vendorrisk.review.models import SEVERITIES
from vendorrisk.vendors.risk import TIER_NAMES, TIERS

BAND_COLORS = ("#a61b1b", "#b7791f", "#5b8c1a", "#1b6e3a")  # D, C, B, A as in app.css
TIER_LABELS = tuple(f"Tier {t} · {TIER_NAMES[t]}" for t in TIERS)


def residual_chart(tiers: TierCounts) -> str:
    """Vendors per tier, inherent beside residual."""
    return _residual(
        tuple(tiers.inherent[t] for t in TIERS), tuple(tiers.residual[t] for t in TIERS)
    )


def findings_chart(counts: FindingCounts) -> str:
    """Open findings per severity, and how many of them are past their date."""
    return _findings(
        tuple(counts.open[s] for s in SEVERITIES), tuple(counts.overdue[s] for s in SEVERITIES)
    )


def scores_chart(distribution: ScoreDistribution) -> str:
    """One bar per tier split by score range of the category's latest scores."""
    return _scores(
        distribution.title,
        tuple(tuple(distribution.counts[t][band] for t in TIERS) for band, *_ in SCORE_BANDS),
    )


@lru_cache(maxsize=32)
def _residual(inherent: tuple, residual: tuple) -> str:
    return charts.grouped_bar_chart(
        "Vendors by risk tier: inherent and residual",
        TIER_LABELS,
        [("Inherent", inherent), ("Residual", residual)],
        width=560,
        height=280,
    )


@lru_cache(maxsize=32)
def _findings(opened: tuple, overdue: tuple) -> str:
    return charts.grouped_bar_chart(
        "Open findings by severity",
        [s.capitalize() for s in SEVERITIES],
        [("Open", opened), ("Past their date", overdue)],
        colors=("#1f4e79", "#a61b1b"),
        width=560,
        height=280,
    )


@lru_cache(maxsize=32)
def _scores(title: str, per_band: tuple) -> str:
    return charts.stacked_bar_chart(
        f"{title}: latest scores by inherent tier",
        TIER_LABELS,
        [
            (f"{label} ({band})", values)
            for (band, label, _low, _high), values in zip(SCORE_BANDS, per_band, strict=True)
        ],
        colors=BAND_COLORS,
        width=560,
        height=260,
    )
