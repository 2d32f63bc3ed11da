"""The forms for a completed CAIQ: the vendor's in the portal, and one staff received."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class CaiqUploadForm(FlaskForm):
    """The vendor's completed CAIQ v4 workbook."""

    file = FileField(
        "Your completed CAIQ (.xlsx)",
        validators=[FileRequired(message="Choose your completed CAIQ to upload.")],
    )


class ReceivedCaiqForm(FlaskForm):
    """A completed CAIQ the vendor sent staff, uploaded on its behalf."""

    file = FileField(
        "The completed CAIQ the vendor sent (.xlsx)",
        validators=[FileRequired(message="Choose the CAIQ to upload.")],
    )
