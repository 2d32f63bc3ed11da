"""Measure scoring throughput on a 40-question template built in code.

Run alone: .venv/bin/python bench/scoring.py [seconds]
Prints `name: value unit` lines, e.g. `scoring throughput: 12345 responses/s`.
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vendorrisk.questionnaires.answers import Answer  # noqa: E402
from vendorrisk.questionnaires.schema import Template  # noqa: E402
from vendorrisk.scoring import score_response  # noqa: E402

COMPROMISE = datetime.date(2021, 1, 12)
CATEGORIES = ["certificate_rotation", "incident_readiness", "logging_monitoring", "data_impact"]
REMEDIATION = {
    "finding_title": "Control gap",
    "remediation": "Close the gap.",
    "frameworks": ["NIST CSF 2.0 GV.SC-08"],
}


def _yes_no(qid: str, category: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "yes_no",
        "text": f"Question {qid}?",
        "category": category,
        "weight": 2,
        "options": [
            {"value": "yes", "label": "Yes", "score": 100},
            {"value": "no", "label": "No", "score": 0},
            {"value": "unsure", "label": "Unsure", "score": 25},
        ],
        **REMEDIATION,
        **extra,
    }


def _single(qid: str, category: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "single_choice",
        "text": f"Question {qid}?",
        "category": category,
        "weight": 3,
        "options": [
            {"value": "all", "label": "All", "score": 100, "evidence": "required"},
            {"value": "most", "label": "Most", "score": 70},
            {"value": "some", "label": "Some", "score": 40},
            {"value": "none", "label": "None", "score": 0},
        ],
        **REMEDIATION,
        **extra,
    }


def _multi(qid: str, category: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "multi_choice",
        "text": f"Question {qid}?",
        "category": category,
        "weight": 4,
        "options": [
            {"value": f"c{i}", "label": f"Control {i}", "score": 25 + 5 * i} for i in range(5)
        ],
        **REMEDIATION,
    }


def _date(qid: str, category: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "date",
        "text": f"When {qid}?",
        "category": category,
        "weight": 2,
        "date_rule": {
            "reference": "compromise_date",
            "before_reference_score": 0,
            "steps": [
                {"within_days": 7, "score": 100},
                {"within_days": 14, "score": 80},
                {"within_days": 30, "score": 50},
            ],
            "after_score": 20,
        },
        **REMEDIATION,
        **extra,
    }


def _number(qid: str, category: str) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "number",
        "text": f"How many hours {qid}?",
        "category": category,
        "weight": 1.5,
        "number_rule": {
            "direction": "lower_is_better",
            "steps": [{"max": 24, "score": 100}, {"max": 72, "score": 60}],
            "else_score": 0,
        },
        **REMEDIATION,
    }


def build_template() -> Template:
    """Build a 40-question incident template with show_if, date rules and multi-choice."""
    gate = {
        "id": "uses_product",
        "type": "yes_no",
        "text": "Do you use the product?",
        "weight": 0,
        "options": [
            {"value": "yes", "label": "Yes"},
            {"value": "no", "label": "No", "not_exposed": True},
        ],
    }
    sections: list[dict[str, Any]] = [{"id": "exposure", "title": "Exposure", "questions": [gate]}]
    for s in range(4):
        category = CATEGORIES[s]
        questions: list[dict[str, Any]] = []
        for i in range(0, 9 if s < 3 else 6, 3):
            lead = f"s{s}_q{i}"
            questions.append(_yes_no(lead, category, critical=(i == 0)))
            questions.append(
                _date(f"s{s}_q{i + 1}", category, show_if={"question": lead, "in": ["yes"]})
            )
            questions.append(_single(f"s{s}_q{i + 2}", category))
        if s == 0:
            questions.append(
                {"id": "notes", "type": "long_text", "text": "Notes?", "required": False}
            )
        section: dict[str, Any] = {"id": f"s{s}", "title": f"Section {s}", "questions": questions}
        if s < 2:
            section["show_if"] = {"question": "uses_product", "in": ["yes"]}
        sections.append(section)
    extra = [
        _multi("controls_a", "incident_readiness"),
        _multi("controls_b", "data_impact"),
        _number("notify_hours", "incident_readiness"),
        {"id": "soc2", "type": "evidence", "text": "Attach SOC 2.", "allow_na": True},
        {"id": "contact", "type": "text", "text": "Who answered?"},
    ]
    sections.append({"id": "extra", "title": "More", "questions": extra})
    data = {
        "id": "bench-template",
        "kind": "incident",
        "title": "Benchmark template",
        "reference_dates": [{"name": "compromise_date", "label": "Disclosed"}],
        "categories": [
            {"id": c, "title": c, "weight": w}
            for c, w in zip(CATEGORIES, [3, 2, 2, 1], strict=True)
        ],
        "sections": sections,
    }
    template = Template.model_validate(data)
    assert len(template.questions()) == 40, len(template.questions())
    return template


def random_answers(template: Template, rng: random.Random) -> dict[str, Answer]:
    """Answer each question at random, leaving a few blank or N/A."""
    answers: dict[str, Answer] = {}
    for q in template.questions():
        roll = rng.random()
        if roll < 0.05:
            continue
        if q.allow_na and roll < 0.15:
            answers[q.id] = Answer(None, na=True, comment="Not applicable to us.")
            continue
        hashes = ("ab" * 32,) if rng.random() < 0.6 else ()
        reason = "Cannot share." if not hashes and rng.random() < 0.5 else None
        value: Any
        if q.type in ("yes_no", "single_choice"):
            value = rng.choice(q.option_values)
            if q.id == "uses_product":
                value = "yes" if roll < 0.9 else "no"
        elif q.type == "multi_choice":
            value = rng.sample(q.option_values, rng.randint(1, len(q.options)))
        elif q.type == "date":
            value = COMPROMISE + datetime.timedelta(days=rng.randint(-3, 60))
        elif q.type == "number":
            value = rng.choice([4, 12, 24, 48, 96, 7.5])
        elif q.type == "evidence":
            value = None
        else:
            value = "Some words."
        answers[q.id] = Answer(value, evidence_hashes=hashes, evidence_reason=reason)
    return answers


def main(seconds: float = 3.0) -> None:
    """Score random answer sets for a few seconds and print the throughput."""
    template = build_template()
    rng = random.Random(20210112)
    sets = [random_answers(template, rng) for _ in range(2000)]
    refs = {"compromise_date": COMPROMISE}
    for answers in sets[:200]:
        score_response(template, answers, refs)  # warm the per-template plan
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for answers in sets:
            score_response(template, answers, refs)
        count += len(sets)
    elapsed = time.perf_counter() - started
    print(f"scoring throughput: {count / elapsed:.0f} responses/s")
    print(f"scoring latency: {elapsed / count * 1e6:.1f} us/response")
    print(f"scoring questions: {len(template.questions())} questions/template")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 3.0)
