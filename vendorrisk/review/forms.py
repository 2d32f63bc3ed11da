"""Forms for decisions, clarifications, overrides and the finding life cycle."""

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from vendorrisk.core.fields import DayField
from vendorrisk.core.http import MAX_ID
from vendorrisk.review.models import (
    ACCEPTED,
    APPROVED_WITH_CONDITIONS,
    DECISION_LABELS,
    FINDING_STATE_LABELS,
    REJECTED,
    SEVERITIES,
)

SEVERITY_CHOICES = [SelectChoice(s, s.capitalize()) for s in SEVERITIES]


class ConditionForm(FlaskForm):
    class Meta:
        csrf = False

    text = StringField("Condition", validators=[Optional(), Length(max=500)])
    due = DayField("Due", validators=[Optional()])


class DecisionForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[
            SelectChoice(d, DECISION_LABELS[d])
            for d in (ACCEPTED, APPROVED_WITH_CONDITIONS, REJECTED)
        ],
        validators=[DataRequired(message="Choose a decision.")],
    )
    note = TextAreaField("Note (required to reject)", validators=[Optional(), Length(max=4000)])
    conditions = FieldList(FormField(ConditionForm), min_entries=3, max_entries=10)


@lru_cache(maxsize=64)
def clarification_form_class(question_ids: tuple[str, ...]) -> type[FlaskForm]:
    """Return a form with one optional comment box per question of a template version."""
    attrs = {
        f"q_{qid}": TextAreaField(
            "Ask the vendor about this answer", validators=[Optional(), Length(max=2000)]
        )
        for qid in question_ids
    }
    return type("ClarificationForm", (FlaskForm,), attrs)


class OverrideForm(FlaskForm):
    question_id = StringField(validators=[DataRequired(), Length(max=64)])
    percent = IntegerField("Points (%)", validators=[DataRequired(), NumberRange(0, 100)])
    justification = TextAreaField("Justification", validators=[DataRequired(), Length(max=2000)])


class NewFindingForm(FlaskForm):
    title = StringField("Finding", validators=[DataRequired(), Length(max=500)])
    severity = SelectField("Severity", choices=SEVERITY_CHOICES, default="medium")
    due_date = DayField("Due date", validators=[Optional()])
    remediation = TextAreaField("Remediation expected", validators=[Optional(), Length(max=4000)])
    internal = BooleanField("Internal only (never shown to the vendor)")


class PlanForm(FlaskForm):
    owner = StringField("Owner at the vendor", validators=[DataRequired(), Length(max=200)])
    plan_date = DayField("Planned date", validators=[DataRequired()])
    plan = TextAreaField("Plan", validators=[Optional(), Length(max=4000)])


class CloseForm(FlaskForm):
    note = TextAreaField("How the fix was verified", validators=[DataRequired(), Length(max=4000)])


class AcceptRiskForm(FlaskForm):
    reason = TextAreaField(
        "Why the risk is accepted", validators=[DataRequired(), Length(max=4000)]
    )
    expires_on = DayField("Acceptance expires on", validators=[DataRequired()])


class SeverityForm(FlaskForm):
    severity = SelectField("New severity", choices=SEVERITY_CHOICES)
    justification = TextAreaField("Justification", validators=[DataRequired(), Length(max=2000)])


class FindingFilterForm(FlaskForm):
    class Meta:
        csrf = False

    severity = SelectField(
        "Severity", choices=[SelectChoice("", "Any"), *SEVERITY_CHOICES], validators=[Optional()]
    )
    state = SelectField(
        "State",
        choices=[SelectChoice("", "Any"), SelectChoice("open", "Open (incl. planned)")]
        + [SelectChoice(k, v) for k, v in FINDING_STATE_LABELS.items()],
        validators=[Optional()],
    )
    overdue = BooleanField("Overdue only")
    category = SelectField("Category", choices=[SelectChoice("", "Any")], validators=[Optional()])
    vendor_id = IntegerField("Vendor", validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    # Set by links from the dashboard: vendors of one owner; acceptances running out soon.
    owner = IntegerField("Owner", validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    expiring = IntegerField(
        "Acceptance expires within (days)", validators=[Optional(), NumberRange(min=0, max=366)]
    )

    def __init__(self, *args, category_labels: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(category_labels or {})
        asked = (self.category.data or "").strip()[:64]
        if asked and asked not in labels:  # a link may name a category no template has now
            labels[asked] = asked.replace("_", " ").capitalize()
        ordered = sorted(labels.items(), key=lambda item: item[1].lower())
        self.category.choices = [SelectChoice("", "Any")] + [SelectChoice(k, v) for k, v in ordered]
