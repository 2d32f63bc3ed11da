"""Everything about a template that does not depend on the answers, computed once per template.

A plan turns weights and option scores into exact fractions and then into whole "units" of one
common denominator, so that summing a response's points is integer arithmetic. Plans are cached
per template object; a plan depends only on the template's content, so results do not depend on
the cache.
"""

from __future__ import annotations

import datetime
import math
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from vendorrisk.questionnaires.canonical import content_hash
from vendorrisk.questionnaires.schema import TEXT_TYPES, All, Any, DateIs, Not, Question, Template

from .question_plan import OptionPlan, QuestionPlan
from .rules import EVIDENCE_REASON_CAP, ChoiceScore, DateRulePlan, NumberRulePlan, to_fraction

PLAN_CACHE_LIMIT = 128
FRACTION_CACHE_LIMIT = 65536


class TemplateNotScorable(ValueError):
    """The template cannot be scored as written (a validated template never raises this)."""


class MissingReferenceDate(ValueError):
    """A date rule needs a reference date that was neither supplied nor defaulted."""


@dataclass(frozen=True, slots=True)
class CategoryPlan:
    """A category's id, title and exact weight."""

    id: str
    title: str
    weight: Fraction
    int_weight: int  # weight times the common denominator of all category weights


@dataclass(frozen=True, slots=True)
class BandPlan:
    """A rating band with its minimum score in whole tenths (a shown score reaches it or not)."""

    id: str
    label: str
    min_tenths: int


@dataclass(frozen=True, slots=True)
class TemplatePlan:
    """A template prepared for scoring."""

    template_id: str
    template_hash: str
    denominator: int
    categories: tuple[CategoryPlan, ...]
    bands: tuple[BandPlan, ...]
    cap_index: int
    questions: tuple[QuestionPlan, ...]
    sections_with_condition: frozenset[int]
    # Per section, a question without its own show_if: shown exactly when the section is.
    section_witness: tuple[str | None, ...]
    reference_defaults: Mapping[str, datetime.date]
    reference_needed: frozenset[str]
    has_certificates: bool = False  # some question checks a certificate (scoring/certificates)
    _fractions: dict[tuple[int, int], Fraction] = field(default_factory=dict)

    def fraction(self, numerator: int, denominator: int) -> Fraction:
        """Return Fraction(numerator, denominator), shared between results (they are frozen)."""
        key = (numerator, denominator)
        hit = self._fractions.get(key)
        if hit is None:
            hit = Fraction(numerator, denominator)
            if len(self._fractions) < FRACTION_CACHE_LIMIT:
                self._fractions[key] = hit
        return hit

    def band(
        self, overall: Fraction | None, capped: bool
    ) -> tuple[str | None, str | None, str | None]:
        """Return (band, label, band before any cap) for an overall score; Nones when unscored.

        The band follows the score as shown (one decimal, half up): 84.96 shows 85.0 and
        rates A. A failed critical question caps the band at the template's cap band.
        """
        if overall is None:
            return None, None, None
        tenths = (overall.numerator * 20 + overall.denominator) // (overall.denominator * 2)
        bands = self.bands
        index = next((i for i, b in enumerate(bands) if tenths >= b.min_tenths), len(bands) - 1)
        uncapped = bands[index].id
        if capped:
            index = max(index, self.cap_index)
        return bands[index].id, bands[index].label, uncapped

    def resolve_reference_dates(
        self, given: Mapping[str, datetime.date] | None
    ) -> dict[str, datetime.date]:
        """Return the template's defaults overridden by the dates frozen at send."""
        resolved = dict(self.reference_defaults)
        if given:
            for name, day in given.items():
                if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
                    raise TypeError(f"reference date {name!r} must be a datetime.date")
                resolved[name] = day
        missing = sorted(self.reference_needed - resolved.keys())
        if missing:
            raise MissingReferenceDate(
                f"template {self.template_id} needs reference dates: {', '.join(missing)}"
            )
        return resolved


def _scorable(q: Question) -> bool:
    if q.weight <= 0 or q.type in TEXT_TYPES:
        return False
    if q.type == "date":
        return q.date_rule is not None
    if q.type == "number":
        return q.number_rule is not None
    return True  # choices, and evidence questions (a file earns 100 %)


def _percentages(q: Question) -> list[Fraction]:
    found = [to_fraction(s) for s in q.possible_scores()]
    if q.date_rule is not None:
        found.append(to_fraction(q.date_rule.before_reference_score))
    return found


def _date_rule(q: Question) -> DateRulePlan | None:
    rule = q.date_rule
    if rule is None:
        return None
    return DateRulePlan(
        reference=rule.reference,
        before=to_fraction(rule.before_reference_score),
        steps=tuple((s.within_days, to_fraction(s.score)) for s in rule.steps),
        after=to_fraction(rule.after_score),
        earliest=rule.earliest,
        too_early_review=rule.too_early == "review",
        critical_after_days=rule.critical_after_days,
    )


def _credit_references(q: Question) -> set[str]:
    names: set[str] = set()
    for o in q.options:
        stack = [o.credit_if] if o.credit_if is not None else []
        while stack:
            c = stack.pop()
            if isinstance(c, DateIs):
                names.update(n for n in (c.on_or_before, c.on_or_after) if n)
            elif isinstance(c, All | Any):
                stack.extend(c.conditions)
            elif isinstance(c, Not):
                stack.append(c.condition)
    return names


