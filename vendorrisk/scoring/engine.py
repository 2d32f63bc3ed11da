"""Score one response: visibility, each question's outcome, category and overall scores, band."""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Mapping
from fractions import Fraction

from vendorrisk.questionnaires.answers import Answer, Answers
from vendorrisk.questionnaires.conditions import is_visible, visible_questions
from vendorrisk.questionnaires.schema import Template

from .certificates import certificate_notes
from .outcomes import SCORERS, Context, outcome
from .plan import TemplatePlan, plan_for
from .question_plan import TALLIES, Outcome
from .result import CategoryScore, Completeness, ReviewFlag, ScoreResult, Status

# Bump whenever a change to the rules could change any stored result (golden tests say so).
# 2: outcome precedence (exposure and impact beat "not exposed", "not sure" never rules a
#    vendor out), exclusive options, credit conditions, date-rule bounds, review flags.
# 3: certificate checks (a trace note on certificate questions, a "certificate" review flag).
ENGINE_VERSION = "3"

_SCORED, _UNSCORED, _HIDDEN, _NA, _UNANSWERED, _SKIPPED = (
    TALLIES.index(status)
    for status in (
        Status.SCORED,
        Status.UNSCORED,
        Status.HIDDEN,
        Status.NA,
        Status.UNANSWERED,
        Status.SKIPPED,
    )
)


def _sections_shown(
    template: Template, plan: TemplatePlan, answers: Answers, shown: set[str]
) -> dict[int, bool]:
    # Only to word the trace ("its section is not shown"); visibility itself comes from
    # visible_questions. A section's condition sees the shown answers before it.
    result: dict[int, bool] = {}
    seen: dict[str, Answer] = {}
    for index, section in enumerate(template.sections):
        if index in plan.sections_with_condition:
            result[index] = is_visible(section.show_if, seen)
        for q in section.questions:
            if q.id in shown and q.id in answers:
                seen[q.id] = answers[q.id]
    return result


def _outcomes(
    template: Template,
    plan: TemplatePlan,
    answers: Answers,
    refs: Mapping[str, datetime.date],
) -> tuple[list[Outcome], Answers]:
    shown = {q.id for q in visible_questions(template, answers)}
    ctx = Context({qid: a for qid, a in answers.items() if qid in shown}, refs)
    conditional = plan.sections_with_condition
    witnesses = plan.section_witness
    scorers = SCORERS
    sections_shown: dict[int, bool] | None = None
    outcomes = []
    for qp in plan.questions:
        qid = qp.id
        if qid in shown:
            answer = answers.get(qid)
            if answer is None:
                out = qp.unanswered
            elif answer.na:
                out = outcome(qp, answer, ctx)
            else:
                out = scorers[qp.kind](qp, answer, ctx)
        elif qp.section_index in conditional:
            witness = witnesses[qp.section_index]
            if witness is not None:
                section_shown = witness in shown
            else:
                if sections_shown is None:
                    sections_shown = _sections_shown(template, plan, answers, shown)
                section_shown = sections_shown[qp.section_index]
            out = qp.hidden_by_condition if section_shown else qp.hidden_by_section
        else:
            out = qp.hidden_by_condition
        outcomes.append(out)
    return outcomes, ctx.answers


