"""Forms of the import page: upload a spreadsheet or a VSAQ file, and map a sheet's columns."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from vendorrisk.questionnaires.formfactory import choice

from .mapping import ANSWER_TYPES, FIELD_LABELS, FIELDS, REQUIRED_FIELDS

NEW_MAPPING = "__new__"


class SheetUploadForm(FlaskForm):
    """A spreadsheet and the mapping to read it by (or none yet: map its columns next)."""

    file = FileField(
        "Spreadsheet (.xlsx or .csv)",
        validators=[FileRequired("Choose an .xlsx or .csv file.")],
        render_kw={"accept": ".xlsx,.csv"},
    )
    mapping = SelectField("Read it with", choices=[], validate_choice=False)
    sheet = StringField("Sheet", description="Leave empty for the first sheet.")
    header_row = IntegerField("Header row", default=1, validators=[Optional(), NumberRange(1, 100)])


class VsaqUploadForm(FlaskForm):
    """A Google VSAQ questionnaire file."""

    file = FileField(
        "VSAQ questionnaire (.json)",
        validators=[FileRequired("Choose a VSAQ .json file.")],
        render_kw={"accept": ".json,application/json"},
    )


class MapForm(FlaskForm):
    """Which column holds what, the defaults, and the name to save the mapping under."""

    upload = HiddenField()
    filename = HiddenField()
    sheet = HiddenField()
    header_row = HiddenField()
    default_type = SelectField(
        "Answer type when the row gives none", choices=[choice(t, t) for t in ANSWER_TYPES]
    )
    default_weight = IntegerField(
        "Weight when the row gives none", default=0, validators=[Optional(), NumberRange(0, 1000)]
    )
    framework = StringField(
        "Framework written before each control id", description="For example “CCM v4”."
    )
    allow_na = BooleanField("Every question allows N/A")
    slug = StringField("Template identifier", description="Default: from the file name.")
    title = StringField("Title", description="Default: the file name.")
    save_as = StringField(
        "Save this mapping as", description="Optional; saving under a saved name replaces it."
    )


def map_form_class(header: list[str]) -> type[MapForm]:
    """Return the map form with one select per field, listing the sheet's column names."""

    class ColumnsForm(MapForm):
        pass

    for name in FIELDS:
        choices = [] if name in REQUIRED_FIELDS else [choice("", "(not in this sheet)")]
        choices += [choice(h, h) for h in dict.fromkeys(h for h in header if h)]
        # Any name is checked against the sheet's header by the import itself.
        field = SelectField(FIELD_LABELS[name], choices=choices, validate_choice=False)
        setattr(ColumnsForm, f"col_{name}", field)
    return ColumnsForm
