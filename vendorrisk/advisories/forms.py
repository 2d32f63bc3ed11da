"""Forms for writing advisories and updates, recording exposure and tracking the checklist.

Lists (key dates, products, actions, references) are rows of sub-forms with a few blank rows at
the end; a row left blank is ignored, a row filled in part is an error.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from vendorrisk.campaigns.forms import MultiCheckboxField, choices
from vendorrisk.core.fields import DayField
from vendorrisk.vendors.catalogue import split_list

from .document import MAX_MARKDOWN, NAME_RE, QUESTION_REF_RE, SLUG_RE, URL_RE
from .models import (
    EXPOSURE_LABELS,
    EXPOSURE_STATES,
    PROGRESS_LABELS,
    PROGRESS_STATES,
    SEVERITIES,
    SEVERITY_LABELS,
    STATUS_LABELS,
    STATUSES,
)

AUDIENCE_LABELS = {"firm": "The firm itself", "vendors": "Vendors"}
_REF_SPLIT = re.compile(r"[\s,;]+")
EXTRA_ROWS = {"key_dates": 2, "products": 2, "actions": 2, "references": 2}
NEW_ROWS = {"key_dates": 3, "products": 3, "actions": 6, "references": 3}


def optional_int(value):
    """Coerce a select's value to an int, or None for the empty choice."""
    if value in (None, "", "None"):
        return None
    return int(value)


class _Row(Form):
    """A row of a list; blank rows are skipped, partly filled ones must be completed."""

    required: tuple[str, ...] = ()
    watched: tuple[str, ...] = ()  # filling any of these makes the row count

    def is_blank(self) -> bool:
        return all(
            self._fields[name].data in (None, "") or not str(self._fields[name].data).strip()
            for name in self.watched
        )

    def validate(self, extra_validators=None) -> bool:
        if self.is_blank():
            return True
        ok = super().validate(extra_validators)
        for name in self.required:
            field = self._fields[name]
            if field.data in (None, "") and not field.errors:
                field.errors = [*field.errors, "Fill this in, or clear the whole row."]
                ok = False
        return ok


class KeyDateRow(_Row):
    required = watched = ("name", "label", "date")
    name = StringField(
        "Name",
        validators=[
            Optional(),
            Length(max=60),
            Regexp(NAME_RE, message="Lowercase letters, digits and _, starting with a letter."),
        ],
    )
    label = StringField("What happened that day", validators=[Optional(), Length(max=300)])
    date = DayField("Date", validators=[Optional()])


class ProductRow(_Row):
    required = ("product",)
    watched = ("product", "affected", "fixed")
    product = SelectField("Product", coerce=optional_int, validators=[Optional()])
    affected = StringField(
        "Affected versions",
        validators=[Optional(), Length(max=1000)],
        description="Separate with ;. Empty: every version not fixed.",
    )
    fixed = StringField("Fixed versions", validators=[Optional(), Length(max=1000)])


class ActionRow(_Row):
    required = ("text",)
    watched = ("key", "text", "questions")
    key = StringField(
        "Id",
        validators=[
            Optional(),
            Length(max=80),
            Regexp(SLUG_RE, message="Lowercase letters and digits joined by single '-'."),
        ],
    )
    audience = SelectField("For", choices=choices(AUDIENCE_LABELS.items()))
    text = TextAreaField("Action", validators=[Optional(), Length(max=2000)])
    questions = StringField(
        "Questions that check it",
        validators=[Optional(), Length(max=2000)],
        description="template-slug/question_id, separated by ;",
    )

    def validate_questions(self, field):
        for ref in question_refs(field.data):
            if not QUESTION_REF_RE.match(ref):
                raise ValidationError(f"“{ref}” is not template-slug/question_id.")


class ReferenceRow(_Row):
    required = watched = ("title", "url")
    title = StringField("Title", validators=[Optional(), Length(max=300)])
    url = StringField(
        "Address",
        validators=[
            Optional(),
            Length(max=1000),
            Regexp(URL_RE, message="Only http:// and https:// addresses."),
        ],
    )


def question_refs(text: str | None) -> list[str]:
    """Split a list of template-slug/question_id references."""
    return [r for r in _REF_SPLIT.split(text or "") if r]


