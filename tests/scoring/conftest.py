"""Builders for small scoring templates and answers, shared by the scoring tests."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.loader import load_template_path
from vendorrisk.questionnaires.rules import check_template
from vendorrisk.questionnaires.schema import Template

HERE = Path(__file__).parent
EXAMPLE = HERE / "example.yaml"
COMPROMISE = datetime.date(2021, 1, 12)
FILE = "ab" * 32  # a SHA-256 hex digest


def question(qid: str, kind: str = "yes_no", **extra: Any) -> dict[str, Any]:
    """Return a question dict; choice questions get yes 100 / no 0 options unless given."""
    data: dict[str, Any] = {"id": qid, "type": kind, "text": f"{qid}?"}
    if kind in ("yes_no", "single_choice", "multi_choice") and "options" not in extra:
        data["options"] = [
            {"value": "yes", "label": "Yes", "score": 100},
            {"value": "no", "label": "No", "score": 0},
        ]
    weight = extra.get("weight", 1 if kind not in ("text", "long_text", "evidence") else 0)
    if weight:
        data.update(
            category="security",
            remediation=f"Fix {qid}.",
            finding_title=f"Gap in {qid}",
            frameworks=["F1"],
        )
    data.update(extra)
    return data


def option(value: str, score: float | None = None, **extra: Any) -> dict[str, Any]:
    """Return an option dict."""
    data: dict[str, Any] = {"value": value, "label": value.title(), **extra}
    if score is not None:
        data["score"] = score
    return data


def build(
    *sections: list[dict[str, Any]] | dict[str, Any],
    categories: list[dict[str, Any]] | None = None,
    validate: bool = True,
    **top: Any,
) -> Template:
    """Build a template; each section is a list of questions or a full section dict."""
    data: dict[str, Any] = {
        "id": "t",
        "kind": "baseline",
        "title": "T",
        "reference_dates": [
            {"name": "compromise_date", "label": "Disclosed", "default": COMPROMISE.isoformat()}
        ],
        "categories": categories or [{"id": "security", "title": "Security", "weight": 1}],
        "sections": [
            s if isinstance(s, dict) else {"id": f"s{i}", "title": f"S{i}", "questions": s}
            for i, s in enumerate(sections)
        ],
        **top,
    }
    template = Template.model_validate(data)
    if validate:
        problems = check_template(template)
        assert not problems, problems
    return template


def ans(value: Any = None, **extra: Any) -> Answer:
    """Return an Answer."""
    return Answer(value, **extra)


@pytest.fixture(scope="session")
def example() -> Template:
    """Return the worked example of docs/scoring.md."""
    return load_template_path(EXAMPLE)
