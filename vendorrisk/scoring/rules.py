"""The scoring rules for one answer: options, multi-choice sums, dates, numbers, evidence.

Every function returns an exact percentage (a Fraction, 0..100) and the plain words the trace
shows for it. Nothing here knows about categories, visibility or the template as a whole.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

HUNDRED = Fraction(100)
ZERO = Fraction(0)
FAIL_BELOW = Fraction(50)
# A stated reason standing in for required evidence earns at most this share of the points.
EVIDENCE_REASON_CAP = Fraction(50)

_LOWER_SEVERITY = {"critical": "high", "high": "medium", "medium": "low", "low": "low"}


def to_fraction(number: int | float | Decimal | Fraction) -> Fraction:
    """Convert a number exactly as written (floats via their shortest repr, so 0.1 is 1/10)."""
    if isinstance(number, float):
        return Fraction(repr(number))
    return Fraction(number)


def percent_text(pct: Fraction) -> str:
    """Format a percentage for the trace: "80 %", or one decimal, half-up, when not whole."""
    if pct.denominator == 1:
        return f"{pct.numerator} %"
    tenths = math.floor(pct * 10 + Fraction(1, 2))
    return f"{tenths // 10}.{tenths % 10} %"


def number_text(number: Fraction) -> str:
    """Format an exact number for the trace: whole numbers bare, others as short decimals."""
    if number.denominator == 1:
        return str(number.numerator)
    as_float = float(number)
    if to_fraction(as_float) == number:
        return repr(as_float)
    return f"{as_float:.6g}"


def lower_severity(severity: str) -> str:
    """Return the severity one step below (a weak answer is less severe than a failing one)."""
    return _LOWER_SEVERITY.get(severity, severity)


@dataclass(frozen=True, slots=True)
class ChoiceScore:
    """An option's value, label and percentage as the rules see it."""

    value: str
    label: str
    pct: Fraction | None


def score_option(option: ChoiceScore) -> tuple[Fraction, str]:
    """Score a single-choice or yes/no answer: the option's percentage."""
    if option.pct is None:
        return ZERO, f'answered "{option.value}" ({option.label}), an option without a score: 0 %'
    return option.pct, f'answered "{option.value}" ({option.label}): {percent_text(option.pct)}'


def score_credit(option: ChoiceScore, uncredited: Fraction, condition: str) -> tuple[Fraction, str]:
    """Score an option whose credit depends on other answers that did not back it."""
    full = percent_text(option.pct or ZERO)
    return uncredited, (
        f'answered "{option.value}" ({option.label}), which earns {full} only when '
        f"{condition}; it is not backed: {percent_text(uncredited)}"
    )


def score_multi(selected: tuple[ChoiceScore, ...]) -> tuple[Fraction, str]:
    """Score a multi-choice answer: the sum of the selected options' percentages, capped at 100."""
    total = sum((o.pct or ZERO for o in selected), ZERO)
    if len(selected) == 1:
        return total, f'selected "{selected[0].value}": {percent_text(total)}'
    parts = " + ".join(f'"{o.value}" {percent_text(o.pct or ZERO)}' for o in selected)
    words = f"selected {parts} = {percent_text(total)}"
    if total > HUNDRED:
        return HUNDRED, f"{words}, capped at 100 %"
    return total, words


@dataclass(frozen=True, slots=True)
class DateRulePlan:
    """A date rule with exact percentages and its bounds."""

    reference: str
    before: Fraction
    steps: tuple[tuple[int, Fraction], ...]
    after: Fraction
    earliest: str | None = None
    too_early_review: bool = False
    critical_after_days: int | None = None


