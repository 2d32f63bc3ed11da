"""Validate template YAML and report every problem as `file:line: question id: reason`.

`check_source` is the one path from a file's bytes (or a form's text) to a template: the
command-line check, the sync of shipped files and the upload page all go through it, under the
limits in `limits.py`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

import pydantic
from pydantic_core import ErrorDetails

from . import schema
from .limits import MAX_REPORTED_ERRORS
from .loader import (
    LoadedYaml,
    YamlLoadError,
    YamlPath,
    decode_source,
    limit_problems,
    load_yaml_text,
    parse_template,
    read_source,
)
from .rules import check_template, unmapped_questions
from .schema import Template

_SELF_NAMING_ERRORS = frozenset({"negative_weight", "weight_not_positive", "weight_too_large"})


@dataclass(frozen=True)
class ValidationError:
    """One problem in a template file; `path` is the YAML path it concerns, when known."""

    file: str
    line: int | None
    question_id: str | None
    reason: str
    path: YamlPath = field(default=(), compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        subject = f"question {self.question_id}: " if self.question_id else ""
        return f"{where}: {subject}{self.reason}"


_MODEL_NAMES = {
    "Template": "the template",
    "Section": "a section",
    "Question": "a question",
    "Option": "an option",
    "Category": "a category",
    "RatingBand": "a rating band",
    "ReferenceDate": "a reference date",
    "DateRule": "a date_rule",
    "DateStep": "a date_rule step",
    "NumberRule": "a number_rule",
    "NumberStep": "a number_rule step",
    "QuestionIn": "a question condition",
    "All": "an 'all' condition",
    "Any": "an 'any' condition",
    "Not": "a 'not' condition",
    "NumberIs": "a number condition",
    "DateIs": "a date condition",
    "EvidenceAttached": "an evidence condition",
}
# Each condition model by the tag pydantic puts in an error's location (the schema's own table).
_TAG_MODELS: dict[str, type[pydantic.BaseModel]] = {
    tag: model for model, tag in schema._TAG_BY_TYPE.items()
}
_CONDITION_TAGS = frozenset(_TAG_MODELS)


def _keys(model: type[pydantic.BaseModel]) -> dict[str, str]:
    """Map each YAML key of a model to its field name."""
    return {
        info.validation_alias if isinstance(info.validation_alias, str) else name: name
        for name, info in model.model_fields.items()
    }


_CONDITION_KEYS = frozenset(key for model in _TAG_MODELS.values() for key in _keys(model))


def _models_in(annotation: object) -> list[type[pydantic.BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    found: list[type[pydantic.BaseModel]] = []
    for arg in (*get_args(annotation), getattr(annotation, "__origin__", None)):
        if arg is not None and arg is not annotation:
            found.extend(m for m in _models_in(arg) if m not in found)
    return found


def _model_at(loc: tuple[str | int, ...]) -> type[pydantic.BaseModel] | None:
    """Return the model whose keys the last element of a pydantic location is checked against."""
    model: type[pydantic.BaseModel] | None = Template
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if model is None:
            model = _TAG_MODELS.get(part)  # inside a condition union: the tag names the model
            continue
        field = _keys(model).get(part)
        if field is None:
            return None
        candidates = _models_in(model.model_fields[field].annotation)
        model = candidates[0] if len(candidates) == 1 else None
    return model


def _unknown_key(field: str, loc: tuple[str | int, ...]) -> str:
    model = _model_at(loc)
    if model is None:
        return f"unknown key '{field}'"
    allowed = list(_keys(model))
    close = difflib.get_close_matches(field, allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    where = _MODEL_NAMES.get(model.__name__, model.__name__)
    return f"unknown key '{field}' in {where} ({hint}allowed: {', '.join(allowed)})"


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _walk_loc(loaded: LoadedYaml, loc: tuple[str | int, ...]) -> tuple[YamlPath, str | None]:
    """Follow a pydantic error location through the raw data; return the YAML path and question."""
    node: object = loaded.data
    path: list[str | int] = []
    question_id: str | None = None
    for i, part in enumerate(loc):
        following = loc[i + 1] if i + 1 < len(loc) else None
        if isinstance(node, dict):
            # Discriminated-union tags appear in the location before the real key; skip them.
            if part in _CONDITION_TAGS and (following in node or following in _CONDITION_KEYS):
                continue
            if part not in node:
                path.append(part)  # a missing or unknown key: its parent holds the line
                break
            node = node[part]
        elif isinstance(node, tuple | list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            continue
        path.append(part)
        if len(path) >= 2 and path[-2] == "questions" and isinstance(node, dict):
            qid = node.get("id")
            question_id = qid if isinstance(qid, str) and qid.isprintable() else None
    return tuple(path), question_id


def _field_name(path: YamlPath) -> str:
    name = ""
    for part in path:
        name = f"{name}[{part}]" if isinstance(part, int) else part
    return name or "template"


def _describe(err: ErrorDetails, field: str) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return f"missing required key '{field}'"
    if kind == "extra_forbidden":
        return _unknown_key(field, tuple(err["loc"]))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if field == "template":
            return "the template must be a YAML mapping with at least id, kind, title, sections"
        return f"{field} must be a mapping (got {_show(value)})"
    if kind in ("tuple_type", "list_type"):
        return f"{field} must be a list (got {_show(value)})"
    if kind == "too_short":
        return f"{field} must not be empty"
    if kind == "string_type":
        quote = "" if isinstance(value, dict | list) else "; put it in quotes"
        return f"{field} must be text (got {_show(value)}){quote}"
    if kind in ("string_too_short",):
        return f"{field} must not be empty"
    if kind == "blank_text":
        return f"{field} must not be blank"
    if kind == "literal_error":
        return f"{field} must be one of {ctx.get('expected')} (got {_show(value)})"
    if kind == "bool_parsing" or kind == "bool_type":
        return f"{field} must be true or false (got {_show(value)})"
    if kind == "finite_number":
        return f"{field} must be a finite number (got {_show(value)})"
    if kind.startswith(("float_", "int_")):
        quoted = "; write it without quotes" if isinstance(value, str) else ""
        return (
            f"{field} must be a {'whole ' if kind.startswith('int') else ''}number "
            f"(got {_show(value)}){quoted}"
        )
    if kind.startswith("date"):
        quoted = "; write it without quotes" if isinstance(value, str) else ""
        return f"{field} must be a date like 2021-01-12 (got {_show(value)}){quoted}"
    bounds = {
        "greater_than_equal": ">=",
        "less_than_equal": "<=",
        "greater_than": ">",
        "less_than": "<",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()), "?")
        return f"{field} must be {bounds[kind]} {limit} (got {_show(value)})"
    if kind in _SELF_NAMING_ERRORS:
        return err["msg"]
    return f"{field}: {err['msg']}"


def _schema_errors(
    exc: pydantic.ValidationError, loaded: LoadedYaml, filename: str
) -> list[ValidationError]:
    details = exc.errors(include_url=False)
    locs = [tuple(e["loc"]) for e in details]
    inside = {loc[:end] for loc in locs for end in range(len(loc))}  # proper prefixes
    errors = []
    for err, loc in zip(details, locs, strict=True):
        # An invalid item empties a non-empty list; that knock-on "too short" is noise.
        if err["type"] == "too_short" and loc in inside:
            continue
        path, question_id = _walk_loc(loaded, loc)
        reason = _describe(err, _field_name(path))
        errors.append(ValidationError(filename, loaded.line_for(path), question_id, reason, path))
    return errors


def validate_loaded(
    loaded: LoadedYaml, filename: str
) -> tuple[Template | None, list[ValidationError]]:
    """Parse already-loaded YAML and check every rule and limit."""
    try:
        template = parse_template(loaded)
    except pydantic.ValidationError as exc:
        return None, _reported(_schema_errors(exc, loaded, filename), filename)
    errors = []
    for path, reason in limit_problems(template):
        _, question_id = _walk_loc(loaded, path)
        errors.append(ValidationError(filename, loaded.line_for(path), question_id, reason, path))
    errors += [
        ValidationError(filename, loaded.line_for(p.path), p.question_id, p.reason, p.path)
        for p in check_template(template)
    ]
    return (None if errors else template), _reported(errors, filename)


@dataclass(frozen=True)
class CheckedSource:
    """A template file or upload after checking: its text (None if unreadable), the template
    (None on any error), every error, and the questions of a valid template that map to no
    control (a coverage gap, not an error: `flask questionnaires validate` refuses them)."""

    text: str | None
    template: Template | None
    errors: list[ValidationError]
    unmapped: list[ValidationError] = field(default_factory=list)


def check_source(source: str | bytes, filename: str) -> CheckedSource:
    """Check a template's bytes (a file) or text (a form): size, encoding, YAML, schema, rules."""
    try:
        text = decode_source(source)
    except YamlLoadError as exc:
        return CheckedSource(None, None, _yaml_errors(exc, filename))
    try:
        loaded = load_yaml_text(text)
    except YamlLoadError as exc:
        return CheckedSource(text, None, _yaml_errors(exc, filename))
    template, errors = validate_loaded(loaded, filename)
    unmapped = [
        ValidationError(filename, loaded.line_for(p.path), p.question_id, p.reason)
        for p in (unmapped_questions(template) if template is not None else [])
    ]
    return CheckedSource(text, template, errors, unmapped)


