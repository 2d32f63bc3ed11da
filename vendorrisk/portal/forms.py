"""Small forms of the portal (the questionnaire itself comes from the form factory)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from vendorrisk.core.fields import DayField


class AttestationForm(FlaskForm):
    version = HiddenField()
    name = StringField("Your full name", validators=[DataRequired(), Length(max=200)])
    title = StringField("Your job title", validators=[DataRequired(), Length(max=200)])
    confirm = BooleanField(
        "I confirm that these answers are accurate and complete to the best of my knowledge, "
        "and that I am authorised to give them on behalf of my organisation.",
        validators=[DataRequired(message="Tick the box to confirm.")],
    )


class SaveMetaForm(FlaskForm):
    """The version the page was built on, and where to go after saving."""

    version = IntegerField(validators=[InputRequired()])
    action = StringField(validators=[Optional()])


class VendorPlanForm(FlaskForm):
    owner = StringField(
        "Who at your organisation owns the fix", validators=[DataRequired(), Length(max=200)]
    )
    plan_date = DayField("Planned completion date", validators=[DataRequired()])
    plan = TextAreaField("What you will do", validators=[Optional(), Length(max=4000)])


class ContinueForm(FlaskForm):
    """The Continue button of a link page (only its CSRF token)."""


class WorkbookUploadForm(FlaskForm):
    """The filled-in offline workbook."""

    file = FileField(
        "Your filled-in workbook (.xlsx)",
        validators=[FileRequired(message="Choose the workbook to upload.")],
    )


class ReuseConfirmForm(FlaskForm):
    """Which earlier answer to confirm: one question's, or (empty) every offer of the section."""

    question = StringField(validators=[Optional(), Length(max=64)])
