"""One question prepared for scoring, and the Outcome it contributes to a result.

Outcomes that depend only on a few inputs (which option, whether a file or reason came with it)
are built once per question and shared: they are frozen, so sharing cannot leak one response
into another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from vendorrisk.questionnaires.schema import Condition, Question

from .result import Finding, FindingKind, ImpactSignal, ReviewFlag, Status, TraceEntry
from .rules import (
    FAIL_BELOW,
    HUNDRED,
    ZERO,
    ChoiceScore,
    DateRulePlan,
    NumberRulePlan,
    lower_severity,
    percent_text,
)

# Statuses in the order the engine counts them.
TALLIES = (
    Status.SCORED,
    Status.UNSCORED,
    Status.HIDDEN,
    Status.NA,
    Status.UNANSWERED,
    Status.SKIPPED,
)
# A question's cache of shared outcomes stops growing here (outcomes are then built each time).
OUTCOME_CACHE_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one question contributes to a result; shared between results when possible."""

    entry: TraceEntry
    cat: int  # index into TemplatePlan.categories, -1 when the question scores nothing
    possible: int  # in units (see TemplatePlan.denominator)
    earned: int
    finding: Finding | None = None
    signals: tuple[ImpactSignal, ...] = ()
    not_exposed: bool = False
    critical_fail: bool = False
    missing_evidence: bool = False
    by_reason: bool = False
    exposed: bool = False  # an option marked `exposed` was chosen
    uncertain: bool = False  # a "not sure" option on a question that bears on exposure
    flags: tuple[ReviewFlag, ...] = ()
    tally: int = field(init=False)  # index into TALLIES, for counting without branching
    special: bool = field(init=False)  # anything beyond points and a trace line

    def __post_init__(self) -> None:
        object.__setattr__(self, "tally", TALLIES.index(self.entry.status))
        special = bool(
            self.finding
            or self.signals
            or self.not_exposed
            or self.critical_fail
            or self.missing_evidence
            or self.exposed
            or self.uncertain
            or self.flags
        )
        object.__setattr__(self, "special", special)


@dataclass(frozen=True, slots=True)
class OptionPlan:
    """One option with its exact percentage and flags."""

    choice: ChoiceScore
    not_exposed: bool
    impact_signal: bool
    required: bool  # evidence required with this option (its own level, else the question's)
    finding: str | None
    exposed: bool = False
    uncertain: bool = False
    exclusive: bool = False
    credit_if: Condition | None = None
    uncredited: Fraction | None = None  # the percentage without credit (credit_if only)