class AdvisoryForm(FlaskForm):
    slug = StringField(
        "Permanent id (slug)",
        validators=[
            Optional(),
            Length(max=120),
            Regexp(SLUG_RE, message="Lowercase letters and digits joined by single '-'."),
        ],
        description="Part of the advisory's permanent address; it cannot change later.",
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    publisher = StringField("Publisher or source", validators=[DataRequired(), Length(max=200)])
    published = DayField("Published", validators=[DataRequired()])
    severity = SelectField("Severity", choices=choices((s, SEVERITY_LABELS[s]) for s in SEVERITIES))
    status = SelectField("Status", choices=choices((s, STATUS_LABELS[s]) for s in STATUSES))
    superseded_by = SelectField("Superseded by", validators=[Optional()])
    summary = TextAreaField("Summary (Markdown)", validators=[DataRequired(), Length(max=5000)])
    body = TextAreaField("Body (Markdown)", validators=[Optional(), Length(max=MAX_MARKDOWN)])
    key_dates = FieldList(FormField(KeyDateRow))
    products = FieldList(FormField(ProductRow))
    actions = FieldList(FormField(ActionRow))
    references = FieldList(FormField(ReferenceRow))
    templates = MultiCheckboxField("Linked templates")

    def __init__(
        self, *args, product_choices=(), template_choices=(), advisory_choices=(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.superseded_by.choices = choices([("", "—"), *advisory_choices])
        self.templates.choices = choices(template_choices)
        for entry in self.products:
            entry.form.product.choices = choices([("", "—"), *product_choices])
        self._product_choices = list(product_choices)

    def add_blank_rows(self, rows: dict[str, int] = EXTRA_ROWS) -> None:
        """Append the blank rows people fill in to add items."""
        for name, count in rows.items():
            for _ in range(count):
                getattr(self, name).append_entry()
        for entry in self.products:
            entry.form.product.choices = choices([("", "—"), *self._product_choices])

    def data_for_document(self, slug: str) -> dict:
        """Return the form's content shaped like an advisory document (products by id)."""
        return {
            "slug": slug,
            "title": self.title.data.strip(),
            "publisher": self.publisher.data.strip(),
            "published": self.published.data,
            "severity": self.severity.data,
            "status": self.status.data,
            "superseded_by": self.superseded_by.data or None,
            "summary": self.summary.data.strip(),
            "body": (self.body.data or "").strip(),
            "key_dates": key_date_rows(self.key_dates),
            "actions": action_rows(self.actions),
            "references": [
                {"title": r.form.title.data.strip(), "url": r.form.url.data.strip()}
                for r in self.references
                if not r.form.is_blank()
            ],
            "templates": list(self.templates.data or []),
            "product_rows": [
                (
                    r.form.product.data,
                    split_list(r.form.affected.data),
                    split_list(r.form.fixed.data),
                )
                for r in self.products
                if not r.form.is_blank()
            ],
        }


def key_date_rows(rows) -> list[dict]:
    """Return the filled key-date rows."""
    return [
        {
            "name": r.form.name.data.strip(),
            "label": r.form.label.data.strip(),
            "date": r.form.date.data,
        }
        for r in rows
        if not r.form.is_blank()
    ]


def _auto_key(text: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())[:6] or ["action"]
    key = "-".join(words)[:70].strip("-")
    candidate, n = key, 2
    while candidate in taken:
        candidate, n = f"{key}-{n}", n + 1
    return candidate


def action_rows(rows, taken: set[str] | None = None) -> list[dict]:
    """Return the filled action rows; a row without an id gets one from its text."""
    taken = set(taken or ()) | {r.form.key.data for r in rows if r.form.key.data}
    result = []
    for r in rows:
        if r.form.is_blank():
            continue
        key = r.form.key.data or _auto_key(r.form.text.data, taken)
        taken.add(key)
        result.append(
            {
                "id": key,
                "for": r.form.audience.data,
                "text": r.form.text.data.strip(),
                "questions": question_refs(r.form.questions.data),
            }
        )
    return result


class UpdateForm(FlaskForm):
    date = DayField("Date of the update", validators=[DataRequired()])
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(
        "What changed (Markdown)", validators=[Optional(), Length(max=MAX_MARKDOWN)]
    )
    key_dates = FieldList(FormField(KeyDateRow))
    actions = FieldList(FormField(ActionRow))
    affected_questions = MultiCheckboxField("Questions whose earlier answers may be out of date")

    def __init__(self, *args, question_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.affected_questions.choices = choices(question_choices)

    def add_blank_rows(self) -> None:
        """Append the blank rows people fill in."""
        for _ in range(2):
            self.key_dates.append_entry()
            self.actions.append_entry()

    def data_for_update(self, existing_action_ids: set[str]) -> dict:
        """Return the form's content shaped like an update."""
        return {
            "date": self.date.data,
            "title": self.title.data.strip(),
            "body": (self.body.data or "").strip(),
            "key_dates": key_date_rows(self.key_dates),
            "actions": action_rows(self.actions, existing_action_ids),
            "affected_questions": list(self.affected_questions.data or []),
        }


class ExposureForm(FlaskForm):
    vendor = SelectField("Vendor", coerce=optional_int, validators=[DataRequired()])
    state = SelectField(
        "Exposure", choices=choices((s, EXPOSURE_LABELS[s]) for s in EXPOSURE_STATES)
    )
    reason = TextAreaField(
        "Reason or source",
        validators=[Optional(), Length(max=2000)],
        description="Required when ruling a vendor out.",
    )


class ProgressForm(FlaskForm):
    state = SelectField("State", choices=choices((s, PROGRESS_LABELS[s]) for s in PROGRESS_STATES))
    owner = SelectField("Owner", coerce=optional_int, validators=[Optional()])
    on_date = DayField("Date (due, or done on)", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])


class FeedLinkForm(FlaskForm):
    """Make or revoke a personal feed link (a CSRF-protected button)."""


class AskAgainForm(FlaskForm):
    """Only the CSRF token: the update says what to ask."""


class FilterForm(Form):
    q = StringField("Search", validators=[Optional(), Length(max=200)])
    status = SelectField(
        "Status",
        validators=[Optional()],
        choices=choices([("", "Any status"), *STATUS_LABELS.items()]),
    )
    severity = SelectField(
        "Severity",
        validators=[Optional()],
        choices=choices([("", "Any severity"), *SEVERITY_LABELS.items()]),
    )
    product = SelectField("Product", coerce=optional_int, validators=[Optional()])