def _categories(
    plan: TemplatePlan, outcomes: list[Outcome]
) -> tuple[tuple[CategoryScore, ...], Fraction | None]:
    size = len(plan.categories)
    possible = [0] * size
    earned = [0] * size
    for out in outcomes:
        if out.cat >= 0:
            possible[out.cat] += out.possible
            earned[out.cat] += out.earned
    # overall = sum(w * 100 * e / p) / sum(w) over scored categories, kept in whole numbers:
    # integer weights a (proportional to w) over the least common multiple of the p.
    common = math.lcm(1, *(p for p in possible if p))
    numerator = 0
    weight_sum = 0
    fraction = plan.fraction
    denominator = plan.denominator
    categories = []
    for cp, p, e in zip(plan.categories, possible, earned, strict=True):
        score = None
        if p:
            score = fraction(100 * e, p)
            numerator += cp.int_weight * 100 * e * (common // p)
            weight_sum += cp.int_weight
        categories.append(
            CategoryScore(
                cp.id,
                cp.title,
                cp.weight,
                fraction(p, denominator),
                fraction(e, denominator),
                score,
            )
        )
    overall = fraction(numerator, weight_sum * common) if weight_sum else None
    return tuple(categories), overall


def _precedence(special: list[Outcome]) -> tuple[tuple[str, ...], tuple[ReviewFlag, ...]]:
    """Decide "not exposed" by the precedence of outcomes; return who rules it out and flags.

    An exposure or impact answer anywhere beats a "not exposed" answer (the result goes to a
    reviewer, listing both); a "not sure" on a question that bears on exposure keeps the vendor
    from being ruled out (also flagged), and so does a "not exposed" option ticked beside others
    where it must stand alone. Every other flag an outcome raised is kept.
    """
    flags = [f for o in special for f in o.flags]
    # An answer that ticks a stand-alone option beside others says two things at once: it
    # cannot rule exposure out (the exclusive flag already sends it to a reviewer).
    combined = {q for f in flags if f.kind == "exclusive" for q in f.question_ids}
    ruled_out = tuple(o.entry.question_id for o in special if o.not_exposed)
    if not ruled_out:
        return (), tuple(flags)
    against = [o for o in special if o.exposed or o.signals]
    unsure = [o for o in special if o.uncertain]
    said = ", ".join(ruled_out)
    if against:
        others = ", ".join(
            f'{o.entry.question_id} ("{o.entry.answer}")' for o in against if o.entry.answer
        ) or ", ".join(o.entry.question_id for o in against)
        flags.append(
            ReviewFlag(
                "contradiction",
                tuple(dict.fromkeys([*ruled_out, *(o.entry.question_id for o in against)])),
                f"contradictory answers: {said} rule exposure out, but {others} report "
                "exposure or impact",
            )
        )
    if unsure:
        flags.append(
            ReviewFlag(
                "uncertain",
                tuple(dict.fromkeys([*ruled_out, *(o.entry.question_id for o in unsure)])),
                f"not ruled out: {said} rule exposure out, but the vendor is not sure in "
                + ", ".join(o.entry.question_id for o in unsure),
            )
        )
    if against or unsure or combined.intersection(ruled_out):
        return (), tuple(flags)
    return ruled_out, tuple(flags)


def score_response(
    template: Template,
    answers: Answers,
    reference_dates: Mapping[str, datetime.date] | None = None,
) -> ScoreResult:
    """Score a response against its template version."""
    plan = plan_for(template)
    refs = plan.resolve_reference_dates(reference_dates)
    outcomes, shown_answers = _outcomes(template, plan, answers, refs)
    categories, overall = _categories(plan, outcomes)
    trace = [o.entry for o in outcomes]
    certificate_flags: tuple[ReviewFlag, ...] = ()
    if plan.has_certificates:
        notes, certificate_flags = certificate_notes(template, shown_answers, refs)
        trace = [
            dataclasses.replace(e, reason=f"{e.reason}; {notes[e.question_id]}")
            if e.question_id in notes
            else e
            for e in trace
        ]

    tallies = [0] * len(TALLIES)
    for out in outcomes:
        tallies[out.tally] += 1
    special = [out for out in outcomes if out.special]
    capped_by = tuple(o.entry.question_id for o in special if o.critical_fail)
    not_exposed_by, review_flags = _precedence(special)
    band, band_label, uncapped_band = plan.band(
        None if not_exposed_by else overall, bool(capped_by)
    )

    unanswered_required: tuple[str, ...] = ()
    unanswered_optional: tuple[str, ...] = ()
    if tallies[_UNANSWERED]:
        unanswered_required = tuple(o.entry.question_id for o in outcomes if o.tally == _UNANSWERED)
    if tallies[_SKIPPED]:
        unanswered_optional = tuple(o.entry.question_id for o in outcomes if o.tally == _SKIPPED)
    completeness = Completeness(
        visible=len(outcomes) - tallies[_HIDDEN],
        hidden=tallies[_HIDDEN],
        answered=tallies[_SCORED] + tallies[_UNSCORED],
        na=tallies[_NA],
        unanswered_required=unanswered_required,
        unanswered_optional=unanswered_optional,
        missing_evidence=tuple(o.entry.question_id for o in special if o.missing_evidence),
        evidence_reasons=tuple(o.entry.question_id for o in special if o.by_reason),
    )
    return ScoreResult(
        engine_version=ENGINE_VERSION,
        template_id=plan.template_id,
        template_hash=plan.template_hash,
        answers=dict(answers),
        reference_dates=refs,
        overall=overall,
        categories=categories,
        band=band,
        band_label=band_label,
        uncapped_band=uncapped_band,
        capped_by=capped_by,
        not_exposed=bool(not_exposed_by),
        not_exposed_by=not_exposed_by,
        impact_signals=tuple(s for o in special for s in o.signals),
        findings=tuple(o.finding for o in special if o.finding is not None),
        completeness=completeness,
        trace=tuple(trace),
        review_flags=review_flags + certificate_flags,
    )
