"""The inherent risk tier of a vendor: one rule, in one function, documented in docs/risk.md.

Each of the two inputs scores points; their sum decides the tier:

    criticality of the service:  low 0, moderate 1, high 2, critical 3
    data access:                 none 0, internal 1, confidential 2, regulated or personal 3

    total 5-6: tier 1 (critical); 3-4: tier 2 (high); 1-2: tier 3 (moderate); 0: tier 4 (low)

So a critical service, or access to regulated or personal data, is never below tier 2, and
only a low-criticality service with no data access is tier 4.
"""

from dataclasses import dataclass
from typing import Final

CRITICALITY_POINTS: Final = {"low": 0, "moderate": 1, "high": 2, "critical": 3}
CRITICALITY_LABELS: Final = {
    "critical": "Critical",
    "high": "High",
    "moderate": "Moderate",
    "low": "Low",
}
DATA_ACCESS_POINTS: Final = {"none": 0, "internal": 1, "confidential": 2, "regulated": 3}
DATA_ACCESS_LABELS: Final = {
    "none": "None",
    "internal": "Internal",
    "confidential": "Confidential",
    "regulated": "Regulated or personal data",
}
# (lowest total for the tier, tier number), checked from the top.
TIER_THRESHOLDS: Final = ((5, 1), (3, 2), (1, 3), (0, 4))
TIER_NAMES: Final = {1: "Critical", 2: "High", 3: "Moderate", 4: "Low"}
TIERS: Final = (1, 2, 3, 4)


@dataclass(frozen=True)
class Tier:
    """An inherent risk tier (1 is the highest) and why it was given."""

    number: int
    name: str
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        """Return the label shown in lists, e.g. "Tier 1 · Critical"."""
        return tier_label(self.number)

    def __str__(self) -> str:
        return self.label


def tier_label(number: int | None) -> str:
    """Return the display label of a tier number."""
    if number not in TIER_NAMES:
        return "Unrated"
    return f"Tier {number} · {TIER_NAMES[number]}"


def inherent_tier(criticality: str, data_access: str) -> Tier:
    """Derive the inherent risk tier from service criticality and data access."""
    if criticality not in CRITICALITY_POINTS:
        raise ValueError(f"unknown criticality {criticality!r}")
    if data_access not in DATA_ACCESS_POINTS:
        raise ValueError(f"unknown data access {data_access!r}")
    c_points = CRITICALITY_POINTS[criticality]
    d_points = DATA_ACCESS_POINTS[data_access]
    total = c_points + d_points
    number = next(tier for lowest, tier in TIER_THRESHOLDS if total >= lowest)
    band = {1: "5 to 6", 2: "3 to 4", 3: "1 to 2", 4: "0"}[number]
    reasons = (
        f"Criticality of the service: {CRITICALITY_LABELS[criticality].lower()} "
        f"({c_points} of 3 points).",
        f"Data access: {DATA_ACCESS_LABELS[data_access].lower()} ({d_points} of 3 points).",
        f"Total {total} points; {band} points is tier {number} ({TIER_NAMES[number].lower()}).",
    )
    return Tier(number=number, name=TIER_NAMES[number], reasons=reasons)
