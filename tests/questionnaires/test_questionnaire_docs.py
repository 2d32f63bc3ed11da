"""docs/questionnaire-format.md stays in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pydantic
from helpers_questionnaires import DATA

from vendorrisk.questionnaires import limits, schema
from vendorrisk.questionnaires.canonical import content_hash
from vendorrisk.questionnaires.loader import load_template_path
from vendorrisk.questionnaires.validator import validate_text

DOC = Path(__file__).parents[2] / "docs" / "questionnaire-format.md"


def example_yaml() -> str:
    text = DOC.read_text()
    section = text.split("## Complete example", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match
    return match.group(1)


def test_documented_example_is_valid_and_matches_the_fixture():
    template, errors = validate_text(example_yaml(), "docs/questionnaire-format.md")
    assert [str(e) for e in errors] == []
    assert template is not None
    assert content_hash(template) == content_hash(load_template_path(DATA / "complete.yaml"))


def test_every_key_of_the_format_is_documented():
    doc = DOC.read_text()
    missing = []
    for model in vars(schema).values():
        if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
            for name, info in model.model_fields.items():
                key = info.validation_alias if isinstance(info.validation_alias, str) else name
                if f"`{key}`" not in doc and f"{key}:" not in doc:
                    missing.append(f"{model.__name__}.{key}")
    assert missing == []


def test_the_documented_limits_are_the_ones_applied():
    """The limits table and the alias rule say what limits.py and the schema do."""
    doc = DOC.read_text()
    table = doc.split("### Limits", 1)[1].split("## ", 1)[0]
    assert f"| file size | {limits.MAX_BYTES // 1024} KiB |" in table
    assert f"| nesting of mappings and lists | {limits.MAX_DEPTH} levels" in table
    assert f"| values | {limits.MAX_VALUES:,} keys" in table
    assert f"| nesting of conditions | {limits.MAX_CONDITION_DEPTH} (" in table
    assert f"| weights | at most {schema.MAX_WEIGHT} " in table
    assert f"| errors listed | {limits.MAX_REPORTED_ERRORS} per file" in table
    assert "**Anchors and aliases** (`&name` / `*name`) work, in files and uploads alike" in doc