@dataclass(slots=True)
class QuestionPlan:
    """One question, ready to score: exact numbers, option lookup, shared outcomes."""

    question: Question
    id: str
    kind: str
    allow_na: bool
    evidence_required: bool  # the question's own level (options may override it)
    section_index: int
    section_id: str
    cat: int
    weight: Fraction
    units: int  # possible points in units; 0 when the question scores nothing
    options: dict[str, OptionPlan]
    date_rule: DateRulePlan | None
    number_rule: NumberRulePlan | None
    bears_on_exposure: bool = False
    hidden_by_section: Outcome = field(init=False)
    hidden_by_condition: Outcome = field(init=False)
    na: Outcome = field(init=False)
    unanswered: Outcome = field(init=False)
    order: dict[str, int] = field(init=False)
    cache: dict[object, Outcome] = field(default_factory=dict)
    _earned: dict[Fraction, tuple[int, Fraction]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.order = {value: i for i, value in enumerate(self.options)}
        self.hidden_by_section = self._blank(Status.HIDDEN, "hidden: its section is not shown")
        self.hidden_by_condition = self._blank(Status.HIDDEN, "hidden: its show_if is not met")
        self.na = self._blank(Status.NA, "answered N/A: not counted", answer="N/A")
        self.unanswered = self.not_answered("unanswered")

    @property
    def scored(self) -> bool:
        """Whether this question has points to earn."""
        return self.units > 0

    def earned(self, pct: Fraction) -> tuple[int, Fraction]:
        """Return the units and exact points earned at this percentage."""
        hit = self._earned.get(pct)
        if hit is None:
            units = self.units * pct / HUNDRED
            if units.denominator != 1:
                raise AssertionError(f"{self.id}: {pct} % is not a whole number of units")
            hit = (int(units), self.weight * pct / HUNDRED)
            self._earned[pct] = hit
        return hit

    def _entry(
        self,
        status: Status,
        reason: str,
        *,
        answer: str | None = None,
        possible: Fraction = ZERO,
        earned: Fraction = ZERO,
        pct: Fraction | None = None,
    ) -> TraceEntry:
        q = self.question
        return TraceEntry(
            question_id=q.id,
            section_id=self.section_id,
            category=q.category,
            status=status,
            possible=possible,
            earned=earned,
            percent=pct,
            answer=answer,
            reason=reason,
        )

    def _blank(self, status: Status, reason: str, answer: str | None = None) -> Outcome:
        return Outcome(self._entry(status, reason, answer=answer), -1, 0, 0)

    def not_answered(self, why: str) -> Outcome:
        """Return the outcome of a question with no usable answer (`why` says what was wrong)."""
        q = self.question
        if not q.required:
            return self._blank(Status.SKIPPED, f"optional and {why}: not counted")
        if not self.scored:
            entry = self._entry(Status.UNANSWERED, f"required and {why}")
            return Outcome(entry, -1, 0, 0, finding=self._unanswered_finding(None))
        entry = self._entry(
            Status.UNANSWERED,
            f"required and {why}: 0 %",
            possible=self.weight,
            earned=ZERO,
            pct=ZERO,
        )
        return Outcome(
            entry,
            self.cat,
            self.units,
            0,
            finding=self._unanswered_finding(ZERO),
            critical_fail=q.critical,
        )

    def _unanswered_finding(self, pct: Fraction | None) -> Finding:
        q = self.question
        return Finding(
            question_id=q.id,
            question_text=q.text,
            category=q.category,
            kind=FindingKind.UNANSWERED,
            severity=q.severity,
            answer=None,
            percent=pct,
            summary="required question left unanswered",
            remediation=q.remediation,
            frameworks=q.frameworks,
        )

    def remember(self, key: object, outcome: Outcome) -> Outcome:
        """Keep an outcome for reuse (until the cache is full) and return it."""
        if len(self.cache) < OUTCOME_CACHE_LIMIT:
            self.cache[key] = outcome
        return outcome

    def answered(
        self,
        pct: Fraction | None,
        answer: str | None,
        reason: str,
        *,
        chosen: tuple[OptionPlan, ...] = (),
        evidence_required: bool = False,
        has_file: bool = False,
        has_reason: bool = False,
        evidence_cut: bool = False,
        flags: tuple[ReviewFlag, ...] = (),
        critical: bool = False,
    ) -> Outcome:
        """Return the outcome of a usable answer scoring `pct` (None: nothing to score).

        `critical` makes the answer a critical failure whatever the question says (a date rule's
        `critical_after_days`); `flags` are what a reviewer must look at.
        """
        q = self.question
        signals = tuple(
            ImpactSignal(q.id, q.text, o.choice.value, o.choice.label)
            for o in chosen
            if o.impact_signal
        )
        not_exposed = any(o.not_exposed for o in chosen)
        exposed = any(o.exposed for o in chosen)
        uncertain = self.bears_on_exposure and any(o.uncertain for o in chosen)
        missing = evidence_required and not has_file
        by_reason = missing and has_reason
        if pct is None or not self.scored:
            entry = self._entry(Status.UNSCORED, f"{reason}; not scored", answer=answer)
            return Outcome(
                entry,
                -1,
                0,
                0,
                None,
                signals,
                not_exposed=not_exposed,
                missing_evidence=missing,
                by_reason=by_reason,
                exposed=exposed,
                uncertain=uncertain,
                flags=flags,
            )
        units, points = self.earned(pct)
        entry = self._entry(
            Status.SCORED, reason, answer=answer, possible=self.weight, earned=points, pct=pct
        )
        finding = None
        if pct < HUNDRED:
            finding = self._finding(pct, answer, chosen, evidence_cut)
        critical_fail = critical or (q.critical and pct < FAIL_BELOW)
        return Outcome(
            entry,
            self.cat,
            self.units,
            units,
            finding,
            signals,
            not_exposed=not_exposed,
            critical_fail=critical_fail,
            missing_evidence=missing,
            by_reason=by_reason,
            exposed=exposed,
            uncertain=uncertain,
            flags=flags,
        )

    def _finding(
        self, pct: Fraction, answer: str | None, chosen: tuple[OptionPlan, ...], evidence_cut: bool
    ) -> Finding:
        q = self.question
        failing = pct < FAIL_BELOW
        kind = FindingKind.FAILING if failing else FindingKind.WEAK
        parts = [
            o.finding
            for o in chosen
            if o.finding and (o.choice.pct is None or o.choice.pct < HUNDRED)
        ]
        if evidence_cut:
            parts.append("Required evidence was not provided.")
        summary = " ".join(parts) or f"{kind.value} answer: {percent_text(pct)} of the points"
        return Finding(
            question_id=q.id,
            question_text=q.text,
            category=q.category,
            kind=kind,
            severity=q.severity if failing else lower_severity(q.severity),
            answer=answer,
            percent=pct,
            summary=summary,
            remediation=q.remediation,
            frameworks=q.frameworks,
        )
