"""The answer walks one way: questionnaire model -> scoring -> effective result -> pages.

The questionnaire model (schema, answers and their codec, conditions, rules, validator, loader
with its YAML reader and limits) knows nothing of scoring or of the web; scoring reads only the
model and knows nothing of Flask or the database.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "vendorrisk"
MODEL = [
    "answers",
    "canonical",
    "certificates",
    "conditions",
    "diff",
    "display",
    "helpdates",
    "limits",
    "loader",
    "outcome_rules",
    "problem",
    "rules",
    "schema",
    "validator",
    "yamlreader",
]
WEB = ("flask", "flask_wtf", "flask_login", "wtforms", "sqlalchemy", "werkzeug")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside the same package
                package = path.parent.relative_to(PACKAGE.parent).as_posix().replace("/", ".")
                if node.module:
                    found.add(f"{package}.{node.module}")
                else:  # from . import schema
                    found.update(f"{package}.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize("name", MODEL)
def test_the_questionnaire_model_imports_neither_scoring_nor_the_web(name):
    """A module of the questionnaire model imports no scoring, Flask or database code."""
    imports = _imports(PACKAGE / "questionnaires" / f"{name}.py")
    bad = sorted(
        i
        for i in imports
        if i.startswith("vendorrisk.")
        and not i.startswith("vendorrisk.questionnaires.")
        or i.split(".")[0] in WEB
    )
    assert bad == []
    inside = {i.rsplit(".", 1)[-1] for i in imports if i.startswith("vendorrisk.questionnaires.")}
    assert inside <= set(MODEL), f"{name} imports a non-model module: {inside - set(MODEL)}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "scoring").glob("*.py")), ids=lambda p: p.stem)
def test_scoring_reads_only_the_questionnaire_model(path):
    """Scoring is pure Python: it imports the questionnaire model and nothing of the web."""
    imports = _imports(path)
    bad = sorted(
        i
        for i in imports
        if i.split(".")[0] in WEB
        or (
            i.startswith("vendorrisk.")
            and not i.startswith("vendorrisk.scoring")
            and i.removeprefix("vendorrisk.questionnaires.") not in MODEL
        )
    )
    assert bad == []
