"""The typed content of an advisory, the same whether it comes from a file or from the app.

Only shapes and single-field rules live here; rules that need other data (template questions,
other advisories) are in `validator.py`.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
QUESTION_REF_RE = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)/([a-z][a-z0-9_]*)$")
URL_RE = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)

MAX_MARKDOWN = 50_000
# Paths under /advisories/ that a slug would clash with.
RESERVED_SLUGS = frozenset({"new", "feed"})


def _pattern(regex: re.Pattern[str], what: str, hint: str) -> AfterValidator:
    def check(value: str) -> str:
        if not regex.match(value):
            raise PydanticCustomError(
                "bad_pattern",
                "'{value}' is not a valid {what}: {hint}",
                {"value": value, "what": what, "hint": hint},
            )
        return value

    return AfterValidator(check)


Slug = Annotated[
    str, _pattern(SLUG_RE, "slug", "use lowercase letters and digits joined by single '-'")
]
Name = Annotated[
    str,
    _pattern(NAME_RE, "name", "use lowercase letters, digits and '_', starting with a letter"),
]
QuestionRef = Annotated[
    str,
    _pattern(
        QUESTION_REF_RE,
        "question reference",
        "write template-slug/question_id, e.g. mimecast-certificate-compromise-2021/"
        "connection_recreated",
    ),
]
HttpUrl = Annotated[
    str, _pattern(URL_RE, "link", "only http:// and https:// addresses are accepted")
]
Text = Annotated[str, Field(min_length=1, max_length=300)]
Markdown = Annotated[str, Field(max_length=MAX_MARKDOWN)]
Version = Annotated[str, Field(min_length=1, max_length=100)]
Severity = Literal["critical", "high", "medium", "low"]
Status = Literal["active", "monitoring", "resolved", "superseded"]
Audience = Literal["firm", "vendors"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class KeyDate(_Model):
    """A named date that templates' date rules count from (frozen into a campaign when sent)."""

    name: Name
    label: Text
    date: datetime.date


class Action(_Model):
    """A recommended action, for the firm itself or for its vendors."""

    id: Slug
    audience: Audience = Field(validation_alias="for", serialization_alias="for")
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    questions: tuple[QuestionRef, ...] = ()


class Reference(_Model):
    """Where to read more."""

    title: Text
    url: HttpUrl


class AffectedProduct(_Model):
    """A catalogue product, found by name or alias (created by the sync when missing)."""

    supplier: Text
    name: Text
    aliases: tuple[Text, ...] = ()
    affected_versions: tuple[Version, ...] = ()
    fixed_versions: tuple[Version, ...] = ()


class Update(_Model):
    """A dated update: what changed, in Markdown, and its effect on dates, actions, questions."""

    date: datetime.date
    title: Text
    body: Markdown = ""
    key_dates: tuple[KeyDate, ...] = ()
    actions: tuple[Action, ...] = ()
    affected_questions: tuple[QuestionRef, ...] = ()


class AdvisoryDocument(_Model):
    """Everything an advisory says: the front matter of a file plus its Markdown body."""

    slug: Slug
    title: Text
    publisher: Text
    published: datetime.date
    severity: Severity
    status: Status = "active"
    superseded_by: Slug | None = None
    summary: Annotated[str, Field(min_length=1, max_length=5000)]
    body: Markdown = ""
    key_dates: tuple[KeyDate, ...] = ()
    affected_products: tuple[AffectedProduct, ...] = ()
    actions: tuple[Action, ...] = ()
    references: tuple[Reference, ...] = ()
    templates: tuple[Slug, ...] = ()
    updates: tuple[Update, ...] = ()


def question_ref(ref: str) -> tuple[str, str]:
    """Split "template-slug/question_id" into its two parts."""
    match = QUESTION_REF_RE.match(ref)
    if match is None:
        raise ValueError(f"not a question reference: {ref!r}")
    return match.group(1), match.group(2)


def dump(model: BaseModel) -> dict:
    """Return a model as JSON-ready data with the file's key names."""
    return model.model_dump(mode="json", by_alias=True)
