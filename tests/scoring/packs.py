"""Shared helpers for the breach-pack golden cases (best, worst and typical answer sets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.schema import Template
from vendorrisk.questionnaires.validator import validate_path
from vendorrisk.scoring import check_trace, score_response
from vendorrisk.scoring.result import ScoreResult

from .conftest import FILE

ROOT = Path(__file__).parents[2] / "questionnaires"


def load(slug: str) -> Template:
    """Load a shipped template, failing with the validator's errors if it is invalid."""
    template, errors = validate_path(ROOT / f"{slug}.yaml")
    assert template is not None, [str(e) for e in errors]
    return template


def a(value: Any, *, file: bool = False, **extra: Any) -> Answer:
    """Return an answer, with one evidence file attached when `file` is true."""
    return Answer(value, evidence_hashes=(FILE,) if file else (), **extra)


def score(template: Template, answers: dict[str, Answer]) -> ScoreResult:
    """Score answers and check that every point is explained by the trace."""
    result = score_response(template, answers)
    assert check_trace(result) == []
    return result


def percent(result: ScoreResult, qid: str):
    """Return the percentage one question earned."""
    return next(e.percent for e in result.trace if e.question_id == qid)


def kinds(result: ScoreResult) -> list[str]:
    """Return the kinds of the review flags raised."""
    return [f.kind for f in result.review_flags]


def signals(result: ScoreResult) -> list[str]:
    """Return the questions that raised impact signals."""
    return [s.question_id for s in result.impact_signals]
