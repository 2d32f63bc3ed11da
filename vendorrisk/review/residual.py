"""Residual risk: the inherent tier adjusted by assessments and open findings (one rule, here).

Tiers run from 1 (highest risk) to 4 (lowest). Starting from the inherent tier:

1. The latest accepted baseline assessment, if it is not stale (younger than the configured age,
   12 months by default), moves the tier: band A lowers the risk one tier, band B leaves it,
   band C raises it one tier, band D raises it two. A stale or missing baseline lowers nothing.
2. Incident assessments (the latest submitted one per campaign) can only raise: any with band
   C or D, or an answer that raised an impact signal, raises the risk one tier (once, however
   many). They never lower it.
3. Open findings (open or remediation planned, or risk acceptances that have expired): any
   critical one raises the risk one tier; three or more high ones raise it one tier.

The result is kept between tier 1 and tier 4, and every step that moved it is given as a reason.
"""

from dataclasses import dataclass, field
from datetime import date

from vendorrisk.vendors.risk import tier_label

BASELINE_SHIFT = {"A": +1, "B": 0, "C": -1, "D": -2}


@dataclass(frozen=True)
class Assessment:
    """What the rule needs to know about one assessment."""

    kind: str  # "baseline" or "incident"
    band: str | None
    reviewed_on: date | None
    accepted: bool
    impact: bool = False
    name: str = ""


@dataclass(frozen=True)
class Residual:
    """A residual tier and the reasons that made it."""

    tier: int
    inherent: int
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return tier_label(self.tier)

    @property
    def changed(self) -> bool:
        return self.tier != self.inherent


def residual_risk(
    inherent: int,
    assessments: list[Assessment],
    open_severities: list[str],
    today: date,
    stale_after_days: int = 365,
) -> Residual:
    """Compute the residual tier of a vendor from its inherent tier and its record."""
    tier = inherent
    reasons = [f"Inherent risk: {tier_label(inherent)}."]
    reviewed = [
        (a.reviewed_on, a)
        for a in assessments
        if a.kind == "baseline" and a.accepted and a.reviewed_on is not None
    ]
    if reviewed:
        reviewed_on, latest = max(reviewed, key=lambda pair: pair[0])
        age = (today - reviewed_on).days
        if age > stale_after_days:
            reasons.append(
                f"The last accepted baseline ({latest.name}, {latest.reviewed_on}) "
                f"is stale ({age} days old) and no longer lowers the risk."
            )
        else:
            shift = BASELINE_SHIFT.get(latest.band or "", 0)
            if shift:
                tier = tier + shift
                verb = "lowers" if shift > 0 else "raises"
                reasons.append(
                    f"Baseline {latest.name} rated {latest.band}: {verb} the risk "
                    f"{abs(shift)} tier{'s' if abs(shift) > 1 else ''}."
                )
            else:
                reasons.append(f"Baseline {latest.name} rated {latest.band}: no change.")
    else:
        reasons.append("No accepted baseline assessment yet.")
    bad = [a for a in assessments if a.kind == "incident" and (a.band in ("C", "D") or a.impact)]
    if bad:
        tier -= 1
        named = "; ".join(
            f"{a.name} ({'an impact signal' if a.impact else 'rated ' + str(a.band)})" for a in bad
        )
        reasons.append(f"Incident assessment {named} raises the risk one tier.")
    if "critical" in open_severities:
        tier -= 1
        reasons.append(
            f"{open_severities.count('critical')} open critical finding(s) raise the risk one tier."
        )
    if open_severities.count("high") >= 3:
        tier -= 1
        reasons.append(
            f"{open_severities.count('high')} open high findings raise the risk one tier."
        )
    tier = max(1, min(4, tier))
    return Residual(tier=tier, inherent=inherent, reasons=tuple(reasons))
