"""The dashboard's charts: data from the dashboard queries drawn by vendorrisk.charts."""

from vendorrisk import charts
from vendorrisk.dashboard.queries import SCORE_BANDS, FindingCounts, ScoreDistribution, TierCounts
from vendorrisk.review.models import SEVERITIES
from vendorrisk.vendors.risk import TIER_NAMES, TIERS

BAND_COLORS = ("#a61b1b", "#b7791f", "#5b8c1a", "#1b6e3a")  # D, C, B, A as in app.css
TIER_LABELS = [f"Tier {t} · {TIER_NAMES[t]}" for t in TIERS]


def residual_chart(tiers: TierCounts) -> str:
    """Vendors per tier, inherent beside residual."""
    return charts.grouped_bar_chart(
        "Vendors by risk tier: inherent and residual",
        TIER_LABELS,
        [("Inherent", [tiers.inherent[t] for t in TIERS]),
         ("Residual", [tiers.residual[t] for t in TIERS])],
        width=560, height=280,
    )


def findings_chart(counts: FindingCounts) -> str:
    """Open findings per severity, and how many of them are past their date."""
    return charts.grouped_bar_chart(
        "Open findings by severity",
        [s.capitalize() for s in SEVERITIES],
        [("Open", [counts.open[s] for s in SEVERITIES]),
         ("Past their date", [counts.overdue[s] for s in SEVERITIES])],
        colors=("#1f4e79", "#a61b1b"),
        width=560, height=280,
    )


def scores_chart(distribution: ScoreDistribution) -> str:
    """One bar per tier split by score range of the category's latest scores."""
    return charts.stacked_bar_chart(
        f"{distribution.title}: latest scores by inherent tier",
        TIER_LABELS,
        [(f"{label} ({band})", [distribution.counts[t][band] for t in TIERS])
         for band, label, _low, _high in SCORE_BANDS],
        colors=BAND_COLORS,
        width=560, height=260,
    )
