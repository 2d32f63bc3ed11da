"""Visibility of sections and questions (`show_if`): the one rule forms and scoring share.

A question is visible when its section's condition and its own are true. Conditions only see
answers to questions that are themselves visible: an answer left behind on a question that a
later change of mind hid does not keep its dependants visible.
"""

from __future__ import annotations

from collections.abc import Iterator

from .answers import Answer, Answers
from .schema import All, Any, Condition, Not, Question, QuestionIn, Section, Template


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
