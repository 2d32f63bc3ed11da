"""Typed, immutable model of a questionnaire template (see docs/questionnaire-format.md).

Only shapes and single-field rules live here; rules that span fields or the whole template
(references, ids, scoring sanity) are in `rules.py` so the validator can report all of them at once.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_VALUE_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
BAND_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

MAX_TEXT_LENGTH = 10000
MAX_WEIGHT = 1000  # keeps every sum of weights (and of weight x score) far from overflowing

# Validation context for content read back from a stored version: it was checked when it was
# stored, so rules added since (marked below) must not make an old version unreadable.
STORED: dict[str, bool] = {"stored": True}


def _is_new(info: ValidationInfo) -> bool:
    return not (isinstance(info.context, dict) and info.context.get("stored"))


QuestionType = Literal[
    "yes_no", "single_choice", "multi_choice", "date", "number", "text", "long_text", "evidence"
]
TemplateKind = Literal["baseline", "incident"]
EvidenceLevel = Literal["none", "optional", "required"]
Severity = Literal["critical", "high", "medium", "low"]
Direction = Literal["lower_is_better", "higher_is_better"]

CHOICE_TYPES: frozenset[str] = frozenset({"yes_no", "single_choice", "multi_choice"})
TEXT_TYPES: frozenset[str] = frozenset({"text", "long_text"})
UNSCORABLE_TYPES: frozenset[str] = frozenset({"text", "long_text", "evidence"})
YES_NO_VALUES: frozenset[str] = frozenset({"yes", "no", "unsure"})
FAIL_BELOW = 50.0


def _pattern_check(regex: re.Pattern[str], what: str, hint: str) -> AfterValidator:
    def check(value: str, info: ValidationInfo) -> str:
        # fullmatch (a rule added since): `$` alone lets "q_a\n" through.
        if not (regex.fullmatch(value) if _is_new(info) else regex.match(value)):
            raise PydanticCustomError(
                "bad_id",
                "{value} is not a valid {what}: {hint}",
                {"value": repr(value), "what": what, "hint": hint},
            )
        return value

    return AfterValidator(check)


Slug = Annotated[
    str, _pattern_check(SLUG_RE, "slug", "use lowercase letters and digits joined by single '-'")
]
Identifier = Annotated[
    str,
    _pattern_check(
        IDENTIFIER_RE, "identifier", "use lowercase letters, digits and '_', starting with a letter"
    ),
]
OptionValue = Annotated[
    str,
    _pattern_check(
        OPTION_VALUE_RE, "option value", "use lowercase letters, digits, '_', '-' or '.'"
    ),
]
BandId = Annotated[str, _pattern_check(BAND_ID_RE, "band id", "use letters, digits, '_' or '-'")]
Percent = Annotated[float, Field(ge=0, le=100)]


def _not_blank(value: str, info: ValidationInfo) -> str:  # a rule added since
    if not value.strip() and _is_new(info):
        raise PydanticCustomError("blank_text", "must not be blank")
    return value


NonEmptyText = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]
FINDING_TITLE_MAX = 80


def _not_too_large(value: float, info: ValidationInfo) -> float:  # a rule added since
    if value > MAX_WEIGHT and _is_new(info):
        raise PydanticCustomError(
            "weight_too_large",
            "weight must be at most {limit} (got {value})",
            {"value": value, "limit": MAX_WEIGHT},
        )
    return value


def _not_negative(value: float, info: ValidationInfo) -> float:
    if value < 0:
        raise PydanticCustomError(
            "negative_weight",
            "weight must not be negative (got {value}); use 0 for an unscored question",
            {"value": value},
        )
    return _not_too_large(value, info)


def _positive(value: float, info: ValidationInfo) -> float:
    if value <= 0:
        raise PydanticCustomError(
            "weight_not_positive",
            "category weight must be greater than 0 (got {value})",
            {"value": value},
        )
    return _not_too_large(value, info)


class _Model(BaseModel):
    # populate_by_name is for Python code; YAML is parsed by_name=False (loader.parse_template).
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


# --- conditions -------------------------------------------------------------------------------


class QuestionIn(_Model):
    """True when the answer to `question` is (or, for multi_choice, includes) one of `values`."""

    question: Identifier
    values: tuple[OptionValue, ...] = Field(
        validation_alias="in", serialization_alias="in", min_length=1
    )


class All(_Model):
    """True when every condition is true."""

    conditions: tuple[Condition, ...] = Field(
        validation_alias="all", serialization_alias="all", min_length=1
    )


class Any(_Model):
    """True when at least one condition is true."""

    conditions: tuple[Condition, ...] = Field(
        validation_alias="any", serialization_alias="any", min_length=1
    )


class Not(_Model):
    """True when the condition is false."""

    condition: Condition = Field(validation_alias="not", serialization_alias="not")


class NumberIs(_Model):
    """True when a number answer is at least / at most a bound (credit_if only)."""

    question: Identifier
    at_least: float | None = None
    at_most: float | None = None


class DateIs(_Model):
    """True when a date answer falls on or before / on or after a reference date (credit_if only).

    The bound names a declared reference date, so the condition follows the dates frozen when
    the campaign was sent.
    """

    question: Identifier
    on_or_before: Identifier | None = None
    on_or_after: Identifier | None = None


class EvidenceAttached(_Model):
    """True when the answer that the condition belongs to has a file attached (credit_if only)."""

    evidence: Literal["attached"]


_TAG_BY_TYPE: dict[type, str] = {
    QuestionIn: "question",
    All: "all",
    Any: "any",
    Not: "not",
    NumberIs: "number",
    DateIs: "date",
    EvidenceAttached: "evidence",
}
_NUMBER_KEYS = ("at_least", "at_most")
_DATE_KEYS = ("on_or_before", "on_or_after")


def _condition_tag(value: object) -> str | None:
    if isinstance(value, dict):
        if "question" in value:
            if any(key in value for key in _NUMBER_KEYS):
                return "number"
            if any(key in value for key in _DATE_KEYS):
                return "date"
            return "question"
        return next((tag for tag in ("all", "any", "not", "evidence") if tag in value), None)
    return _TAG_BY_TYPE.get(type(value))


Condition = Annotated[
    Union[  # noqa: UP007 - a forward-referenced union needs the Union form
        Annotated[QuestionIn, Tag("question")],
        Annotated[All, Tag("all")],
        Annotated[Any, Tag("any")],
        Annotated[Not, Tag("not")],
        Annotated[NumberIs, Tag("number")],
        Annotated[DateIs, Tag("date")],
        Annotated[EvidenceAttached, Tag("evidence")],
    ],
    Discriminator(
        _condition_tag,
        custom_error_type="bad_condition",
        custom_error_message=(
            "a condition must be a mapping with one of: 'question' (with 'in', or in credit_if "
            "'at_least'/'at_most' or 'on_or_before'/'on_or_after'), 'all', 'any', 'not', "
            "'evidence'"
        ),
    ),
]

for _model in (All, Any, Not):
    _model.model_rebuild()


# --- scoring rules -----------------------------------------------------------------------------


class DateStep(_Model):
    """A date_rule step: answers within this many days of the reference score this."""

    within_days: int = Field(ge=0)
    score: Percent


class DateRule(_Model):
    """Score a date by how many days after a reference date it falls.

    Day 0 is the reference date itself; a step `within_days: n` covers answers up to and
    including the reference date + n days. `earliest` is a lower bound: an answer before it
    earns no credit (`too_early: no_credit`) or goes to a reviewer (`too_early: review`).
    Answers from `earliest` up to the day before the reference earn `before_reference_score`;
    a rule that credits early answers says where credit starts (`earliest`) or that any
    earlier day is as good (`open_start: true`, e.g. the first day a log search covered).
    With `critical_after_days`, an answer later than the reference + that many days is a
    critical failure, whatever the question's own `critical` says.
    """

    reference: Identifier
    earliest: Identifier | None = None
    too_early: Literal["no_credit", "review"] = "no_credit"
    open_start: bool = False
    before_reference_score: Percent = 0
    steps: tuple[DateStep, ...] = Field(min_length=1)
    after_score: Percent = 0
    critical_after_days: int | None = Field(None, ge=0)


class NumberStep(_Model):
    """A number_rule step: `max` when lower is better, `min` when higher is better."""

    max: float | None = None
    min: float | None = None
    score: Percent


class NumberRule(_Model):
    """Score a number by the first step whose bound it meets."""

    direction: Direction
    steps: tuple[NumberStep, ...] = Field(min_length=1)
    else_score: Percent = 0


class CertificateSpec(_Model):
    """Ask for a rotated certificate (PEM/DER file or SHA-256 thumbprint) and check it.

    `compromise` names the reference date the certificate must be issued on or after (a
    baseline questionnaire, with no compromise, leaves it out);
    `claimed_date` names the date question whose answer the certificate must back (a date
    question backs its own answer and names none). Keys below the floors fail the check.
    """

    compromise: Identifier | None = None
    claimed_date: Identifier | None = None
    min_rsa_bits: int = Field(2048, ge=1024, le=16384)
    min_ec_bits: int = Field(256, ge=160, le=521)


# --- template -----------------------------------------------------------------------------------


UNSURE_VALUE = "unsure"


class Option(_Model):
    """One answer choice of a yes_no, single_choice or multi_choice question.

    Flags say what the answer means beyond its points: `not_exposed` rules the vendor out,
    `exposed` confirms exposure, `impact_signal` raises the impact alert whatever the score,
    `uncertain` (implied by the value `unsure`) means the vendor does not know, and
    `exclusive` (multi_choice) means the option stands alone. `credit_if` makes the option's
    score depend on other answers or evidence; without them it earns `uncredited_score`.
    """

    value: OptionValue
    label: NonEmptyText
    score: Percent | None = None
    not_exposed: bool = False
    exposed: bool = False
    impact_signal: bool = False
    uncertain: bool = False
    exclusive: bool = False
    evidence: EvidenceLevel | None = None
    finding: str | None = None
    credit_if: Condition | None = None
    uncredited_score: Percent = 0

    @property
    def is_uncertain(self) -> bool:
        """Whether choosing this option says the vendor does not know."""
        return self.uncertain or self.value == UNSURE_VALUE


class Question(_Model):
    """One question; `weight` and `severity` defaults depend on other keys."""

    id: Identifier
    text: NonEmptyText
    help: str | None = None
    type: QuestionType
    options: tuple[Option, ...] = ()
    category: Identifier | None = None
    weight: Annotated[float, AfterValidator(_not_negative)]
    required: bool = True
    allow_na: bool = False
    evidence: EvidenceLevel = "none"
    show_if: Condition | None = None
    critical: bool = False
    severity: Severity
    date_rule: DateRule | None = None
    number_rule: NumberRule | None = None
    certificate: CertificateSpec | None = None
    remediation: str | None = None
    # A short name for the gap a low score reveals ("Certificate not rotated"); findings raised
    # by scoring are titled with it instead of the question text.
    finding_title: Annotated[NonEmptyText, Field(max_length=FINDING_TITLE_MAX)] | None = None
    frameworks: tuple[NonEmptyText, ...] = ()
    max_length: int = Field(MAX_TEXT_LENGTH, ge=1, le=MAX_TEXT_LENGTH)
    # Answer reuse (docs/questionnaire-format.md, "Answers reused from earlier rounds"): a
    # question with a `reuse_key` is pre-filled from the vendor's latest submitted answer to any
    # question with the same key; in a baseline template a question without one matches by id.
    reuse_key: Identifier | None = None
    reusable: bool = True

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: object) -> object:
        """Fill defaults that depend on other keys (weight from type, severity from critical)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "weight" not in data:
            kind = data.get("type")
            scorable = (
                kind in CHOICE_TYPES
                or (kind == "date" and data.get("date_rule") is not None)
                or (kind == "number" and data.get("number_rule") is not None)
            )
            data["weight"] = 1 if scorable else 0
        if "severity" not in data:
            data["severity"] = "high" if data.get("critical") is True else "medium"
        return data

    @property
    def scored(self) -> bool:
        """Whether this question contributes points (weight above 0)."""
        return self.weight > 0

    @property
    def option_values(self) -> tuple[str, ...]:
        """Option values in document order."""
        return tuple(o.value for o in self.options)

    def option(self, value: str) -> Option:
        """Return the option with this value or raise KeyError."""
        for opt in self.options:
            if opt.value == value:
                return opt
        raise KeyError(value)

    def exclusive_conflict(self, values: tuple[str, ...] | list[str]) -> str | None:
        """Say why these multi_choice values cannot go together, or None when they can."""
        chosen = set(values)
        if len(chosen) < 2:
            return None
        for opt in self.options:
            if opt.exclusive and opt.value in chosen:
                return f"\u201c{opt.label}\u201d cannot be combined with any other choice."
        return None

    @property
    def bears_on_exposure(self) -> bool:
        """Whether an answer to this question can rule exposure in or out."""
        return any(o.not_exposed or o.exposed for o in self.options)

    @property
    def match_key(self) -> str:
        """Return what an earlier answer must share to be offered again: reuse_key, else id."""
        return self.reuse_key or self.id

    def reusable_in(self, kind: str) -> bool:
        """Whether an earlier answer may be offered for this question in a template of `kind`.

        Never when `reusable: false`; in an incident template only with a `reuse_key`, so a
        question about one breach is never answered from another.
        """
        if not self.reusable:
            return False
        return kind == "baseline" or self.reuse_key is not None

    def possible_scores(self) -> tuple[float, ...]:
        """Return every score (0..100) an answer to this question can earn."""
        if self.type in CHOICE_TYPES:
            return (
                *(o.score for o in self.options if o.score is not None),
                *(o.uncredited_score for o in self.options if o.credit_if is not None),
            )
        if self.type == "date" and self.date_rule is not None:
            rule = self.date_rule
            return (
                *((0.0,) if rule.earliest else ()),  # too early, or sent to a reviewer
                rule.before_reference_score,
                *(s.score for s in rule.steps),
                rule.after_score,
            )
        if self.type == "number" and self.number_rule is not None:
            return (*(s.score for s in self.number_rule.steps), self.number_rule.else_score)
        return ()

    def can_fail(self) -> bool:
        """Whether some answer scores below 50 %, the threshold a critical question fails at."""
        return self.scored and any(score < FAIL_BELOW for score in self.possible_scores())


