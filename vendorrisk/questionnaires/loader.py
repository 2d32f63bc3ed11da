"""Read template YAML into plain data plus the line of every key, and parse it into the schema.

This is the one way YAML enters the application: `flask questionnaires validate`, `flask
questionnaires sync`, the template upload page and the advisory files all read through it,
under the one set of limits in `limits.py` (size, nesting, values with aliases expanded,
condition nesting). `yamlreader.py` builds the data; what it accepts is in its docstring and in
docs/questionnaire-format.md. Sequences are read as tuples, so the schema can be applied
strictly (see `parse_template`).
"""

from __future__ import annotations

import codecs
import functools
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pydantic

from .limits import MAX_BYTES, MAX_CONDITION_DEPTH
from .schema import All, DateIs, EvidenceAttached, Not, NumberIs, QuestionIn, Template
from .schema import Any as AnyOf
from .yamlreader import PathKey, YamlLoadError, YamlPath, YamlProblem, read_yaml

__all__ = [
    "LoadedYaml",
    "PathKey",
    "YamlLoadError",
    "YamlPath",
    "YamlProblem",
    "condition_depth",
    "decode_source",
    "limit_problems",
    "load_template_path",
    "load_template_text",
    "load_yaml_text",
    "parse_template",
    "read_source",
]


@dataclass(frozen=True)
class LoadedYaml:
    """Plain data from a YAML document and the 1-based line of each key / list item."""

    data: object
    lines: dict[YamlPath, int] = field(default_factory=dict)

    def line_for(self, path: YamlPath) -> int | None:
        """Return the line of the deepest recorded prefix of `path`."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


# --- bytes to text ---------------------------------------------------------------------------------


def read_source(path: str | Path) -> bytes:
    """Read a file, but never more than one byte past MAX_BYTES (enough to refuse it)."""
    with open(path, "rb") as handle:
        return handle.read(MAX_BYTES + 1)


def _size_problem(size: int) -> YamlLoadError | None:
    if size <= MAX_BYTES:
        return None
    # read_source stops one byte past the limit, so the size is not always known: say "larger".
    reason = f"the file is larger than {MAX_BYTES // 1024} KiB, the most it may be"
    return YamlLoadError([YamlProblem(None, reason)])


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def decode_source(source: str | bytes) -> str:
    """Return the text of a file or form field; raise YamlLoadError if too large or not UTF-8."""
    if isinstance(source, str):
        if error := _size_problem(_utf8_size(source)):
            raise error
        return source.removeprefix("\ufeff")
    if error := _size_problem(len(source)):
        raise error
    body = source.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        column = exc.start - body.rfind(b"\n", 0, exc.start)
        reason = (
            f"the file is not UTF-8 text: byte 0x{body[exc.start]:02X} in column {column} "
            "cannot be read; save the file as UTF-8"
        )
        raise YamlLoadError([YamlProblem(line, reason)]) from None


# --- text to data to the schema --------------------------------------------------------------------


def load_yaml_text(text: str) -> LoadedYaml:
    """Read one YAML document under the limits, recording lines; raise YamlLoadError if not."""
    if error := _size_problem(_utf8_size(text)):
        raise error
    data, lines = read_yaml(text)
    if data is None:
        return LoadedYaml(None, {(): 1})
    return LoadedYaml(data, lines)


def parse_template(loaded: LoadedYaml) -> Template:
    """Parse loaded YAML into a Template; raise pydantic.ValidationError on shape errors.

    Strict: a boolean is `true` or `false`, a number is written as one (not `"2"`), a list is a
    list; and keys are the YAML names only (`in`, never the Python field name `values`).
    """
    return Template.model_validate(loaded.data, strict=True, by_name=False)


ConditionModel = QuestionIn | All | AnyOf | Not | NumberIs | DateIs | EvidenceAttached


def condition_depth(condition: ConditionModel) -> int:
    """Return how many conditions are nested in this one (a question condition alone is 1)."""
    if isinstance(condition, All | AnyOf):
        return 1 + max(condition_depth(c) for c in condition.conditions)
    if isinstance(condition, Not):
        return 1 + condition_depth(condition.condition)
    return 1


_CONDITION_MODELS = (QuestionIn, All, AnyOf, Not)


def _types_in(annotation: object) -> Iterator[type]:
    if isinstance(annotation, type):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _types_in(arg)


@functools.cache
def _condition_fields(model: type[pydantic.BaseModel]) -> tuple[tuple[str, str], ...]:
    """Return (field, YAML key) of each field of a model that can hold a condition."""
    found = []
    for name, info in model.model_fields.items():
        kinds = set(_types_in(info.annotation))
        if any(issubclass(k, _CONDITION_MODELS) for k in kinds) or any(
            issubclass(k, pydantic.BaseModel) and k is not model and _condition_fields(k)
            for k in kinds
        ):
            alias = info.serialization_alias or info.validation_alias
            found.append((name, alias if isinstance(alias, str) else name))
    return tuple(found)


def _conditions(template: Template) -> Iterator[tuple[ConditionModel, YamlPath]]:
    """Yield every outermost condition in the template, whichever model holds it."""
    stack: list[tuple[object, YamlPath]] = [(template, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _CONDITION_MODELS):
            yield value, path
        elif isinstance(value, pydantic.BaseModel):
            for name, key in _condition_fields(type(value)):
                stack.append((getattr(value, name), (*path, key)))
        elif isinstance(value, tuple):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))


def limit_problems(template: Template) -> list[tuple[YamlPath, str]]:
    """Return every condition (show_if or any other) nested deeper than MAX_CONDITION_DEPTH."""
    problems = []
    for condition, path in _conditions(template):
        depth = condition_depth(condition)
        if depth > MAX_CONDITION_DEPTH:
            reason = (
                f"{path[-1]} is nested {depth} conditions deep; conditions may be nested at "
                f"most {MAX_CONDITION_DEPTH} deep"
            )
            problems.append((path, reason))
    return problems


def load_template_text(text: str) -> Template:
    """Read and parse template YAML without the cross-field rules (see validator for those)."""
    return parse_template(load_yaml_text(text))


def load_template_path(path: str | Path) -> Template:
    """Read and parse a template YAML file without the cross-field rules."""
    return load_template_text(decode_source(read_source(path)))
