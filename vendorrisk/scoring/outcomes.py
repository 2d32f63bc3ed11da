"""Turn one shown question and its answer into an Outcome (trace line, points, finding, flags).

Outcomes are pure functions of a small key (the option, the date and reference date, whether a
file or a reason came with it), so they are cached on the question's plan and shared.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from vendorrisk.questionnaires.answers import Answer, Answers
from vendorrisk.questionnaires.conditions import credit_holds, describe

from .question_plan import OptionPlan, Outcome, QuestionPlan
from .result import ReviewFlag
from .rules import (
    apply_evidence,
    score_credit,
    score_date,
    score_evidence_question,
    score_multi,
    score_number,
    score_option,
    to_fraction,
)

References = Mapping[str, datetime.date]


@dataclass(frozen=True, slots=True)
class Context:
    """What an answer's outcome may depend on beyond itself: the shown answers (credit_if)
    and the reference dates frozen at send."""

    answers: Answers
    refs: References


def _evidence(answer: Answer) -> tuple[bool, bool]:
    reason = answer.evidence_reason
    return bool(answer.evidence_hashes), bool(reason and reason.strip())


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _invalid(qp: QuestionPlan, value: object, what: str) -> Outcome:
    return qp.not_answered(f"answered {_shown(value)}, which is not {what}, so unanswered")


def _required_note(has_file: bool, has_reason: bool) -> str:
    if has_file:
        return "; evidence attached"
    return "; required evidence missing" + (", reason given" if has_reason else "")


def _choice(qp: QuestionPlan, answer: Answer, ctx: Context) -> Outcome:
    value = answer.value
    if not isinstance(value, str):
        return _invalid(qp, value, "one of the options")
    hit = qp.cache.get(value)  # set only for options that need no evidence and have no credit_if
    if hit is not None:
        return hit
    opt = qp.options.get(value)
    if opt is None:
        return _invalid(qp, value, "one of the options")
    required = opt.required
    has_file, has_reason = _evidence(answer) if required else (False, False)
    credited = None
    if opt.credit_if is not None and qp.scored:
        credited = credit_holds(opt.credit_if, ctx.answers, ctx.refs, answer)
    key: object = value
    if required or credited is not None:
        key = (value, has_file, has_reason, credited)
    hit = qp.cache.get(key)
    if hit is not None:
        return hit
    if not qp.scored:
        reason = f'answered "{value}" ({opt.choice.label})'
        if required:
            reason += _required_note(has_file, has_reason)
        out = qp.answered(
            None,
            value,
            reason,
            chosen=(opt,),
            evidence_required=required,
            has_file=has_file,
            has_reason=has_reason,
        )
        return qp.remember(key, out)
    if credited is False and opt.credit_if is not None and opt.uncredited is not None:
        pct, reason = score_credit(opt.choice, opt.uncredited, describe(opt.credit_if))
    else:
        pct, reason = score_option(opt.choice)
        if credited:
            reason += f", backed: {describe(opt.credit_if)}"  # type: ignore[arg-type]
    cut = False
    if required:
        cut_pct, suffix = apply_evidence(pct, has_file, has_reason)
        cut, pct, reason = cut_pct < pct, cut_pct, reason + suffix
    out = qp.answered(
        pct,
        value,
        reason,
        chosen=(opt,),
        evidence_required=required,
        has_file=has_file,
        has_reason=has_reason,
        evidence_cut=cut,
    )
    return qp.remember(key, out)


def _exclusive_flag(qp: QuestionPlan, chosen: tuple[OptionPlan, ...]) -> tuple[ReviewFlag, ...]:
    if len(chosen) < 2:
        return ()
    alone = [o for o in chosen if o.exclusive]
    if not alone:
        return ()
    labels = ", ".join(f'"{o.choice.value}"' for o in chosen)
    return (
        ReviewFlag(
            "exclusive",
            (qp.id,),
            f'{qp.id}: "{alone[0].choice.value}" stands alone but was ticked with others '
            f"({labels}); the answers contradict each other",
        ),
    )


def _multi(qp: QuestionPlan, answer: Answer, ctx: Context) -> Outcome:
    value = answer.value
    if not isinstance(value, list | tuple):
        return _invalid(qp, value, "a list of options")
    order = qp.order
    if not all(isinstance(v, str) and v in order for v in value):
        return _invalid(qp, value, "a list of options")
    given = tuple(value)
    hit = qp.cache.get(given)  # set only for selections that need no evidence
    if hit is not None:
        return hit
    if not given:
        return qp.not_answered("nothing selected")
    values = tuple(sorted(set(given), key=order.__getitem__))
    chosen = tuple(qp.options[v] for v in values)
    required = any(o.required for o in chosen)
    has_file, has_reason = _evidence(answer) if required else (False, False)
    key: object = (given, has_file, has_reason) if required else given
    hit = qp.cache.get(key)
    if hit is not None:
        return hit
    shown = ", ".join(values)
    flags = _exclusive_flag(qp, chosen)
    if not qp.scored:
        reason = "selected " + ", ".join(f'"{v}"' for v in values)
        if required:
            reason += _required_note(has_file, has_reason)
        if flags:
            reason += "; contradictory: sent to a reviewer"
        out = qp.answered(
            None,
            shown,
            reason,
            chosen=chosen,
            evidence_required=required,
            has_file=has_file,
            has_reason=has_reason,
            flags=flags,
        )
        return qp.remember(key, out)
    pct, reason = score_multi(tuple(o.choice for o in chosen))
    if flags:
        reason += "; contradictory: sent to a reviewer"
    cut = False
    if required:
        cut_pct, suffix = apply_evidence(pct, has_file, has_reason)
        cut, pct, reason = cut_pct < pct, cut_pct, reason + suffix
    out = qp.answered(
        pct,
        shown,
        reason,
        chosen=chosen,
        evidence_required=required,
        has_file=has_file,
        has_reason=has_reason,
        evidence_cut=cut,
        flags=flags,
    )
    return qp.remember(key, out)


def _date(qp: QuestionPlan, answer: Answer, ctx: Context) -> Outcome:
    value = answer.value
    if type(value) is not datetime.date:
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            return _invalid(qp, value, "a date")
    required = qp.evidence_required
    has_file, has_reason = _evidence(answer) if required else (False, False)
    rule = qp.date_rule
    refs = ctx.refs
    ref = refs[rule.reference] if rule is not None and qp.scored else None
    earliest = refs[rule.earliest] if rule is not None and ref and rule.earliest else None
    key = (value, ref, earliest, has_file, has_reason)
    hit = qp.cache.get(key)
    if hit is not None:
        return hit
    shown = value.isoformat()
    note = _required_note(has_file, has_reason) if required else ""
    if rule is None or ref is None:
        out = qp.answered(
            None,
            shown,
            shown + note,
            evidence_required=required,
            has_file=has_file,
            has_reason=has_reason,
        )
        return qp.remember(key, out)
    scored = score_date(rule, value, ref, earliest)
    pct, reason = scored.pct, scored.reason
    flags: tuple[ReviewFlag, ...] = ()
    if scored.review:
        flags = (ReviewFlag("date", (qp.id,), f"{qp.id}: {reason}"),)
    cut = False
    if required:
        cut_pct, suffix = apply_evidence(pct, has_file, has_reason)
        cut, pct, reason = cut_pct < pct, cut_pct, reason + suffix
    out = qp.answered(
        pct,
        shown,
        reason,
        evidence_required=required,
        has_file=has_file,
        has_reason=has_reason,
        evidence_cut=cut,
        flags=flags,
        critical=scored.critical,
    )
    return qp.remember(key, out)


def _number_text(value: object) -> str | None:
    # The text is both what the trace shows and the cache key: it fixes the exact value.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return repr(float(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    return None


def _number(qp: QuestionPlan, answer: Answer, ctx: Context) -> Outcome:
    value = answer.value
    shown = _number_text(value)
    if shown is None:
        return _invalid(qp, value, "a finite number")
    required = qp.evidence_required
    has_file, has_reason = _evidence(answer) if required else (False, False)
    key = (shown, has_file, has_reason)
    hit = qp.cache.get(key)
    if hit is not None:
        return hit
    rule = qp.number_rule
    if rule is None or not qp.scored:
        reason = shown + (_required_note(has_file, has_reason) if required else "")
        out = qp.answered(
            None,
            shown,
            reason,
            evidence_required=required,
            has_file=has_file,
            has_reason=has_reason,
        )
        return qp.remember(key, out)
    pct, reason = score_number(rule, to_fraction(Decimal(shown)), shown)
    cut = False
    if required:
        cut_pct, suffix = apply_evidence(pct, has_file, has_reason)
        cut, pct, reason = cut_pct < pct, cut_pct, reason + suffix
    out = qp.answered(
        pct,
        shown,
        reason,
        evidence_required=required,
        has_file=has_file,
        has_reason=has_reason,
        evidence_cut=cut,
    )
    return qp.remember(key, out)


def _text(qp: QuestionPlan, answer: Answer, ctx: Context) -> Outcome:
    value = answer.value
    if not isinstance(value, str):
        return _invalid(qp, value, "text")
    if not value.strip():
        return qp.not_answered("left blank")
    required = qp.evidence_required
    has_file, has_reason = _evidence(answer) if required else (False, False)
    key = ("text", has_file, has_reason)
    hit = qp.cache.get(key)
    if hit is not None:
        return hit
    reason = "text answer" + (_required_note(has_file, has_reason) if required else "")
    out = qp.answered(
        None, None, reason, evidence_required=required, has_file=has_file, has_reason=has_reason
    )
    return qp.remember(key, out)


def _evidence_question(qp: QuestionPlan, answer: Answer, ctx: Context) -> Outcome:
    has_file, has_reason = _evidence(answer)
    if not has_file and not has_reason:
        return qp.not_answered("no file or reason given")
    files = len(answer.evidence_hashes)
    key = ("files", files, has_reason)
    hit = qp.cache.get(key)
    if hit is not None:
        return hit
    pct, reason = score_evidence_question(files, has_reason)
    shown = ("1 file" if files == 1 else f"{files} files") if files else "reason given"
    if not qp.scored:
        reason = reason.rsplit(":", 1)[0]
    out = qp.answered(
        pct if qp.scored else None,
        shown,
        reason,
        evidence_required=True,
        has_file=has_file,
        has_reason=has_reason,
        evidence_cut=not has_file,
    )
    return qp.remember(key, out)


Scorer = Callable[[QuestionPlan, Answer, Context], Outcome]
SCORERS: dict[str, Scorer] = {
    "yes_no": _choice,
    "single_choice": _choice,
    "multi_choice": _multi,
    "date": _date,
    "number": _number,
    "text": _text,
    "long_text": _text,
    "evidence": _evidence_question,
}


def outcome(qp: QuestionPlan, answer: Answer | None, ctx: Context) -> Outcome:
    """Return what a shown question contributes, given its answer (None: unanswered)."""
    if answer is None:
        return qp.unanswered
    if answer.na:
        if qp.allow_na:
            return qp.na
        return qp.not_answered("answered N/A, which this question does not allow, so unanswered")
    return SCORERS[qp.kind](qp, answer, ctx)