class Section(_Model):
    """A titled group of questions, optionally shown only under a condition."""

    id: Identifier
    title: NonEmptyText
    description: str | None = None
    show_if: Condition | None = None
    questions: tuple[Question, ...] = Field(min_length=1)


class Category(_Model):
    """A scoring category; its weight is its share of the overall score."""

    id: Identifier
    title: NonEmptyText
    weight: Annotated[float, AfterValidator(_positive)]
    description: str | None = None


class RatingBand(_Model):
    """A rating reached by scores of at least `min_score` (0..100)."""

    id: BandId
    label: NonEmptyText
    min_score: Percent


class ReferenceDate(_Model):
    """A date fixed when a campaign is sent, that date_rules count from."""

    name: Identifier
    label: NonEmptyText
    default: datetime.date | None = None


DEFAULT_BANDS: tuple[RatingBand, ...] = (
    RatingBand(id="A", label="Strong", min_score=85),
    RatingBand(id="B", label="Adequate", min_score=70),
    RatingBand(id="C", label="Weak", min_score=50),
    RatingBand(id="D", label="Poor", min_score=0),
)


class Template(_Model):
    """A questionnaire template version: the parsed, immutable YAML."""

    id: Slug
    kind: TemplateKind
    title: NonEmptyText
    description: str = ""
    advisories: tuple[Slug, ...] = ()
    reference_dates: tuple[ReferenceDate, ...] = ()
    categories: tuple[Category, ...] = ()
    rating_bands: tuple[RatingBand, ...] | None = None
    critical_cap: BandId | None = None
    sections: tuple[Section, ...] = Field(min_length=1)

    # No cached index: private attributes would take part in ==, and templates are small.
    def questions(self) -> tuple[Question, ...]:
        """Return every question in document order."""
        return tuple(q for s in self.sections for q in s.questions)

    def question(self, question_id: str) -> Question:
        """Return the (first) question with this id or raise KeyError."""
        for section in self.sections:
            for question in section.questions:
                if question.id == question_id:
                    return question
        raise KeyError(question_id)

    def section(self, section_id: str) -> Section:
        """Return the section with this id or raise KeyError."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def category(self, category_id: str) -> Category:
        """Return the category with this id or raise KeyError."""
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def reference_date(self, name: str) -> ReferenceDate:
        """Return the declared reference date with this name or raise KeyError."""
        for ref in self.reference_dates:
            if ref.name == name:
                return ref
        raise KeyError(name)

    @property
    def bands(self) -> tuple[RatingBand, ...]:
        """Rating bands best first, the defaults when the template declares none."""
        return self.rating_bands if self.rating_bands else DEFAULT_BANDS

    @property
    def critical_cap_band(self) -> RatingBand:
        """Return the band a failed critical question caps the rating at (default: the lowest)."""
        if self.critical_cap is not None:
            for band in self.bands:
                if band.id == self.critical_cap:
                    return band
        return self.bands[-1]

    def band_for(self, score: float) -> RatingBand:
        """Return the best band whose min_score the score (0..100) reaches."""
        for band in self.bands:
            if score >= band.min_score:
                return band
        return self.bands[-1]
