"""Rules that span fields or the whole template, checked on the parsed model.

Each problem carries the YAML path it concerns so the validator can turn it into file:line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from .loader import YamlPath
from .outcome_rules import outcome_problems
from .problem import Problem
from .schema import (
    CHOICE_TYPES,
    FINDING_TITLE_MAX,
    TEXT_TYPES,
    UNSCORABLE_TYPES,
    YES_NO_VALUES,
    All,
    Any,
    Condition,
    Not,
    Question,
    QuestionIn,
    Template,
)

INCIDENT_CATEGORIES = ("certificate_rotation", "incident_readiness")
FINDING_TITLE_NEEDED = (
    "a scored question needs a finding_title: the short name of the gap a finding will carry "
    f"(at most {FINDING_TITLE_MAX} characters, e.g. 'Certificate not rotated')"
)


def condition_refs(
    condition: Condition | None, path: YamlPath
) -> Iterator[tuple[QuestionIn, YamlPath]]:
    """Yield every question reference in a condition with its YAML path."""
    if condition is None:
        return
    if isinstance(condition, QuestionIn):
        yield condition, path
    elif isinstance(condition, All | Any):
        key = "all" if isinstance(condition, All) else "any"
        for i, sub in enumerate(condition.conditions):
            yield from condition_refs(sub, (*path, key, i))
    elif isinstance(condition, Not):
        yield from condition_refs(condition.condition, (*path, "not"))


def _names(values: Iterable[object], shown: int = 20) -> str:
    names = [str(v) for v in values]
    if len(names) > shown:  # a message stays short however many ids a template declares
        return ", ".join(names[:shown]) + f" and {len(names) - shown} more"
    return ", ".join(names) if names else "(none)"


def _duplicates(items: list[tuple[str, YamlPath]], what: str) -> Iterator[Problem]:
    counts = Counter(value for value, _ in items)
    seen: set[str] = set()
    for value, path in items:
        if counts[value] > 1 and value in seen:
            yield Problem(path, f"duplicate {what} '{value}'")
        seen.add(value)


def _template_problems(t: Template) -> Iterator[Problem]:
    yield from _duplicates(
        [(c.id, ("categories", i, "id")) for i, c in enumerate(t.categories)], "category id"
    )
    yield from _duplicates(
        [(s.id, ("sections", i, "id")) for i, s in enumerate(t.sections)], "section id"
    )
    yield from _duplicates(
        [
            (q.id, ("sections", si, "questions", qi, "id"))
            for si, s in enumerate(t.sections)
            for qi, q in enumerate(s.questions)
        ],
        "question id",
    )
    yield from _duplicates(
        [(r.name, ("reference_dates", i, "name")) for i, r in enumerate(t.reference_dates)],
        "reference date",
    )
    yield from _duplicates([(a, ("advisories", i)) for i, a in enumerate(t.advisories)], "advisory")
    yield from _band_problems(t)
    if t.kind == "incident":
        declared = {c.id for c in t.categories}
        for needed in INCIDENT_CATEGORIES:
            if needed not in declared:
                yield Problem(
                    ("categories",) if t.categories else ("kind",),
                    f"an incident template must declare the category '{needed}'",
                )
    scored_categories = {q.category for q in t.questions() if q.scored}
    if not scored_categories <= {c.id for c in t.categories}:
        return  # a misspelt category is reported on its question; don't also call one unused
    for i, category in enumerate(t.categories):
        if category.id not in scored_categories:
            yield Problem(
                ("categories", i, "id"), f"category '{category.id}' has no scored question"
            )


def _band_problems(t: Template) -> Iterator[Problem]:
    bands = t.rating_bands
    if bands is not None:
        if not bands:
            yield Problem(
                ("rating_bands",), "rating_bands must not be empty (omit it for the defaults)"
            )
            return
        yield from _duplicates(
            [(b.id, ("rating_bands", i, "id")) for i, b in enumerate(bands)], "rating band id"
        )
        for i in range(1, len(bands)):
            if bands[i].min_score >= bands[i - 1].min_score:
                yield Problem(
                    ("rating_bands", i, "min_score"),
                    f"rating bands must be listed best first with descending min_score: "
                    f"band '{bands[i].id}' ({bands[i].min_score:g}) is not below "
                    f"'{bands[i - 1].id}' ({bands[i - 1].min_score:g})",
                )
        if bands[-1].min_score != 0:
            yield Problem(
                ("rating_bands", len(bands) - 1, "min_score"),
                f"the lowest rating band '{bands[-1].id}' must have min_score 0 "
                f"(got {bands[-1].min_score:g})",
            )
    if t.critical_cap is not None and t.critical_cap not in {b.id for b in t.bands}:
        yield Problem(
            ("critical_cap",),
            f"critical_cap refers to unknown rating band '{t.critical_cap}' "
            f"(bands: {_names([b.id for b in t.bands])})",
        )


def _option_problems(q: Question, base: YamlPath) -> Iterator[Problem]:
    if q.type in CHOICE_TYPES:
        if not q.options:
            yield Problem(base + ("type",), f"a {q.type} question needs options", q.id)
            return
    elif q.options:
        yield Problem(base + ("options",), f"a {q.type} question cannot have options", q.id)
        return
    yield from (
        Problem(p.path, p.reason, q.id)
        for p in _duplicates(
            [(o.value, (*base, "options", i, "value")) for i, o in enumerate(q.options)],
            "option value",
        )
    )
    if q.type == "yes_no":
        values = set(q.option_values)
        if not {"yes", "no"} <= values or not values <= YES_NO_VALUES:
            yield Problem(
                base + ("options",),
                "a yes_no question must have the option values yes and no (and optionally "
                f"unsure), got: {_names(q.option_values)}",
                q.id,
            )
    if q.scored:
        unscored = [(i, o.value) for i, o in enumerate(q.options) if o.score is None]
        if unscored:
            yield Problem(
                (*base, "options", unscored[0][0]),
                f"options without score on a weighted question: {_names(v for _, v in unscored)}"
                " (give each a score 0..100, or set weight: 0)",
                q.id,
            )


def _rule_problems(
    t: Template, q: Question, base: YamlPath, references: frozenset[str]
) -> Iterator[Problem]:
    if q.date_rule is not None and q.type != "date":
        yield Problem(base + ("date_rule",), "date_rule is only allowed on date questions", q.id)
    if q.number_rule is not None and q.type != "number":
        yield Problem(
            base + ("number_rule",), "number_rule is only allowed on number questions", q.id
        )
    if q.scored and q.type in UNSCORABLE_TYPES:
        yield Problem(
            base + ("weight",),
            f"a {q.type} question cannot be scored; set weight: 0 or leave weight out",
            q.id,
        )
    if q.scored and q.type == "date" and q.date_rule is None:
        yield Problem(base + ("weight",), "a weighted date question needs a date_rule", q.id)
    if q.scored and q.type == "number" and q.number_rule is None:
        yield Problem(base + ("weight",), "a weighted number question needs a number_rule", q.id)
    if q.date_rule is not None:
        rule, path = q.date_rule, (*base, "date_rule")
        if rule.reference not in references:
            yield Problem(
                (*path, "reference"),
                f"date_rule refers to undeclared reference date '{rule.reference}' "
                f"(declared: {_names(r.name for r in t.reference_dates)})",
                q.id,
            )
        days = [s.within_days for s in rule.steps]
        if days != sorted(set(days)):
            yield Problem(
                (*path, "steps"),
                "date_rule steps must have strictly increasing within_days",
                q.id,
            )
    if q.number_rule is not None:
        yield from _number_rule_problems(q, (*base, "number_rule"))


def _number_rule_problems(q: Question, path: YamlPath) -> Iterator[Problem]:
    assert q.number_rule is not None
    rule = q.number_rule
    bound, other = ("max", "min") if rule.direction == "lower_is_better" else ("min", "max")
    for i, step in enumerate(rule.steps):
        if getattr(step, bound) is None or getattr(step, other) is not None:
            yield Problem(
                (*path, "steps", i),
                f"number_rule with direction {rule.direction} needs '{bound}' (and no "
                f"'{other}') on every step",
                q.id,
            )
            return
    limits = [getattr(s, bound) for s in rule.steps]
    ordered = sorted(set(limits), reverse=bound == "min")
    if limits != ordered:
        order = "increasing" if bound == "max" else "decreasing"
        yield Problem(
            (*path, "steps"), f"number_rule steps must have strictly {order} '{bound}'", q.id
        )


def _certificate_problems(
    t: Template, q: Question, base: YamlPath, references: frozenset[str]
) -> Iterator[Problem]:
    spec = q.certificate
    if spec is None:
        return
    path = (*base, "certificate")
    if q.type not in ("date", "evidence"):
        yield Problem(path, "certificate is only allowed on date and evidence questions", q.id)
    if spec.compromise is not None and spec.compromise not in references:
        yield Problem(
            (*path, "compromise"),
            f"certificate refers to undeclared reference date '{spec.compromise}' "
            f"(declared: {_names(r.name for r in t.reference_dates)})",
            q.id,
        )
    if spec.claimed_date is None:
        return
    if q.type == "date":
        yield Problem(
            (*path, "claimed_date"),
            "a date question's certificate backs its own answer: leave out claimed_date",
            q.id,
        )
        return
    try:
        claimed = t.question(spec.claimed_date)
    except KeyError:
        yield Problem(
            (*path, "claimed_date"),
            f"certificate claimed_date refers to unknown question '{spec.claimed_date}'",
            q.id,
        )
        return
    if claimed.type != "date":
        yield Problem(
            (*path, "claimed_date"),
            f"certificate claimed_date must name a date question; '{claimed.id}' is {claimed.type}",
            q.id,
        )


def _question_problems(
    t: Template,
    q: Question,
    base: YamlPath,
    categories: frozenset[str],
    references: frozenset[str],
) -> Iterator[Problem]:
    yield from _option_problems(q, base)
    yield from _rule_problems(t, q, base, references)
    yield from _certificate_problems(t, q, base, references)
    if q.scored:
        if q.category is None:
            yield Problem(base + ("weight",), "a weighted question needs a category", q.id)
        if not (q.remediation or "").strip():
            yield Problem(base + ("id",), "a scored question needs a remediation", q.id)
        if not q.frameworks:
            yield Problem(base + ("id",), "a scored question needs at least one framework", q.id)
        if q.finding_title is None:
            # Versions stored before this rule keep the review's fallback (a shortened text).
            yield Problem(base + ("finding_title",), FINDING_TITLE_NEEDED, q.id)
    if q.category is not None and q.category not in categories:
        yield Problem(
            base + ("category",),
            f"unknown category '{q.category}' (declared: {_names([c.id for c in t.categories])})",
            q.id,
        )
    if q.critical:
        if not q.scored:
            yield Problem(
                base + ("critical",),
                "a critical question cannot fail: it is unscored (weight 0)",
                q.id,
            )
        elif not q.can_fail():
            yield Problem(
                base + ("critical",),
                "a critical question cannot fail: no answer scores below 50%",
                q.id,
            )
        if q.allow_na:
            yield Problem(
                base + ("allow_na",), "allow_na is not allowed on a critical question", q.id
            )
    if q.reuse_key is not None and not q.reusable:
        yield Problem(
            base + ("reuse_key",),
            "a question with reusable: false cannot have a reuse_key (remove one of them)",
            q.id,
        )
    if "max_length" in q.model_fields_set and q.type not in TEXT_TYPES:
        yield Problem(
            base + ("max_length",),
            "max_length applies only to text and long_text questions",
            q.id,
        )


def _show_if_problems(t: Template) -> Iterator[Problem]:
    position = {q.id: i for i, q in reversed(list(enumerate(t.questions())))}
    by_id = {q.id: q for q in reversed(t.questions())}  # the first of a duplicated id, in O(1)
    edges: dict[str, set[str]] = {q.id: set() for q in t.questions()}
    index = 0
    for si, section in enumerate(t.sections):
        first = index
        section_ids = {q.id for q in section.questions}
        for ref, path in condition_refs(section.show_if, ("sections", si, "show_if")):
            where = f"section {section.id}: "
            if ref.question in section_ids:
                yield Problem(
                    (*path, "question"),
                    f"{where}show_if refers to question {ref.question} inside the same section "
                    "(a cycle: the section's visibility would depend on itself)",
                )
                continue
            yield from _ref_problems(t, ref, path, position, by_id, first, where, None)
            for q in section.questions:
                edges[q.id].add(ref.question)
        for qi, q in enumerate(section.questions):
            base = ("sections", si, "questions", qi, "show_if")
            for ref, path in condition_refs(q.show_if, base):
                if ref.question == q.id:
                    yield Problem(
                        (*path, "question"), "show_if refers to the question itself (a cycle)", q.id
                    )
                    continue
                yield from _ref_problems(t, ref, path, position, by_id, index, "", q.id)
                edges[q.id].add(ref.question)
            index += 1
    yield from _cycles(t, edges)


def _ref_problems(
    t: Template,
    ref: QuestionIn,
    path: YamlPath,
    position: dict[str, int],
    first: dict[str, Question],
    before: int,
    where: str,
    qid: str | None,
) -> Iterator[Problem]:
    if ref.question not in position:
        yield Problem(
            (*path, "question"), f"{where}show_if refers to unknown question {ref.question}", qid
        )
        return
    if position[ref.question] >= before:
        yield Problem(
            (*path, "question"), f"{where}show_if refers to later question {ref.question}", qid
        )
    target = first[ref.question]
    if target.type not in CHOICE_TYPES:
        yield Problem(
            (*path, "question"),
            f"{where}show_if refers to question {ref.question} of type {target.type}, "
            "which has no options",
            qid,
        )
        return
    for i, value in enumerate(ref.values):
        if value not in target.option_values:
            yield Problem(
                (*path, "in", i),
                f"{where}show_if refers to option '{value}' that question {ref.question} does "
                f"not have (options: {_names(target.option_values)})",
                qid,
            )


def _cycles(t: Template, edges: dict[str, set[str]]) -> Iterator[Problem]:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()
    paths = {
        q.id: ("sections", si, "questions", qi, "show_if")
        for si, s in enumerate(t.sections)
        for qi, q in enumerate(s.questions)
    }

    # Depth-first with a stack of its own: a chain of thousands of show_ifs must not recurse.
    for q in t.questions():
        if state.get(q.id) is not None:
            continue
        state[q.id] = 1
        trail, pending = [q.id], [iter(sorted(edges.get(q.id, ())))]
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                pending.pop()
                state[trail.pop()] = 2
            elif state.get(nxt) == 1:
                cycle = trail[trail.index(nxt) :] + [nxt]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    yield Problem(paths[nxt], "show_if cycle: " + " -> ".join(cycle), nxt)
            elif nxt in edges and state.get(nxt) is None:
                state[nxt] = 1
                trail.append(nxt)
                pending.append(iter(sorted(edges.get(nxt, ()))))


def unmapped_questions(template: Template) -> list[Problem]:
    """Return a problem for every question, scored or not, that names no control in `frameworks`.

    A question without a control reference cannot appear in a coverage table, so the content
    review treats it as a gap; scored questions are already refused by `check_template`.
    """
    return [
        Problem(
            ("sections", si, "questions", qi, "id"),
            "maps to no control: add at least one reference to frameworks",
            question.id,
        )
        for si, section in enumerate(template.sections)
        for qi, question in enumerate(section.questions)
        if not question.frameworks and not question.scored
    ]


def check_template(template: Template) -> list[Problem]:
    """Return every cross-field rule the parsed template breaks (empty when it is sound)."""
    problems = list(_template_problems(template))
    # Declared ids are collected once: per question, they would cost questions x declarations.
    categories = frozenset(c.id for c in template.categories)
    references = frozenset(r.name for r in template.reference_dates)
    for si, section in enumerate(template.sections):
        for qi, question in enumerate(section.questions):
            base: YamlPath = ("sections", si, "questions", qi)
            problems.extend(_question_problems(template, question, base, categories, references))
    problems.extend(_reuse_key_problems(template))
    problems.extend(_show_if_problems(template))
    problems.extend(outcome_problems(template))
    return problems


def _reuse_key_problems(t: Template) -> Iterator[Problem]:
    """Two reusable questions sharing a match key would both take one earlier answer."""
    holders: dict[str, list[str]] = {}
    for q in t.questions():
        if q.reusable_in(t.kind):
            holders.setdefault(q.match_key, []).append(q.id)
    for si, section in enumerate(t.sections):
        for qi, q in enumerate(section.questions):
            if q.reuse_key is None or not q.reusable_in(t.kind):
                continue
            others = [qid for qid in holders[q.reuse_key] if qid != q.id]
            if others:
                yield Problem(
                    ("sections", si, "questions", qi, "reuse_key"),
                    f"reuse_key '{q.reuse_key}' is also the reuse key of question "
                    f"'{others[0]}'; each earlier answer may be offered to one question only",
                    q.id,
                )
