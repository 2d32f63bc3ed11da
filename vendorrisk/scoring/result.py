"""Value objects a scoring run returns: frozen, exact, and JSON-serialisable both ways."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from vendorrisk.questionnaires.answers import Answer, decode_answer, encode_answer


class Status(StrEnum):
    """What happened to one question in a scoring run."""

    SCORED = "scored"  # visible, answered, with points to earn
    UNSCORED = "unscored"  # visible and answered, but text or weight 0: nothing to earn
    HIDDEN = "hidden"  # show_if false (question or section): leaves the denominator
    NA = "na"  # answered N/A: leaves the denominator
    UNANSWERED = "unanswered"  # visible, required, no usable answer: earns 0 of its points
    SKIPPED = "skipped"  # visible, optional, no answer: leaves the denominator


class FindingKind(StrEnum):
    """Why a finding was raised."""

    FAILING = "failing"  # earned < 50 % of the question's points
    WEAK = "weak"  # earned >= 50 % but < 100 %
    UNANSWERED = "unanswered"  # a visible required question was left unanswered


def round_display(value: Fraction | None) -> str | None:
    """Round an exact score half-up to one decimal for display ("68.9")."""
    if value is None:
        return None
    tenths = (value * 10 + Fraction(1, 2)).__floor__()
    sign = "-" if tenths < 0 else ""
    whole, rest = divmod(abs(tenths), 10)
    return f"{sign}{whole}.{rest}"


def _frac(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _fraction(text: str | int) -> Fraction:
    """Read back `str(Fraction)` ("235/3", "12", "-1/2"); six times faster than
    `Fraction(text)`'s pattern match, which pages reading many stored results feel."""
    if isinstance(text, int):
        return Fraction(text)
    numerator, slash, denominator = text.partition("/")
    try:
        if slash:
            return Fraction(int(numerator), int(denominator))
        return Fraction(int(numerator))
    except ValueError:  # anything else Fraction reads ("0.5", " 3 ")
        return Fraction(text)


def _unfrac(value: str | None) -> Fraction | None:
    return None if value is None else _fraction(value)


