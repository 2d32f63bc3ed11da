"""The column mapping of a spreadsheet import: which column holds what, and the defaults.

A mapping is YAML (a file for `flask questionnaires import-sheet --map`, or saved by name in
the app), read by the template loader under its limits and checked by the model below.
"""

from __future__ import annotations

from typing import Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from vendorrisk.questionnaires.drafts import dump
from vendorrisk.questionnaires.loader import YamlLoadError, decode_source, load_yaml_text
from vendorrisk.questionnaires.schema import MAX_WEIGHT

from .common import ImportRefused, Problem

FIELDS = (
    "id",
    "section",
    "text",
    "type",
    "choices",
    "help",
    "controls",
    "weight",
    "finding_title",
)
FIELD_LABELS = {
    "id": "Question id",
    "section": "Section",
    "text": "Question text",
    "type": "Answer type",
    "choices": "Choices",
    "help": "Help",
    "controls": "Control ids",
    "weight": "Weight",
    "finding_title": "Finding title",
}
REQUIRED_FIELDS = ("id", "text")
AnswerType = Literal[
    "yes_no", "single_choice", "multi_choice", "date", "number", "text", "long_text", "evidence"
]
ANSWER_TYPES: tuple[str, ...] = AnswerType.__args__  # type: ignore[attr-defined]
MAX_NAME = 120


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Columns(_Model):
    """The header text of the column holding each field (matched ignoring case and spaces)."""

    id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=200)
    section: str | None = Field(default=None, max_length=200)
    type: str | None = Field(default=None, max_length=200)
    choices: str | None = Field(default=None, max_length=200)
    help: str | None = Field(default=None, max_length=200)
    controls: str | None = Field(default=None, max_length=200)
    weight: str | None = Field(default=None, max_length=200)
    finding_title: str | None = Field(default=None, max_length=200)


class Defaults(_Model):
    """What a question gets when its row (or the sheet) says nothing."""

    type: AnswerType = "yes_no"
    weight: float = Field(default=0, ge=0, le=MAX_WEIGHT)
    section: str = Field(default="Questions", min_length=1, max_length=300)
    framework: str | None = Field(default=None, max_length=100)
    allow_na: bool = False


class TemplateInfo(_Model):
    """The template's own id, title and kind (id and title default to the file's name)."""

    id: str | None = Field(default=None, max_length=120)
    title: str | None = Field(default=None, max_length=300)
    kind: Literal["baseline", "incident"] = "baseline"
    description: str | None = Field(default=None, max_length=10000)


class Mapping(_Model):
    """A whole mapping file."""

    sheet: str | None = Field(default=None, max_length=100)
    header_row: int = Field(default=1, ge=1, le=100)
    columns: Columns
    defaults: Defaults = Defaults()
    template: TemplateInfo = TemplateInfo()

    def columns_used(self) -> dict[str, str]:
        """Return field -> header text for every field the mapping names."""
        return {f: v for f in FIELDS if (v := getattr(self.columns, f))}


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "the mapping"


def parse_mapping(source: str | bytes, filename: str) -> Mapping:
    """Read a mapping's YAML; raise ImportRefused with `file:line: key: reason` problems."""
    try:
        loaded = load_yaml_text(decode_source(source))
    except YamlLoadError as exc:
        raise ImportRefused(
            [
                Problem(f"{filename}:{p.line}" if p.line else filename, p.reason)
                for p in exc.problems
            ]
        ) from exc
    if not isinstance(loaded.data, dict):
        raise ImportRefused([Problem(filename, "a mapping is a YAML mapping with 'columns'")])
    try:
        return Mapping.model_validate(_plain(loaded.data))
    except pydantic.ValidationError as exc:
        problems = []
        for error in exc.errors():
            line = loaded.line_for(tuple(error["loc"]))
            where = f"{filename}:{line}" if line else filename
            reason = (
                "unknown key (the keys are: " + ", ".join(_allowed(error["loc"])) + ")"
                if error["type"] == "extra_forbidden"
                else error["msg"]
            )
            problems.append(Problem(where, f"{_where(tuple(error['loc']))}: {reason}"))
        raise ImportRefused(problems) from exc


def _allowed(loc: tuple) -> list[str]:
    model: type[BaseModel] = Mapping
    for part in loc[:-1]:
        annotation = (
            model.model_fields[str(part)].annotation if str(part) in model.model_fields else None
        )
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return list(model.model_fields)


def _plain(value: object) -> object:
    """Sequences come from the loader as tuples; the model wants plain data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def mapping_yaml(mapping: Mapping) -> str:
    """Write a mapping back as YAML (what is saved by name, and what the CLI reads)."""
    return dump(mapping.model_dump(exclude_defaults=True))