def check_path(path: str | Path, filename: str | None = None) -> CheckedSource:
    """Check a template file, naming it in errors as `filename` (default: the path as given)."""
    name = str(path) if filename is None else filename
    try:
        source = read_source(path)
    except OSError as exc:
        return CheckedSource(
            None, None, [ValidationError(name, None, None, f"cannot read file: {exc}")]
        )
    return check_source(source, name)


def validate_text(text: str, filename: str) -> tuple[Template | None, list[ValidationError]]:
    """Validate template YAML; return the template (None if any error) and every error."""
    checked = check_source(text, filename)
    return checked.template, checked.errors


def validate_path(path: str | Path) -> tuple[Template | None, list[ValidationError]]:
    """Validate a template YAML file, naming it in errors as given."""
    checked = check_path(path)
    return checked.template, checked.errors


def _yaml_errors(exc: YamlLoadError, filename: str) -> list[ValidationError]:
    return _reported(
        [ValidationError(filename, p.line, None, p.reason) for p in exc.problems], filename
    )


def _reported(errors: list[ValidationError], filename: str) -> list[ValidationError]:
    """Sort errors by line; past MAX_REPORTED_ERRORS, say how many more there are instead."""
    ordered = sorted(errors, key=lambda e: e.line if e.line is not None else 0)
    if len(ordered) <= MAX_REPORTED_ERRORS:
        return ordered
    more = len(ordered) - MAX_REPORTED_ERRORS
    return [
        *ordered[:MAX_REPORTED_ERRORS],
        ValidationError(filename, None, None, f"{more} more error(s) not listed; fix these first"),
    ]