@dataclass(frozen=True, slots=True)
class TraceEntry:
    """One question's line in the trace: the points it could earn, what it earned, and why."""

    question_id: str
    section_id: str
    category: str | None
    status: Status
    possible: Fraction
    earned: Fraction
    percent: Fraction | None
    answer: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return this entry as JSON-ready data."""
        return {
            "question_id": self.question_id,
            "section_id": self.section_id,
            "category": self.category,
            "status": self.status.value,
            "possible": str(self.possible),
            "earned": str(self.earned),
            "percent": _frac(self.percent),
            "answer": self.answer,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TraceEntry:
        """Rebuild an entry from `to_dict` output."""
        return cls(
            question_id=data["question_id"],
            section_id=data["section_id"],
            category=data["category"],
            status=Status(data["status"]),
            possible=_fraction(data["possible"]),
            earned=_fraction(data["earned"]),
            percent=_unfrac(data["percent"]),
            answer=data["answer"],
            reason=data["reason"],
        )


@dataclass(frozen=True, slots=True)
class CategoryScore:
    """A category's points and its 0-100 score; `score` is None when nothing was scored."""

    id: str
    title: str
    weight: Fraction
    possible: Fraction
    earned: Fraction
    score: Fraction | None

    def to_dict(self) -> dict[str, Any]:
        """Return this category as JSON-ready data."""
        return {
            "id": self.id,
            "title": self.title,
            "weight": str(self.weight),
            "possible": str(self.possible),
            "earned": str(self.earned),
            "score": _frac(self.score),
            "score_display": round_display(self.score),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CategoryScore:
        """Rebuild a category score from `to_dict` output."""
        return cls(
            id=data["id"],
            title=data["title"],
            weight=_fraction(data["weight"]),
            possible=_fraction(data["possible"]),
            earned=_fraction(data["earned"]),
            score=_unfrac(data["score"]),
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """A gap raised by scoring: a failing or weak answer, or a required question left blank."""

    question_id: str
    question_text: str
    category: str | None
    kind: FindingKind
    severity: str
    answer: str | None
    percent: Fraction | None
    summary: str
    remediation: str | None
    frameworks: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return this finding as JSON-ready data."""
        return {
            "question_id": self.question_id,
            "question_text": self.question_text,
            "category": self.category,
            "kind": self.kind.value,
            "severity": self.severity,
            "answer": self.answer,
            "percent": _frac(self.percent),
            "summary": self.summary,
            "remediation": self.remediation,
            "frameworks": list(self.frameworks),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Rebuild a finding from `to_dict` output."""
        return cls(
            question_id=data["question_id"],
            question_text=data["question_text"],
            category=data["category"],
            kind=FindingKind(data["kind"]),
            severity=data["severity"],
            answer=data["answer"],
            percent=_unfrac(data["percent"]),
            summary=data["summary"],
            remediation=data["remediation"],
            frameworks=tuple(data["frameworks"]),
        )


@dataclass(frozen=True, slots=True)
class ImpactSignal:
    """An answer whose option is marked `impact_signal`: the vendor may have been affected."""

    question_id: str
    question_text: str
    answer: str
    answer_label: str

    def to_dict(self) -> dict[str, Any]:
        """Return this signal as JSON-ready data."""
        return {
            "question_id": self.question_id,
            "question_text": self.question_text,
            "answer": self.answer,
            "answer_label": self.answer_label,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImpactSignal:
        """Rebuild a signal from `to_dict` output."""
        return cls(data["question_id"], data["question_text"], data["answer"], data["answer_label"])


@dataclass(frozen=True, slots=True)
class ReviewFlag:
    """Something in the answers a person must look at before the result can be relied on.

    `kind` names the rule that raised it: "contradiction" (answers that cannot all be true,
    e.g. an exposure or impact answer beside a "not exposed" one), "exclusive" (an option that
    stands alone was ticked with others), "uncertain" (a "not sure" kept the vendor from being
    ruled out), "date" (a date the rule sends to a person), "certificate" (the certificate
    contradicts the date claimed).
    """

    kind: str
    question_ids: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return this flag as JSON-ready data."""
        return {"kind": self.kind, "question_ids": list(self.question_ids), "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReviewFlag:
        """Rebuild a flag from `to_dict` output."""
        return cls(data["kind"], tuple(data["question_ids"]), data["reason"])


class Verdict(StrEnum):
    """What a result says overall, in order of precedence."""

    NEEDS_REVIEW = "needs_review"  # contradictory or unverifiable answers: a person decides
    NOT_EXPOSED = "not_exposed"  # the answers rule exposure out: no score is given
    NOT_SCORED = "not_scored"  # nothing with points was answered
    SCORED = "scored"


@dataclass(frozen=True, slots=True)
class Completeness:
    """How complete the response is, over the questions that were shown."""

    visible: int
    hidden: int
    answered: int
    na: int
    unanswered_required: tuple[str, ...]
    unanswered_optional: tuple[str, ...]
    missing_evidence: tuple[str, ...]
    evidence_reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return these counts and lists as JSON-ready data."""
        return {
            "visible": self.visible,
            "hidden": self.hidden,
            "answered": self.answered,
            "na": self.na,
            "unanswered_required": list(self.unanswered_required),
            "unanswered_optional": list(self.unanswered_optional),
            "missing_evidence": list(self.missing_evidence),
            "evidence_reasons": list(self.evidence_reasons),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Completeness:
        """Rebuild completeness from `to_dict` output."""
        return cls(
            visible=data["visible"],
            hidden=data["hidden"],
            answered=data["answered"],
            na=data["na"],
            unanswered_required=tuple(data["unanswered_required"]),
            unanswered_optional=tuple(data["unanswered_optional"]),
            missing_evidence=tuple(data["missing_evidence"]),
            evidence_reasons=tuple(data["evidence_reasons"]),
        )


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """Everything one scoring run found, with the inputs needed to recompute it."""

    engine_version: str
    template_id: str
    template_hash: str | None
    answers: Mapping[str, Answer]
    reference_dates: Mapping[str, datetime.date]
    overall: Fraction | None
    categories: tuple[CategoryScore, ...]
    band: str | None
    band_label: str | None
    uncapped_band: str | None
    capped_by: tuple[str, ...]
    not_exposed: bool
    not_exposed_by: tuple[str, ...]
    impact_signals: tuple[ImpactSignal, ...]
    findings: tuple[Finding, ...]
    completeness: Completeness
    trace: tuple[TraceEntry, ...]
    review_flags: tuple[ReviewFlag, ...] = ()

    @property
    def verdict(self) -> Verdict:
        """Return what this result says overall (see `Verdict` for the precedence)."""
        if self.review_flags:
            return Verdict.NEEDS_REVIEW
        if self.not_exposed:
            return Verdict.NOT_EXPOSED
        if self.overall is None:
            return Verdict.NOT_SCORED
        return Verdict.SCORED

    def category(self, category_id: str) -> CategoryScore:
        """Return the score of one category by id."""
        for cat in self.categories:
            if cat.id == category_id:
                return cat
        raise KeyError(category_id)

    @property
    def overall_display(self) -> str | None:
        """Return the overall score rounded to one decimal, or None when nothing was scored."""
        return round_display(self.overall)

    def to_dict(self) -> dict[str, Any]:
        """Return the whole result as JSON-ready data (exact numbers as "n/d" strings)."""
        return {
            "engine_version": self.engine_version,
            "template_id": self.template_id,
            "template_hash": self.template_hash,
            "inputs": {
                "answers": {qid: encode_answer(a) for qid, a in sorted(self.answers.items())},
                "reference_dates": {
                    name: day.isoformat() for name, day in sorted(self.reference_dates.items())
                },
            },
            "overall": _frac(self.overall),
            "overall_display": round_display(self.overall),
            "band": self.band,
            "band_label": self.band_label,
            "uncapped_band": self.uncapped_band,
            "capped_by": list(self.capped_by),
            "not_exposed": self.not_exposed,
            "not_exposed_by": list(self.not_exposed_by),
            "categories": [c.to_dict() for c in self.categories],
            "impact_signals": [s.to_dict() for s in self.impact_signals],
            "review_flags": [f.to_dict() for f in self.review_flags],
            "findings": [f.to_dict() for f in self.findings],
            "completeness": self.completeness.to_dict(),
            "trace": [t.to_dict() for t in self.trace],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreResult:
        """Rebuild a result from `to_dict` output (display-only keys are ignored)."""
        inputs = data["inputs"]
        return cls(
            engine_version=data["engine_version"],
            template_id=data["template_id"],
            template_hash=data["template_hash"],
            answers={qid: decode_answer(a) for qid, a in inputs["answers"].items()},
            reference_dates={
                name: datetime.date.fromisoformat(day)
                for name, day in inputs["reference_dates"].items()
            },
            overall=_unfrac(data["overall"]),
            categories=tuple(CategoryScore.from_dict(c) for c in data["categories"]),
            band=data["band"],
            band_label=data["band_label"],
            uncapped_band=data["uncapped_band"],
            capped_by=tuple(data["capped_by"]),
            not_exposed=data["not_exposed"],
            not_exposed_by=tuple(data["not_exposed_by"]),
            impact_signals=tuple(ImpactSignal.from_dict(s) for s in data["impact_signals"]),
            findings=tuple(Finding.from_dict(f) for f in data["findings"]),
            completeness=Completeness.from_dict(data["completeness"]),
            trace=tuple(TraceEntry.from_dict(t) for t in data["trace"]),
            # Results stored before review flags existed have none.
            review_flags=tuple(ReviewFlag.from_dict(f) for f in data.get("review_flags", ())),
        )
