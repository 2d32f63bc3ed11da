"""Visibility of sections and questions (`show_if`): the one rule forms and scoring share.

A question is visible when its section's condition and its own are true. Conditions only see
answers to questions that are themselves visible: an answer left behind on a question that a
later change of mind hid does not keep its dependants visible.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from decimal import Decimal

from .answers import Answer, Answers
from .schema import (
    All,
    Any,
    Condition,
    DateIs,
    EvidenceAttached,
    Not,
    NumberIs,
    Question,
    QuestionIn,
    Section,
    Template,
)


def is_visible(condition: Condition | None, answers: Answers) -> bool:
    """Evaluate a show_if condition against answers (no condition means visible)."""
    if condition is None:
        return True
    if isinstance(condition, QuestionIn):
        answer = answers.get(condition.question)
        if answer is None:
            return False
        return any(value in condition.values for value in answer.chosen_values())
    if isinstance(condition, All):
        return all(is_visible(c, answers) for c in condition.conditions)
    if isinstance(condition, Any):
        return any(is_visible(c, answers) for c in condition.conditions)
    if isinstance(condition, Not):
        return not is_visible(condition.condition, answers)
    raise TypeError(f"not a show_if condition: {condition!r}")


def credit_holds(
    condition: Condition,
    answers: Answers,
    references: Mapping[str, datetime.date],
    own: Answer | None,
) -> bool:
    """Evaluate a credit_if condition against the shown answers, the reference dates and the
    answer the condition belongs to (`own`, whose files `evidence: attached` looks at)."""
    if isinstance(condition, QuestionIn | Not | All | Any):
        if isinstance(condition, QuestionIn):
            return is_visible(condition, answers)
        if isinstance(condition, Not):
            return not credit_holds(condition.condition, answers, references, own)
        parts = (credit_holds(c, answers, references, own) for c in condition.conditions)
        return all(parts) if isinstance(condition, All) else any(parts)
    if isinstance(condition, EvidenceAttached):
        return own is not None and bool(own.evidence_hashes)
    if isinstance(condition, NumberIs):
        answer = answers.get(condition.question)
        value = None if answer is None or answer.na else answer.value
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return False
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            return False
        if condition.at_least is not None and number < Decimal(repr(condition.at_least)):
            return False
        return condition.at_most is None or number <= Decimal(repr(condition.at_most))
    if isinstance(condition, DateIs):
        answer = answers.get(condition.question)
        day = None if answer is None or answer.na else answer.value
        if type(day) is not datetime.date:
            return False
        if condition.on_or_before is not None and day > references[condition.on_or_before]:
            return False
        return condition.on_or_after is None or day >= references[condition.on_or_after]
    raise TypeError(f"not a condition: {condition!r}")


def _walk(template: Template, answers: Answers) -> Iterator[tuple[Section, bool, Question, bool]]:
    seen: dict[str, Answer] = {}
    for section in template.sections:
        section_visible = is_visible(section.show_if, seen)
        for question in section.questions:
            visible = section_visible and is_visible(question.show_if, seen)
            if visible and question.id in answers:
                seen[question.id] = answers[question.id]
            yield section, section_visible, question, visible


def visible_questions(template: Template, answers: Answers) -> tuple[Question, ...]:
    """Return the questions shown for these answers, in document order."""
    return tuple(q for _, _, q, visible in _walk(template, answers) if visible)


def visible_sections(template: Template, answers: Answers) -> tuple[Section, ...]:
    """Return the sections shown for these answers, in document order."""
    shown: list[Section] = []
    for section, visible, _, _ in _walk(template, answers):
        if visible and (not shown or shown[-1] is not section):
            shown.append(section)
    return tuple(shown)


def effective_answers(template: Template, answers: Answers) -> dict[str, Answer]:
    """Drop answers to questions that are hidden or not in the template."""
    return {
        q.id: answers[q.id]
        for _, _, q, visible in _walk(template, answers)
        if visible and q.id in answers
    }


def _number(value: float) -> str:
    return f"{value:g}"


def describe(condition: Condition) -> str:
    """Say a condition in plain words, for traces and reviewers ("a file is attached or ...")."""
    if isinstance(condition, QuestionIn):
        values = " or ".join(f'"{v}"' for v in condition.values)
        return f"{condition.question} is {values}"
    if isinstance(condition, EvidenceAttached):
        return "a file is attached"
    if isinstance(condition, NumberIs):
        low, high = condition.at_least, condition.at_most
        if low is not None and high is not None:
            return f"{condition.question} is from {_number(low)} to {_number(high)}"
        if low is not None:
            return f"{condition.question} is at least {_number(low)}"
        return f"{condition.question} is at most {_number(high or 0)}"
    if isinstance(condition, DateIs):
        parts = []
        if condition.on_or_after is not None:
            parts.append(f"on or after {condition.on_or_after}")
        if condition.on_or_before is not None:
            parts.append(f"on or before {condition.on_or_before}")
        return f"{condition.question} is " + " and ".join(parts)
    if isinstance(condition, Not):
        return f"not ({describe(condition.condition)})"
    if isinstance(condition, All | Any):
        joiner = " and " if isinstance(condition, All) else " or "
        parts = [
            f"({describe(c)})" if isinstance(c, All | Any) else describe(c)
            for c in condition.conditions
        ]
        return joiner.join(parts)
    raise TypeError(f"not a condition: {condition!r}")
