"""Golden results for the shipped templates: any change in scoring output must be deliberate.

Each template in questionnaires/ is scored with fixed answer sets and compared with
tests/scoring/golden/<template id>.json. Regenerate with `UPDATE_GOLDEN=1` after bumping
ENGINE_VERSION (or after a reviewed template change).
"""

from __future__ import annotations

import datetime
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.schema import Option, Question, Template
from vendorrisk.questionnaires.validator import validate_path
from vendorrisk.scoring import ENGINE_VERSION, check_trace, score_response
from vendorrisk.scoring.rescore import differences

from .conftest import FILE

ROOT = Path(__file__).parents[2]
GOLDEN = Path(__file__).parent / "golden"
TEMPLATES = sorted((ROOT / "questionnaires").glob("*.yaml"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _exposed(q: Question) -> list[Option]:
    return [o for o in q.options if not o.not_exposed] or list(q.options)


def _reference(template: Template, q: Question) -> datetime.date:
    name = q.date_rule.reference if q.date_rule else None
    for ref in template.reference_dates:
        if (name is None or ref.name == name) and ref.default is not None:
            return ref.default
    return datetime.date(2021, 1, 12)


def _date(template: Template, q: Question, best: bool) -> datetime.date:
    ref = _reference(template, q)
    rule = q.date_rule
    if rule is None:
        return ref
    days = [-1, 0, *(s.within_days for s in rule.steps), 1000]
    scores = {
        d: next(
            (s.score for s in rule.steps if 0 <= d <= s.within_days),
            rule.before_reference_score if d < 0 else rule.after_score,
        )
        for d in days
    }
    pick = max if best else min
    return ref + datetime.timedelta(days=pick(days, key=lambda d: scores[d]))


def _number(q: Question, best: bool) -> float:
    rule = q.number_rule
    if rule is None:
        return 1
    lower = rule.direction == "lower_is_better"
    bounds = [s.max if lower else s.min for s in rule.steps]
    edge = (bounds[0] if best else bounds[-1]) or 0
    if best:
        return edge
    return edge + 1000 if lower else max(edge - 1000, 0)


def best_answer(template: Template, q: Question) -> Answer | None:
    """Return the highest-scoring answer that keeps the vendor in scope, with a file."""
    value: Any
    options = _exposed(q)
    if q.type in ("yes_no", "single_choice"):
        value = max(options, key=lambda o: o.score or 0).value if q.scored else options[0].value
    elif q.type == "multi_choice":
        good = [o.value for o in options if (o.score or 0) > 0]
        value = good if q.scored and good else [options[0].value]
    elif q.type == "date":
        value = _date(template, q, best=True)
    elif q.type == "number":
        value = _number(q, best=True)
    elif q.type == "evidence":
        value = None
    else:
        value = "Answered in full."
    return Answer(value, evidence_hashes=(FILE,))


def worst_answer(template: Template, q: Question) -> Answer | None:
    """Return the lowest-scoring answer that keeps the vendor in scope, with no evidence."""
    value: Any
    options = _exposed(q)
    if q.type in ("yes_no", "single_choice"):
        value = min(options, key=lambda o: o.score or 0).value if q.scored else options[0].value
    elif q.type == "multi_choice":
        value = [min(options, key=lambda o: o.score or 0).value]
    elif q.type == "date":
        value = _date(template, q, best=False)
    elif q.type == "number":
        value = _number(q, best=False)
    else:
        return None  # text and evidence left unanswered
    return Answer(value)


def mixed_answer(template: Template, q: Question, rng: random.Random) -> Answer | None:
    """Return a pseudo-random answer (seeded by the template id, so always the same)."""
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.2 and q.allow_na:
        return Answer(None, na=True, comment="Not applicable to our service.")
    files = (FILE,) if rng.random() < 0.5 else ()
    reason = "Shared under NDA only." if not files and rng.random() < 0.5 else None
    value: Any
    if q.type in ("yes_no", "single_choice"):
        value = rng.choice(_exposed(q)).value
    elif q.type == "multi_choice":
        options = _exposed(q)
        value = [o.value for o in rng.sample(options, rng.randint(1, len(options)))]
    elif q.type == "date":
        value = _reference(template, q) + datetime.timedelta(days=rng.randint(-3, 45))
    elif q.type == "number":
        value = rng.choice([_number(q, best=True), _number(q, best=False), 48])
    elif q.type == "evidence":
        value = None
    else:
        value = "Some words."
    return Answer(value, evidence_hashes=files, evidence_reason=reason)


def answer_sets(template: Template) -> dict[str, dict[str, Answer]]:
    """Return the fixed answer sets each template is scored with."""
    rng = random.Random(template.id)
    sets: dict[str, dict[str, Answer]] = {"best": {}, "worst": {}, "mixed": {}}
    for q in template.questions():
        for name, answer in (
            ("best", best_answer(template, q)),
            ("worst", worst_answer(template, q)),
            ("mixed", mixed_answer(template, q, rng)),
        ):
            if answer is not None:
                sets[name][q.id] = answer
    ruled_out = next(
        (q for q in template.questions() if any(o.not_exposed for o in q.options)), None
    )
    if ruled_out is not None:
        value = next(o.value for o in ruled_out.options if o.not_exposed)
        chosen: Any = [value] if ruled_out.type == "multi_choice" else value
        sets["not_exposed"] = {**sets["best"], ruled_out.id: Answer(chosen)}
    return sets


def golden_data(template: Template) -> dict[str, Any]:
    """Score every answer set of a template into the golden file's content."""
    cases = {}
    for name, answers in answer_sets(template).items():
        result = score_response(template, answers)
        assert check_trace(result) == []
        cases[name] = result.to_dict()
    return {"engine_version": ENGINE_VERSION, "template_id": template.id, "cases": cases}


def test_every_shipped_template_is_covered() -> None:
    """The shipped templates are there to be scored (four of them at the time of writing)."""
    assert len(TEMPLATES) >= 4


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_shipped_template_scores_match_golden(path: Path) -> None:
    """Scoring a shipped template with fixed answers gives exactly the recorded results."""
    template, errors = validate_path(path)
    assert template is not None and not errors, [str(e) for e in errors]
    now = golden_data(template)
    golden = GOLDEN / f"{template.id}.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(json.dumps(now, indent=1, allow_nan=False) + "\n", encoding="utf-8")
        return
    assert golden.exists(), f"no golden file {golden.name}: run with UPDATE_GOLDEN=1"
    stored = json.loads(golden.read_text(encoding="utf-8"))
    regenerate = "regenerate with UPDATE_GOLDEN=1 and review the diff"
    assert stored["engine_version"] == ENGINE_VERSION, (
        f"{golden.name} was made by engine {stored['engine_version']}, the engine is now "
        f"{ENGINE_VERSION}: {regenerate}"
    )
    assert sorted(stored["cases"]) == sorted(now["cases"]), regenerate
    for name, result in now["cases"].items():
        old = stored["cases"][name]
        assert old["template_hash"] == result["template_hash"], (
            f"{path.name} changed since {golden.name} was made (no engine change needed): "
            f"{regenerate}"
        )
        changed = differences(old, result)
        assert not changed, (
            f"scoring of {template.id} / {name} changed:\n  "
            + "\n  ".join(changed[:10])
            + f"\nIf this is intended, bump ENGINE_VERSION in vendorrisk/scoring/engine.py "
            f"(now {ENGINE_VERSION}), then {regenerate}."
        )
