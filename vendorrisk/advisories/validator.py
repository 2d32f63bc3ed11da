"""Read advisory files (Markdown with YAML front matter) and report problems as file:line: reason.

A file looks like this (docs/advisory-format.md has every key):

    ---
    slug: mimecast-certificate-compromise-2021
    title: ...
    ---
    The body, in Markdown.

Rules that need other data (which template questions exist, which advisories exist) take it as
arguments, so the same checks run for `flask advisories validate`, for the sync and for the app.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pydantic
from pydantic_core import ErrorDetails

from vendorrisk.questionnaires.loader import (
    LoadedYaml,
    YamlLoadError,
    decode_source,
    load_yaml_text,
    read_source,
)
from vendorrisk.questionnaires.validator import ValidationError
from vendorrisk.vendors.matching import normalise_name, normalise_version

from .document import (
    RESERVED_SLUGS,
    Action,
    AdvisoryDocument,
    AffectedProduct,
    KeyDate,
    Reference,
    Update,
    question_ref,
)
from .markup import MarkdownTooCostly, render

FENCE = "---"

KnownTemplates = Mapping[str, frozenset[str]]  # template slug -> its question ids


@dataclass(frozen=True)
class Problem:
    """A rule broken somewhere in a document; `path` locates it in the front matter."""

    path: tuple[str | int, ...]
    reason: str


@dataclass
class ParsedFile:
    """One advisory file: its text and, when valid, its document."""

    path: Path | None
    display: str
    text: str
    document: AdvisoryDocument | None = None
    errors: list[ValidationError] = field(default_factory=list)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (front matter, body, line of the first front-matter line), or None if absent."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FENCE:
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FENCE, "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]).strip("\n"), 2
    return None


_MODEL_NAMES = {
    AdvisoryDocument: "the advisory",
    KeyDate: "a key date",
    Action: "an action",
    Reference: "a reference",
    AffectedProduct: "an affected product",
    Update: "an update",
}


def _yaml_keys(model: type[pydantic.BaseModel]) -> dict[str, str]:
    return {
        info.validation_alias if isinstance(info.validation_alias, str) else name: name
        for name, info in model.model_fields.items()
    }


def _model_at(loc: tuple[str | int, ...]) -> type[pydantic.BaseModel] | None:
    model: type[pydantic.BaseModel] | None = AdvisoryDocument
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        name = _yaml_keys(model).get(part)
        if name is None:
            return None
        annotation = model.model_fields[name].annotation
        inner = [a for a in typing.get_args(annotation) if isinstance(a, type)]
        candidates = [
            a
            for a in (annotation, *inner)
            if isinstance(a, type) and issubclass(a, pydantic.BaseModel)
        ]
        model = candidates[0] if candidates else None
    return model


def _field(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text = f"{text}[{part}]" if isinstance(part, int) else (f"{text}.{part}" if text else part)
    return text or "the front matter"


def describe_error(err: ErrorDetails) -> str:
    """Say what is wrong with one value, naming it as the front matter does."""
    loc = tuple(err["loc"])
    name, kind, ctx, value = _field(loc), err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "missing":
        return f"missing required key '{loc[-1]}'" + (
            f" in {_field(loc[:-1])}" if len(loc) > 1 else ""
        )
    if kind == "extra_forbidden":
        model = _model_at(loc)
        allowed = f" (allowed: {', '.join(_yaml_keys(model))})" if model else ""
        where = f" in {_MODEL_NAMES.get(model, 'this mapping')}" if model else ""
        return f"unknown key '{loc[-1]}'{where}{allowed}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if not loc:
            return "the front matter must be a YAML mapping with slug, title, publisher, ..."
        return f"{name} must be a mapping"
    if kind in ("tuple_type", "list_type"):
        return f"{name} must be a list"
    if kind in ("too_short", "string_too_short"):
        return f"{name} must not be empty"
    if kind in ("too_long", "string_too_long"):
        return f"{name} is too long (at most {ctx.get('max_length')} characters)"
    if kind == "string_type":
        return f"{name} must be text (got {value!r}); put it in quotes"
    if kind == "literal_error":
        return f"{name} must be one of {ctx.get('expected')} (got {value!r})"
    if kind.startswith("date"):
        return f"{name} must be a date like 2021-01-12 (got {value!r})"
    if kind == "bad_pattern":
        return f"{name}: {err['msg']}"
    return f"{name}: {err['msg']}"


def _schema_problems(exc: pydantic.ValidationError) -> list[Problem]:
    problems = []
    details = exc.errors(include_url=False)
    for err in details:
        problems.append(Problem(tuple(err["loc"]), describe_error(err)))
    return problems


def _duplicates(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _check_refs(
    refs: Iterable[str], path: tuple[str | int, ...], templates: KnownTemplates | None
) -> list[Problem]:
    if templates is None:
        return []
    problems = []
    for i, ref in enumerate(refs):
        slug, question = question_ref(ref)
        if slug not in templates:
            problems.append(Problem((*path, i), f"no template '{slug}' (in {ref})"))
        elif question not in templates[slug]:
            problems.append(Problem((*path, i), f"template '{slug}' has no question '{question}'"))
    return problems


def _check_markdown(text: str, path: tuple[str | int, ...]) -> list[Problem]:
    # The render is kept (markup caches it), so saving right after costs nothing more.
    try:
        render(text)
    except MarkdownTooCostly as exc:
        return [Problem(path, str(exc))]
    return []


def check_rules(
    doc: AdvisoryDocument,
    *,
    templates: KnownTemplates | None = None,
    advisories: Iterable[str] | None = None,
) -> list[Problem]:
    """Check the rules that span fields or need other data; return every problem found."""
    problems: list[Problem] = []
    if doc.slug in RESERVED_SLUGS:
        problems.append(Problem(("slug",), f"the slug '{doc.slug}' is reserved; choose another"))
    for name in _duplicates(d.name for d in doc.key_dates):
        problems.append(Problem(("key_dates",), f"key date '{name}' is listed twice"))
    for key in _duplicates(a.id for a in doc.actions):
        problems.append(Problem(("actions",), f"action id '{key}' is used twice"))
    for name in _duplicates(normalise_name(p.name) for p in doc.affected_products):
        problems.append(Problem(("affected_products",), f"product '{name}' is listed twice"))
    for i, product in enumerate(doc.affected_products):
        both = {normalise_version(v) for v in product.affected_versions} & {
            normalise_version(v) for v in product.fixed_versions
        }
        if both:
            problems.append(
                Problem(
                    ("affected_products", i, "fixed_versions"),
                    f"versions listed as both affected and fixed: {', '.join(sorted(both))}",
                )
            )
    if doc.status == "superseded" and not doc.superseded_by:
        problems.append(
            Problem(
                ("status",),
                "a superseded advisory names the advisory that replaces it in superseded_by",
            )
        )
    if doc.superseded_by and doc.status != "superseded":
        problems.append(Problem(("superseded_by",), "superseded_by is only for status superseded"))
    if doc.superseded_by == doc.slug:
        problems.append(Problem(("superseded_by",), "an advisory cannot supersede itself"))
    elif doc.superseded_by and advisories is not None and doc.superseded_by not in advisories:
        problems.append(Problem(("superseded_by",), f"no advisory '{doc.superseded_by}'"))
    problems += _check_markdown(doc.summary, ("summary",))
    problems += _check_markdown(doc.body, ("body",))
    if templates is not None:
        for i, slug in enumerate(doc.templates):
            if slug not in templates:
                problems.append(Problem(("templates", i), f"no template '{slug}'"))
    for i, action in enumerate(doc.actions):
        problems += _check_refs(action.questions, ("actions", i, "questions"), templates)
    previous = doc.published
    for i, update in enumerate(doc.updates):
        if update.date < previous:
            problems.append(
                Problem(
                    ("updates", i, "date"),
                    f"update dated {update.date} comes before {previous}; "
                    "list updates oldest first, none before the advisory",
                )
            )
        previous = max(previous, update.date)
        for name in _duplicates(d.name for d in update.key_dates):
            problems.append(
                Problem(("updates", i, "key_dates"), f"key date '{name}' is listed twice")
            )
        for key in _duplicates(a.id for a in update.actions):
            problems.append(Problem(("updates", i, "actions"), f"action id '{key}' is used twice"))
        for j, action in enumerate(update.actions):
            problems += _check_refs(
                action.questions, ("updates", i, "actions", j, "questions"), templates
            )
        problems += _check_refs(
            update.affected_questions, ("updates", i, "affected_questions"), templates
        )
        problems += _check_markdown(update.body, ("updates", i, "body"))
    return problems


def parse_text(
    text: str,
    display: str,
    *,
    templates: KnownTemplates | None = None,
    advisories: Iterable[str] | None = None,
    expected_slug: str | None = None,
) -> tuple[AdvisoryDocument | None, list[ValidationError]]:
    """Validate an advisory file's text; return its document (None on any error) and errors.

    The file is read under the same limits as a questionnaire template (see
    vendorrisk.questionnaires.limits), and its front matter by the same YAML loader.
    """
    try:
        text = decode_source(text)
    except YamlLoadError as exc:
        return None, [ValidationError(display, p.line, None, p.reason) for p in exc.problems]
    parts = split_front_matter(text)
    if parts is None:
        return None, [
            ValidationError(
                display,
                1,
                None,
                "an advisory file starts with a '---' line, then YAML front "
                "matter, then a closing '---' line and the Markdown body",
            )
        ]
    front, body, first_line = parts
    try:
        loaded: LoadedYaml = load_yaml_text(front)
    except YamlLoadError as exc:
        return None, [
            ValidationError(
                display, None if p.line is None else p.line + first_line - 1, None, p.reason
            )
            for p in exc.problems
        ]

    def line(path: tuple[str | int, ...]) -> int | None:
        found = loaded.line_for(path)
        return None if found is None else found + first_line - 1

    data = loaded.data
    if isinstance(data, dict) and "body" in data:
        return None, [
            ValidationError(
                display,
                line(("body",)),
                None,
                "write the body below the front matter, not as a key",
            )
        ]
    if isinstance(data, dict):
        data = {**data, "body": body}
    try:
        doc = AdvisoryDocument.model_validate(data)
    except pydantic.ValidationError as exc:
        problems = _schema_problems(exc)
        return None, _sorted(
            [ValidationError(display, line(p.path), None, p.reason) for p in problems]
        )
    problems = check_rules(doc, templates=templates, advisories=advisories)
    if expected_slug is not None and doc.slug != expected_slug:
        problems.append(
            Problem(
                ("slug",), f"the slug '{doc.slug}' must match the file name ('{expected_slug}.md')"
            )
        )
    errors = _sorted([ValidationError(display, line(p.path), None, p.reason) for p in problems])
    return (None if errors else doc), errors


def parse_path(path: Path, display: str, **kwargs) -> ParsedFile:
    """Read and validate one advisory file."""
    try:
        text = decode_source(read_source(path))
    except OSError as exc:
        return ParsedFile(
            path,
            display,
            "",
            None,
            [ValidationError(display, None, None, f"cannot read file: {exc}")],
        )
    except YamlLoadError as exc:  # too large, or not UTF-8
        errors = [ValidationError(display, p.line, None, p.reason) for p in exc.problems]
        return ParsedFile(path, display, "", None, errors)
    doc, errors = parse_text(text, display, expected_slug=path.stem, **kwargs)
    return ParsedFile(path, display, text, doc, errors)


def _sorted(errors: list[ValidationError]) -> list[ValidationError]:
    return sorted(errors, key=lambda e: e.line if e.line is not None else 0)
