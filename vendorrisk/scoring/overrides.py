"""Reviewer overrides of a question's points, applied on top of a stored result.

The engine's own result is never changed: an override gives a second, adjusted result whose
trace says which points a reviewer changed, so the original and the override are both shown.
The adjusted result is aggregated exactly as the engine aggregates (same category sums, same
weighted mean, same banding), so an override that restates a question's own percentage gives
back the engine's result unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from fractions import Fraction

from vendorrisk.questionnaires.schema import Template

from .plan import plan_for
from .result import CategoryScore, ScoreResult, round_display
from .rules import FAIL_BELOW


def apply_overrides(
    result: ScoreResult, template: Template, overrides: Mapping[str, int | Fraction]
) -> ScoreResult:
    """Return the result with the given questions' percentages replaced by a reviewer's.

    Only questions that earned or could earn points in this result can be overridden; an
    override of a hidden, N/A or unscored question is ignored (it has no points to change).
    """
    applied = {
        e.question_id: Fraction(overrides[e.question_id])
        for e in result.trace
        if e.question_id in overrides and e.possible
    }
    if not applied:
        return result
    trace = []
    for entry in result.trace:
        pct = applied.get(entry.question_id)
        if pct is None:
            trace.append(entry)
            continue
        trace.append(
            dataclasses.replace(
                entry,
                earned=entry.possible * pct / 100,
                percent=pct,
                reason=f"{entry.reason} → reviewer override: {round_display(pct)} %",
            )
        )
    categories = []
    numerator = Fraction(0)
    weights = Fraction(0)
    for cat in result.categories:
        possible = sum((e.possible for e in trace if e.category == cat.id), Fraction(0))
        earned = sum((e.earned for e in trace if e.category == cat.id), Fraction(0))
        score = 100 * earned / possible if possible else None
        categories.append(CategoryScore(cat.id, cat.title, cat.weight, possible, earned, score))
        if score is not None:
            numerator += cat.weight * score
            weights += cat.weight
    overall = numerator / weights if weights else None
    capped = set(result.capped_by)
    for qid, pct in applied.items():
        if template.question(qid).critical:
            if pct < FAIL_BELOW:
                capped.add(qid)
            else:
                capped.discard(qid)
    plan = plan_for(template)
    band, band_label, uncapped = plan.band(None if result.not_exposed else overall, bool(capped))
    return dataclasses.replace(
        result,
        trace=tuple(trace),
        categories=tuple(categories),
        overall=overall,
        band=band,
        band_label=band_label,
        uncapped_band=uncapped,
        capped_by=tuple(q for q in (e.question_id for e in trace) if q in capped),
    )
