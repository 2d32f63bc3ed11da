"""Hypothesis strategies: small random templates, and random answers for any template."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.rules import condition_refs
from vendorrisk.questionnaires.schema import Question, Template

from .conftest import COMPROMISE, FILE

SCORES = [0, 10, 25, 33.3, 50, 60, 75, 100]
CHOICE = ("yes_no", "single_choice", "multi_choice")
DATE_RULE = {
    "reference": "compromise_date",
    "before_reference_score": 0,
    "steps": [
        {"within_days": 7, "score": 100},
        {"within_days": 14, "score": 80},
        {"within_days": 30, "score": 50},
    ],
    "after_score": 20,
}
DATE_RULES = [
    DATE_RULE,
    {
        "reference": "compromise_date",
        "earliest": "first_seen",
        "too_early": "review",
        "before_reference_score": 60,
        "steps": [{"within_days": 0, "score": 100}, {"within_days": 10, "score": 70}],
        "after_score": 10,
        "critical_after_days": 30,
    },
    {
        "reference": "compromise_date",
        "earliest": "first_seen",
        "before_reference_score": 100,
        "steps": [{"within_days": 5, "score": 90}],
        "after_score": 0,
    },
]
FIRST_SEEN = COMPROMISE - datetime.timedelta(days=3)
NUMBER_RULES = [
    {
        "direction": "lower_is_better",
        "steps": [{"max": 24, "score": 100}, {"max": 72, "score": 60}],
        "else_score": 0,
    },
    {
        "direction": "higher_is_better",
        "steps": [{"min": 365, "score": 100}, {"min": 90, "score": 40}],
        "else_score": 5,
    },
]
EVIDENCE = st.sampled_from(["none", "optional", "required"])


@st.composite
def _condition(draw: st.DrawFn, earlier: list[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    qid, values = draw(st.sampled_from(earlier))
    chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
    condition: dict[str, Any] = {"question": qid, "in": chosen}
    if draw(st.integers(0, 4)) == 0:
        condition = {"not": condition}
    return condition


@st.composite
def _credit(draw: st.DrawFn, earlier: list[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    evidence: dict[str, Any] = {"evidence": "attached"}
    if not earlier or draw(st.booleans()):
        return evidence
    return {"any": [draw(_condition(earlier)), evidence]}


@st.composite
def _question(
    draw: st.DrawFn, qid: str, categories: list[str], earlier: list[tuple[str, tuple[str, ...]]]
) -> dict[str, Any]:
    kind = draw(
        st.sampled_from([*CHOICE, "yes_no", "single_choice", "date", "number", "text", "evidence"])
    )
    data: dict[str, Any] = {"id": qid, "type": kind, "text": f"{qid}?"}
    scorable = kind in (*CHOICE, "date", "number")
    weight = draw(st.sampled_from([0, 0.5, 1, 2, 2.5])) if scorable else 0
    data["weight"] = weight
    if kind in CHOICE:
        values = (
            ["yes", "no"] if kind == "yes_no" else ["a", "b", "c", "d"][: draw(st.integers(2, 4))]
        )
        data["options"] = []
        for v in values:
            opt: dict[str, Any] = {
                "value": v,
                "label": v.upper(),
                "score": draw(st.sampled_from(SCORES)),
                "not_exposed": draw(st.integers(0, 9)) == 0,
                "impact_signal": draw(st.integers(0, 4)) == 0,
                "evidence": draw(st.none() | EVIDENCE),
            }
            if not opt["not_exposed"]:
                opt["exposed"] = draw(st.integers(0, 5)) == 0
                opt["uncertain"] = draw(st.integers(0, 5)) == 0
            if kind == "multi_choice":
                opt["exclusive"] = draw(st.integers(0, 4)) == 0
            elif opt["score"] > 0 and weight and draw(st.integers(0, 3)) == 0:
                opt["credit_if"] = draw(_credit(earlier))
                opt["uncredited_score"] = draw(
                    st.sampled_from([s for s in SCORES if s < opt["score"]])
                )
            data["options"].append(opt)
    elif kind == "date":
        data["date_rule"] = draw(st.sampled_from(DATE_RULES))
    elif kind == "number":
        data["number_rule"] = draw(st.sampled_from(NUMBER_RULES))
    if weight:
        data.update(
            category=draw(st.sampled_from(categories)),
            finding_title=f"Gap in {qid}",
            remediation="Fix it.",
            frameworks=["F1"],
        )
        scores = [o["score"] for o in data.get("options", [])] or [0]
        critical = min(scores) < 50 and draw(st.integers(0, 3)) == 0
        data["critical"] = critical
        data["allow_na"] = not critical and draw(st.booleans())
    else:
        data["allow_na"] = draw(st.booleans())
    data["required"] = draw(st.integers(0, 4)) > 0
    data["evidence"] = draw(EVIDENCE)
    if earlier and draw(st.integers(0, 2)) == 0:
        data["show_if"] = draw(_condition(earlier))
    return data


@st.composite
def templates(draw: st.DrawFn) -> Template:
    """Draw a small template: 1-3 categories, 1-3 sections, show_if on earlier questions."""
    categories = [f"c{i}" for i in range(draw(st.integers(1, 3)))]
    earlier: list[tuple[str, tuple[str, ...]]] = []
    sections = []
    count = 0
    for si in range(draw(st.integers(1, 3))):
        section: dict[str, Any] = {"id": f"s{si}", "title": f"S{si}", "questions": []}
        if earlier and draw(st.integers(0, 2)) == 0:
            section["show_if"] = draw(_condition(earlier))
        for _ in range(draw(st.integers(1, 5))):
            q = draw(_question(f"q{count}", categories, earlier))
            count += 1
            section["questions"].append(q)
            if q["type"] in CHOICE:
                earlier.append((q["id"], tuple(o["value"] for o in q["options"])))
        sections.append(section)
    return Template.model_validate(
        {
            "id": "generated",
            "kind": "baseline",
            "title": "Generated",
            "reference_dates": [
                {"name": "compromise_date", "label": "D", "default": COMPROMISE.isoformat()},
                {"name": "first_seen", "label": "F", "default": FIRST_SEEN.isoformat()},
            ],
            "categories": [
                {"id": c, "title": c, "weight": draw(st.sampled_from([0.5, 1, 2, 3.3]))}
                for c in categories
            ],
            "sections": sections,
        }
    )


def valid_values(q: Question) -> st.SearchStrategy[Any]:
    """Return a strategy of well-formed answer values for a question."""
    if q.type in ("yes_no", "single_choice"):
        return st.sampled_from(q.option_values)
    if q.type == "multi_choice":
        return st.lists(st.sampled_from(q.option_values), max_size=len(q.options), unique=True)
    if q.type == "date":
        return st.integers(-5, 60).map(lambda d: COMPROMISE + datetime.timedelta(days=d))
    if q.type == "number":
        return st.sampled_from([0, 12, 24, 24.5, 72, 90, 100, 400, Decimal("72.0"), Decimal("365")])
    if q.type == "evidence":
        return st.none()
    return st.sampled_from(["Done.", ""])


INVALID = st.sampled_from(["nope", 7, ["zz"], datetime.datetime(2021, 1, 13), float("nan")])


@st.composite
def answers_for(draw: st.DrawFn, template: Template) -> dict[str, Answer]:
    """Draw answers for a template: some absent, some N/A, mostly valid, a few invalid."""
    answers: dict[str, Answer] = {}
    for q in template.questions():
        roll = draw(st.integers(0, 19))
        if roll == 0:
            continue
        files = tuple([FILE] * draw(st.integers(0, 2)))
        reason = draw(st.sampled_from([None, "", "Under NDA."]))
        if roll == 1:
            answers[q.id] = Answer(None, na=True, comment="Not applicable.")
        elif roll == 2:
            answers[q.id] = Answer(draw(INVALID))
        else:
            answers[q.id] = Answer(
                draw(valid_values(q)), evidence_hashes=files, evidence_reason=reason
            )
    return answers


def referenced(template: Template) -> set[str]:
    """Return the ids of questions that some show_if refers to."""
    found: set[str] = set()
    for section in template.sections:
        for ref, _ in condition_refs(section.show_if, ()):
            found.add(ref.question)
        for q in section.questions:
            for ref, _ in condition_refs(q.show_if, ()):
                found.add(ref.question)
    return found
