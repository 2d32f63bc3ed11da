"""The effective result: the computed score with a reviewer's active overrides applied.

This is the only result a person sees: the review page, both PDFs, the XLSX and CSV exports,
the dashboard and the API all build on `effective_result` and read figures through the
`EffectiveResult` it returns, so no two of them can disagree. The computed result is kept
beside it, so what the engine said and what a reviewer changed are both on record.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vendorrisk.questionnaires.schema import Template

from .engine import ENGINE_VERSION, score_response
from .overrides import apply_overrides
from .plan import MissingReferenceDate, TemplateNotScorable
from .result import (
    CategoryScore,
    Finding,
    ReviewFlag,
    ScoreResult,
    TraceEntry,
    Verdict,
    round_display,
)

# Scores and percentages travel as numbers with one decimal (as every page shows them),
# points and weights with four.
SCORE_PLACES = 1
POINT_PLACES = 4


def number(value: Fraction | None, places: int = SCORE_PLACES) -> float | None:
    """Round an exact value half-up to `places` decimals and return it as a JSON number."""
    if value is None:
        return None
    scale: int = 10**places
    scaled: int = math.floor(value * scale + Fraction(1, 2))
    return scaled / scale


@dataclass(frozen=True, slots=True)
class Override:
    """A reviewer's percentage for one question, with who set it, when and why."""

    question_id: str
    percent: Fraction
    justification: str = ""
    by: str | None = None
    at: datetime.datetime | None = None


@dataclass(frozen=True, slots=True)
class EffectiveResult:
    """What every page, report and API call shows for one submitted revision."""

    computed: ScoreResult
    result: ScoreResult
    overrides: tuple[Override, ...]
    # Raised by today's rules on a result an older engine scored: shown, never written back.
    later_flags: tuple[ReviewFlag, ...] = ()

    @property
    def review_flags(self) -> tuple[ReviewFlag, ...]:
        """Return every flag a reviewer must look at (the result's and the later rules')."""
        return self.result.review_flags + self.later_flags

    @property
    def verdict(self) -> Verdict:
        """Return the effective verdict (needs review, not exposed, not scored or scored)."""
        if self.later_flags:
            return Verdict.NEEDS_REVIEW
        return self.result.verdict

    @property
    def overall(self) -> Fraction | None:
        """Return the effective overall score; None when not exposed or nothing was scored."""
        return None if self.result.not_exposed else self.result.overall

    @property
    def overall_display(self) -> str | None:
        """Return the effective overall score as shown ("68.7"), or None."""
        return round_display(self.overall)

    @property
    def band(self) -> str | None:
        """Return the effective band id, or None."""
        return self.result.band

    @property
    def band_label(self) -> str | None:
        """Return the effective band's label, or None."""
        return self.result.band_label

    @property
    def changed(self) -> bool:
        """Whether an override changed anything a person sees."""
        return bool(self.overrides)

    def override_for(self, question_id: str) -> Override | None:
        """Return the override in force for a question, if any."""
        return next((o for o in self.overrides if o.question_id == question_id), None)

    def not_exposed_reason(self) -> str | None:
        """Say which answers ruled exposure out, or None when the vendor is not ruled out."""
        if not self.result.not_exposed:
            return None
        by = {e.question_id: e for e in self.result.trace}
        parts = [
            f'{qid} answered "{by[qid].answer}"' if qid in by and by[qid].answer else qid
            for qid in self.result.not_exposed_by
        ]
        return "the vendor's answers rule exposure out: " + "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """Return the effective result as JSON data with numbers as numbers.

        `overall` and `band` are null when the vendor is not exposed (the reason is given);
        `computed` holds the engine's own figures and `overrides` what a reviewer changed.
        """
        result = self.result
        return {
            "verdict": self.verdict.value,
            "overall": number(self.overall),
            "band": result.band,
            "band_label": result.band_label,
            "uncapped_band": result.uncapped_band,
            "capped_by": list(result.capped_by),
            "not_exposed": result.not_exposed,
            "not_exposed_reason": self.not_exposed_reason(),
            "review_flags": [f.to_dict() for f in self.review_flags],
            "categories": [_category(c) for c in result.categories],
            "impact_signals": [s.to_dict() for s in result.impact_signals],
            "findings": [_finding(f) for f in result.findings],
            "completeness": result.completeness.to_dict(),
            "trace": [_trace(e) for e in result.trace],
            "computed": {
                "overall": number(None if self.computed.not_exposed else self.computed.overall),
                "band": self.computed.band,
                "band_label": self.computed.band_label,
                "categories": [_category(c) for c in self.computed.categories],
            },
            "overrides": [
                {
                    "question_id": o.question_id,
                    "percent": number(o.percent),
                    "computed_percent": number(_percent_of(self.computed, o.question_id)),
                    "justification": o.justification,
                    "by": o.by,
                    "at": o.at.isoformat() if o.at is not None else None,
                }
                for o in self.overrides
            ],
            "engine_version": result.engine_version,
            "template_hash": result.template_hash,
        }


def _percent_of(result: ScoreResult, question_id: str) -> Fraction | None:
    return next((e.percent for e in result.trace if e.question_id == question_id), None)


def _category(c: CategoryScore) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "weight": number(c.weight, POINT_PLACES),
        "possible": number(c.possible, POINT_PLACES),
        "earned": number(c.earned, POINT_PLACES),
        "score": number(c.score),
    }


def _finding(f: Finding) -> dict[str, Any]:
    data = f.to_dict()
    data["percent"] = number(f.percent)
    return data


def _trace(e: TraceEntry) -> dict[str, Any]:
    data = e.to_dict()
    data["possible"] = number(e.possible, POINT_PLACES)
    data["earned"] = number(e.earned, POINT_PLACES)
    data["percent"] = number(e.percent)
    return data


def effective_result(
    computed: ScoreResult, template: Template, overrides: Iterable[Override] = ()
) -> EffectiveResult:
    """Apply the overrides in force to a computed result; the one way any page gets a score.

    Overrides of questions that have no points in this result (hidden, N/A, unscored) change
    nothing and are left out of `overrides`, so a page never claims a change it did not make.
    """
    scored = {e.question_id for e in computed.trace if e.possible}
    applied = tuple(o for o in overrides if o.question_id in scored)
    later = _later_flags(computed, template)
    if not applied:
        return EffectiveResult(computed, computed, (), later)
    adjusted = apply_overrides(computed, template, {o.question_id: o.percent for o in applied})
    return EffectiveResult(computed, adjusted, applied, later)


def _later_flags(computed: ScoreResult, template: Template) -> tuple[ReviewFlag, ...]:
    """Flags today's rules raise on answers an older engine scored (a submitted revision that
    already holds a contradiction is flagged to the reviewer, never rewritten)."""
    if computed.engine_version == ENGINE_VERSION:
        return ()
    try:
        now = score_response(template, computed.answers, computed.reference_dates)
    except (MissingReferenceDate, TemplateNotScorable):
        return ()
    known = set(computed.review_flags)
    return tuple(f for f in now.review_flags if f not in known)