def _number_rule(q: Question) -> NumberRulePlan | None:
    rule = q.number_rule
    if rule is None:
        return None
    lower = rule.direction == "lower_is_better"
    steps = []
    for step in rule.steps:
        bound = step.max if lower else step.min
        if bound is not None:
            steps.append((to_fraction(bound), to_fraction(step.score)))
    return NumberRulePlan(lower, tuple(steps), to_fraction(rule.else_score))


def build_plan(template: Template) -> TemplatePlan:
    """Prepare a template for scoring (use `plan_for`, which caches)."""
    weights = [to_fraction(c.weight) for c in template.categories]
    common = math.lcm(1, *(w.denominator for w in weights))
    categories = tuple(
        CategoryPlan(c.id, c.title, w, int(w * common))
        for c, w in zip(template.categories, weights, strict=True)
    )
    cat_index = {c.id: i for i, c in enumerate(categories)}
    bands = tuple(
        BandPlan(b.id, b.label, math.ceil(to_fraction(b.min_score) * 10)) for b in template.bands
    )
    cap_id = template.critical_cap_band.id
    cap_index = next(i for i, b in enumerate(bands) if b.id == cap_id)

    located = [(si, q) for si, s in enumerate(template.sections) for q in s.questions]
    weight_den = 1
    pct_den = 1
    for _, q in located:
        if _scorable(q):
            weight_den = math.lcm(weight_den, to_fraction(q.weight).denominator)
            for pct in (*_percentages(q), EVIDENCE_REASON_CAP):
                pct_den = math.lcm(pct_den, pct.denominator)
    denominator = weight_den * pct_den * 100

    questions = []
    needed = set()
    for si, q in located:
        section = template.sections[si]
        weight = to_fraction(q.weight)
        scored = _scorable(q)
        cat = -1
        if scored:
            if q.category is None or q.category not in cat_index:
                raise TemplateNotScorable(
                    f"question {q.id} has weight {q.weight:g} but no declared category"
                )
            cat = cat_index[q.category]
            if q.date_rule is not None:
                needed.add(q.date_rule.reference)
                if q.date_rule.earliest is not None:
                    needed.add(q.date_rule.earliest)
            needed.update(_credit_references(q))
        units = weight * denominator if scored else Fraction(0)
        options = {
            o.value: OptionPlan(
                ChoiceScore(o.value, o.label, None if o.score is None else to_fraction(o.score)),
                o.not_exposed,
                o.impact_signal,
                (o.evidence or q.evidence) == "required",
                o.finding,
                exposed=o.exposed,
                uncertain=o.is_uncertain,
                exclusive=o.exclusive,
                credit_if=o.credit_if,
                uncredited=None if o.credit_if is None else to_fraction(o.uncredited_score),
            )
            for o in q.options
        }
        plan = QuestionPlan(
            question=q,
            id=q.id,
            kind=q.type,
            allow_na=q.allow_na,
            evidence_required=q.evidence == "required",
            section_index=si,
            section_id=section.id,
            cat=cat,
            weight=weight if scored else Fraction(0),
            units=int(units),
            options=options,
            date_rule=_date_rule(q),
            number_rule=_number_rule(q),
            bears_on_exposure=q.bears_on_exposure,
        )
        questions.append(plan)

    defaults = {r.name: r.default for r in template.reference_dates if r.default is not None}
    return TemplatePlan(
        template_id=template.id,
        template_hash=content_hash(template),
        denominator=denominator,
        categories=categories,
        bands=bands,
        cap_index=cap_index,
        questions=tuple(questions),
        sections_with_condition=frozenset(
            i for i, s in enumerate(template.sections) if s.show_if is not None
        ),
        section_witness=tuple(
            next((q.id for q in s.questions if q.show_if is None), None) for s in template.sections
        ),
        reference_defaults=defaults,
        reference_needed=frozenset(needed),
        has_certificates=any(q.certificate is not None for q in template.questions()),
    )


_plans: dict[int, tuple[weakref.ref[Template], TemplatePlan]] = {}
_plans_lock = threading.Lock()


def _forget(key: int) -> Callable[[weakref.ref[Template]], None]:
    def drop(ref: weakref.ref[Template]) -> None:
        with _plans_lock:
            hit = _plans.get(key)
            if hit is not None and hit[0] is ref:
                del _plans[key]

    return drop


def plan_for(template: Template) -> TemplatePlan:
    """Return the cached plan of this template object, building it on first use."""
    key = id(template)
    hit = _plans.get(key)
    if hit is not None and hit[0]() is template:
        return hit[1]
    plan = build_plan(template)
    with _plans_lock:
        if len(_plans) >= PLAN_CACHE_LIMIT:
            del _plans[next(iter(_plans))]
        _plans[key] = (weakref.ref(template, _forget(key)), plan)
    return plan


def clear_plan_cache() -> None:
    """Forget every cached plan (tests use this to prove results do not depend on the cache)."""
    with _plans_lock:
        _plans.clear()