@dataclass(frozen=True, slots=True)
class DateScore:
    """What a date rule makes of one date: the percentage, the words, and what it escalates."""

    pct: Fraction
    reason: str
    review: bool = False  # before `earliest` with `too_early: review`: a person decides
    critical: bool = False  # later than `critical_after_days`


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def score_date(
    rule: DateRulePlan,
    answer: datetime.date,
    reference: datetime.date,
    earliest: datetime.date | None = None,
) -> DateScore:
    """Score a date by how many days after the reference date it falls.

    Day 0 is the reference date; `within_days: n` covers days 0 to n inclusive. A date before
    `earliest` earns nothing (or goes to a reviewer); a date from `earliest` to the day before
    the reference earns the rule's `before_reference_score`.
    """
    days = (answer - reference).days
    shown = answer.isoformat()
    where = f"{rule.reference} ({reference.isoformat()})"
    if earliest is not None and answer < earliest:
        bound = f"{rule.earliest} ({earliest.isoformat()})"
        n = (earliest - answer).days
        if rule.too_early_review:
            return DateScore(
                ZERO,
                f"{shown}, {_days(n)} before {bound}: sent to a reviewer, 0 % until one decides",
                review=True,
            )
        return DateScore(ZERO, f"{shown}, {_days(n)} before {bound}: no credit, 0 %")
    if days < 0:
        return DateScore(
            rule.before,
            f"{shown}, {_days(-days)} before {where}: {percent_text(rule.before)}",
        )
    when = f"on {where}" if days == 0 else f"{_days(days)} after {where}"
    critical = rule.critical_after_days is not None and days > rule.critical_after_days
    suffix = (
        f"; more than {_days(rule.critical_after_days or 0)} after: a critical failure"
        if critical
        else ""
    )
    for within, pct in rule.steps:
        if days <= within:
            return DateScore(
                pct,
                f"{shown}, {when}, within {within} days: {percent_text(pct)}{suffix}",
                critical=critical,
            )
    last = rule.steps[-1][0] if rule.steps else 0
    return DateScore(
        rule.after,
        f"{shown}, {when}, later than {last} days: {percent_text(rule.after)}{suffix}",
        critical=critical,
    )


@dataclass(frozen=True, slots=True)
class NumberRulePlan:
    """A number rule with exact bounds and percentages; steps lacking their bound are dropped."""

    lower_is_better: bool
    steps: tuple[tuple[Fraction, Fraction], ...]
    else_pct: Fraction


def score_number(rule: NumberRulePlan, value: Fraction, shown: str) -> tuple[Fraction, str]:
    """Score a number by the first step whose bound it meets (max when lower is better)."""
    for bound, pct in rule.steps:
        if (value <= bound) if rule.lower_is_better else (value >= bound):
            word = "at most" if rule.lower_is_better else "at least"
            return pct, f"{shown}, {word} {number_text(bound)}: {percent_text(pct)}"
    if rule.steps:
        bound = rule.steps[-1][0]
        word = "above" if rule.lower_is_better else "below"
        return rule.else_pct, f"{shown}, {word} {number_text(bound)}: {percent_text(rule.else_pct)}"
    return rule.else_pct, f"{shown}: {percent_text(rule.else_pct)}"


def apply_evidence(pct: Fraction, has_file: bool, has_reason: bool) -> tuple[Fraction, str]:
    """Apply the required-evidence rule: no file costs the points, a reason caps them at 50 %."""
    if has_file:
        return pct, "; evidence attached"
    if has_reason:
        if pct > EVIDENCE_REASON_CAP:
            return EVIDENCE_REASON_CAP, (
                f"; required evidence missing, reason given: capped at "
                f"{percent_text(EVIDENCE_REASON_CAP)}"
            )
        return pct, "; required evidence missing, reason given"
    if pct > ZERO:
        return ZERO, "; required evidence missing and no reason given: 0 %"
    return pct, "; required evidence missing and no reason given"


def score_evidence_question(file_count: int, has_reason: bool) -> tuple[Fraction, str]:
    """Score an evidence-type question: a file earns 100 %, a stated reason alone 50 %."""
    if file_count:
        files = "1 file" if file_count == 1 else f"{file_count} files"
        return HUNDRED, f"{files} attached: 100 %"
    if has_reason:
        return EVIDENCE_REASON_CAP, f"no file, reason given: {percent_text(EVIDENCE_REASON_CAP)}"
    return ZERO, "no file and no reason: 0 %"
