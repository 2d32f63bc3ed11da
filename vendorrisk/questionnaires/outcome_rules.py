"""Rules for the parts of the format that decide an outcome beyond points.

Exclusive options, exposure and uncertainty flags, credit conditions and the bounds of date
rules; each problem carries its YAML path, like the rules in `rules.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .helpdates import help_date_problems
from .loader import YamlPath
from .problem import Problem
from .schema import (
    CHOICE_TYPES,
    All,
    Any,
    Condition,
    DateIs,
    EvidenceAttached,
    Not,
    NumberIs,
    Question,
    QuestionIn,
    Template,
)

# Help or question text that tells the vendor an option stands alone.
_STANDS_ALONE = re.compile(
    r"\b(and no other|no other option|(do not|don't|never) (select|choose|tick) any other"
    r"|nothing else|on (its|their) own|only that option)\b",
    re.IGNORECASE,
)
_CREDIT_ONLY = (NumberIs, DateIs, EvidenceAttached)


def condition_leaves(
    condition: Condition | None, path: YamlPath
) -> Iterator[tuple[Condition, YamlPath]]:
    """Yield every leaf of a condition (anything but all / any / not) with its YAML path."""
    if condition is None:
        return
    if isinstance(condition, All | Any):
        key = "all" if isinstance(condition, All) else "any"
        for i, sub in enumerate(condition.conditions):
            yield from condition_leaves(sub, (*path, key, i))
    elif isinstance(condition, Not):
        yield from condition_leaves(condition.condition, (*path, "not"))
    else:
        yield condition, path


def _evidence_possible(q: Question) -> bool:
    return q.type == "evidence" or q.evidence != "none" or any(o.evidence for o in q.options)


def _credit_leaf_problems(
    t: Template, q: Question, leaf: Condition, path: YamlPath
) -> Iterator[Problem]:
    declared = {r.name for r in t.reference_dates}
    if isinstance(leaf, EvidenceAttached):
        if not _evidence_possible(q):
            yield Problem(
                path, "credit_if asks for evidence, but this question takes no files", q.id
            )
        return
    target_id = leaf.question  # type: ignore[union-attr]
    if target_id == q.id and not isinstance(leaf, EvidenceAttached):
        yield Problem((*path, "question"), "credit_if refers to the question itself", q.id)
        return
    try:
        target = t.question(target_id)
    except KeyError:
        yield Problem(
            (*path, "question"), f"credit_if refers to unknown question {target_id}", q.id
        )
        return
    if isinstance(leaf, QuestionIn):
        if target.type not in CHOICE_TYPES:
            yield Problem(
                (*path, "question"),
                f"credit_if uses 'in' on question {target_id} of type {target.type}",
                q.id,
            )
            return
        for i, value in enumerate(leaf.values):
            if value not in target.option_values:
                yield Problem(
                    (*path, "in", i),
                    f"credit_if refers to option '{value}' that question {target_id} does not have",
                    q.id,
                )
    elif isinstance(leaf, NumberIs):
        if target.type != "number":
            yield Problem(
                (*path, "question"),
                f"at_least/at_most need a number question; {target_id} is {target.type}",
                q.id,
            )
        if leaf.at_least is None and leaf.at_most is None:
            yield Problem(path, "give at_least, at_most or both", q.id)
    elif isinstance(leaf, DateIs):
        if target.type != "date":
            yield Problem(
                (*path, "question"),
                f"on_or_before/on_or_after need a date question; {target_id} is {target.type}",
                q.id,
            )
        bounds = [("on_or_before", leaf.on_or_before), ("on_or_after", leaf.on_or_after)]
        if all(b is None for _, b in bounds):
            yield Problem(path, "give on_or_before, on_or_after or both", q.id)
        for key, name in bounds:
            if name is not None and name not in declared:
                yield Problem((*path, key), f"{key} names undeclared reference date '{name}'", q.id)


def _option_problems(t: Template, q: Question, base: YamlPath) -> Iterator[Problem]:
    for i, opt in enumerate(q.options):
        where: YamlPath = (*base, "options", i)
        if opt.exclusive and q.type != "multi_choice":
            yield Problem(
                (*where, "exclusive"), "exclusive applies only to multi_choice options", q.id
            )
        if opt.exposed and opt.not_exposed:
            yield Problem(
                (*where, "exposed"), "an option cannot be both exposed and not_exposed", q.id
            )
        if opt.is_uncertain and opt.not_exposed:
            yield Problem(
                (*where, "not_exposed"),
                "a 'not sure' option can never rule the vendor out (not_exposed)",
                q.id,
            )
        if opt.credit_if is None:
            if "uncredited_score" in opt.model_fields_set:
                yield Problem(
                    (*where, "uncredited_score"), "uncredited_score needs a credit_if", q.id
                )
            continue
        if q.type not in ("yes_no", "single_choice"):
            yield Problem(
                (*where, "credit_if"),
                "credit_if applies only to yes_no and single_choice options",
                q.id,
            )
            continue
        if opt.score is None or not q.scored:
            yield Problem((*where, "credit_if"), "credit_if needs a scored option", q.id)
        elif opt.uncredited_score >= opt.score:
            yield Problem(
                (*where, "uncredited_score"),
                f"uncredited_score ({opt.uncredited_score:g}) must be below the option's "
                f"score ({opt.score:g}), or credit_if changes nothing",
                q.id,
            )
        for leaf, path in condition_leaves(opt.credit_if, (*where, "credit_if")):
            yield from _credit_leaf_problems(t, q, leaf, path)
    if q.type == "multi_choice" and not any(o.exclusive for o in q.options):
        for key in ("text", "help"):
            text = getattr(q, key) or ""
            if _STANDS_ALONE.search(text):
                yield Problem(
                    (*base, key),
                    "the text says an option stands alone; mark that option `exclusive: true` "
                    "so the form and the scoring enforce it",
                    q.id,
                )
                break


def _date_rule_problems(t: Template, q: Question, base: YamlPath) -> Iterator[Problem]:
    rule = q.date_rule
    if rule is None:
        return
    path: YamlPath = (*base, "date_rule")
    declared = {r.name: r for r in t.reference_dates}
    if rule.earliest is not None and rule.earliest not in declared:
        yield Problem(
            (*path, "earliest"),
            f"earliest names undeclared reference date '{rule.earliest}'",
            q.id,
        )
    if rule.earliest is not None and rule.open_start:
        yield Problem(
            (*path, "open_start"), "give either earliest or open_start: true, not both", q.id
        )
    if rule.earliest is None:
        if rule.before_reference_score > 0 and not rule.open_start:
            yield Problem(
                (*path, "before_reference_score"),
                "a date_rule that credits answers before its reference needs an `earliest` "
                "bound (a date before the compromise must not earn credit), or `open_start: "
                "true` where any earlier day is as good (the start of a log search)",
                q.id,
            )
        if "too_early" in rule.model_fields_set:
            yield Problem((*path, "too_early"), "too_early needs an `earliest` bound", q.id)
    elif rule.earliest in declared and rule.reference in declared:
        first, ref = declared[rule.earliest].default, declared[rule.reference].default
        if first is not None and ref is not None and first > ref:
            yield Problem(
                (*path, "earliest"),
                f"earliest ({rule.earliest}, {first}) falls after the reference "
                f"({rule.reference}, {ref})",
                q.id,
            )
    if q.help:
        defaults = {r.name: r.default for r in t.reference_dates if r.default is not None}
        for reason in help_date_problems(q.help, rule, defaults):
            yield Problem((*base, "help"), reason, q.id)


def _show_if_leaf_problems(t: Template) -> Iterator[Problem]:
    for si, section in enumerate(t.sections):
        conditions: list[tuple[Condition | None, YamlPath, str | None]] = [
            (section.show_if, ("sections", si, "show_if"), None)
        ]
        conditions += [
            (q.show_if, ("sections", si, "questions", qi, "show_if"), q.id)
            for qi, q in enumerate(section.questions)
        ]
        for condition, path, qid in conditions:
            for leaf, where in condition_leaves(condition, path):
                if isinstance(leaf, _CREDIT_ONLY):
                    yield Problem(
                        where,
                        "show_if can only test choices ('question' with 'in'); number, date "
                        "and evidence tests belong in credit_if",
                        qid,
                    )


def outcome_problems(t: Template) -> Iterator[Problem]:
    """Yield every problem with exclusive options, flags, credit conditions and date rules."""
    for si, section in enumerate(t.sections):
        for qi, q in enumerate(section.questions):
            base: YamlPath = ("sections", si, "questions", qi)
            yield from _option_problems(t, q, base)
            yield from _date_rule_problems(t, q, base)
    yield from _show_if_leaf_problems(t)
