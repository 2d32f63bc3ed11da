"""Turn one shown question and its answer into an Outcome (trace line, points, finding, flags).

Outcomes are pure functions of a small key (the option, the date and reference date, whether a
file or a reason came with it), so they are cached on the question's plan and shared.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping
from decimal import Decimal

from vendorrisk.questionnaires.answers import Answer

from .question_plan import Outcome, QuestionPlan
from .rules import (
    apply_evidence,
    score_date,
    score_evidence_question,
    score_multi,
    score_number,
    score_option,
    to_fraction,
)

References = Mapping[str, datetime.date]


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


def _choice(qp: QuestionPlan, answer: Answer, refs: References) -> Outcome:
    value = answer.value
    if not isinstance(value, str):
        return _invalid(qp, value, "one of the options")
    hit = qp.cache.get(value)  # set only for options that need no evidence
    if hit is not None:
        return hit
    opt = qp.options.get(value)
    if opt is None:
        return _invalid(qp, value, "one of the options")
    required = opt.required
    has_file, has_reason = _evidence(answer) if required else (False, False)
    key = (value, has_file, has_reason) if required else value
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
    pct, reason = score_option(opt.choice)
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


def _multi(qp: QuestionPlan, answer: Answer, refs: References) -> Outcome:
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
    if not qp.scored:
        reason = "selected " + ", ".join(f'"{v}"' for v in values)
        if required:
            reason += _required_note(has_file, has_reason)
        out = qp.answered(
            None,
            shown,
            reason,
            chosen=chosen,
            evidence_required=required,
            has_file=has_file,
            has_reason=has_reason,
        )
        return qp.remember(key, out)
    pct, reason = score_multi(tuple(o.choice for o in chosen))
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
    )
    return qp.remember(key, out)


def _date(qp: QuestionPlan, answer: Answer, refs: References) -> Outcome:
    value = answer.value
    if type(value) is not datetime.date:
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            return _invalid(qp, value, "a date")
    required = qp.evidence_required
    has_file, has_reason = _evidence(answer) if required else (False, False)
    rule = qp.date_rule
    ref = refs[rule.reference] if rule is not None and qp.scored else None
    key = (value, ref, has_file, has_reason)
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
    pct, reason = score_date(rule, value, ref)
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


def _number(qp: QuestionPlan, answer: Answer, refs: References) -> Outcome:
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


def _text(qp: QuestionPlan, answer: Answer, refs: References) -> Outcome:
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


def _evidence_question(qp: QuestionPlan, answer: Answer, refs: References) -> Outcome:
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


Scorer = Callable[[QuestionPlan, Answer, References], Outcome]
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


def outcome(qp: QuestionPlan, answer: Answer | None, refs: References) -> Outcome:
    """Return what a shown question contributes, given its answer (None: unanswered)."""
    if answer is None:
        return qp.unanswered
    if answer.na:
        if qp.allow_na:
            return qp.na
        return qp.not_answered("answered N/A, which this question does not allow, so unanswered")
    return SCORERS[qp.kind](qp, answer, refs)
