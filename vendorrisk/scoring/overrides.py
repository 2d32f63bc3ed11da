"""Reviewer overrides of a question's points, applied on top of a stored result.

The engine's own result is never changed: an override gives a second, adjusted result whose
trace says which points a reviewer changed, so the original and the override are both shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from fractions import Fraction

from vendorrisk.questionnaires.schema import Template

from .result import CategoryScore, ScoreResult, round_display

CRITICAL_FAIL_BELOW = Fraction(50)


def apply_overrides(
    result: ScoreResult, template: Template, overrides: Mapping[str, int | Fraction]
) -> ScoreResult:
    """Return the result with the given questions' percentages replaced by a reviewer's."""
    if not overrides:
        return result
    trace = []
    for entry in result.trace:
        pct = overrides.get(entry.question_id)
        if pct is not None and entry.possible:
            pct = Fraction(pct)
            trace.append(
                dataclasses.replace(
                    entry,
                    earned=entry.possible * pct / 100,
                    percent=pct,
                    reason=f"{entry.reason} → reviewer override: {round_display(pct)} %",
                )
            )
        else:
            trace.append(entry)
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
    for qid, pct in overrides.items():
        question = template.question(qid)
        if question.critical:
            if Fraction(pct) < CRITICAL_FAIL_BELOW:
                capped.add(qid)
            else:
                capped.discard(qid)
    band = band_label = uncapped = None
    if overall is not None and not result.not_exposed:
        shown = Fraction(round(overall * 10), 10)
        uncapped_band = template.band_for(float(shown))
        chosen = uncapped_band
        if capped:
            bands = list(template.bands)
            cap = template.critical_cap_band
            if bands.index(chosen) < bands.index(cap):
                chosen = cap
        band, band_label, uncapped = chosen.id, chosen.label, uncapped_band.id
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
