"""Forms for uploading template YAML, deciding on a version and choosing versions to compare."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.utils import secure_filename
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from .services import MAX_REASON_LENGTH, MAX_UPLOAD_BYTES

DEFAULT_FILENAME = "template.yaml"


class UploadForm(FlaskForm):
    """A YAML file, or YAML typed or pasted in the editor; a file replaces the editor's text."""

    yaml_file = FileField("YAML file", description="A .yaml file of at most 512 KiB.")
    yaml_text = TextAreaField(
        "YAML",
        render_kw={
            "rows": 28,
            "spellcheck": "false",
            "autocapitalize": "off",
            "autocomplete": "off",
        },
    )

    def validate_yaml_file(self, field) -> None:
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        raw = upload.stream.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // 1024} KiB; "
                "templates may be at most 512 KiB."
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError("The file is not UTF-8 text.") from exc
        # The editor shows the file's text, so errors can be fixed in place.
        self.yaml_text.data = text
        self.yaml_text.raw_data = [text]

    def validate_yaml_text(self, field) -> None:
        if len((field.data or "").encode("utf-8")) > MAX_UPLOAD_BYTES:
            raise ValidationError(
                f"The text is larger than {MAX_UPLOAD_BYTES // 1024} KiB; "
                "templates may be at most 512 KiB."
            )

    def validate(self, extra_validators=None) -> bool:
        # The file is checked first: it fills the editor, which is checked next.
        ok = super().validate(extra_validators)
        if ok and not (self.yaml_text.data or "").strip():
            self.yaml_text.errors = ["Choose a YAML file or write the template here."]
            return False
        return ok

    @property
    def filename(self) -> str:
        """Name errors after the uploaded file, or a neutral name for the editor's text."""
        upload = self.yaml_file.data
        name = secure_filename(getattr(upload, "filename", "") or "") if upload else ""
        return name or DEFAULT_FILENAME


class DecisionForm(FlaskForm):
    """Approve a version (only the CSRF token)."""


class RejectForm(FlaskForm):
    """Reject a version, saying why."""

    reason = TextAreaField(
        "Why is it rejected?",
        validators=[
            DataRequired(message="Say why the version is rejected."),
            Length(max=MAX_REASON_LENGTH),
        ],
        render_kw={"rows": 3, "maxlength": MAX_REASON_LENGTH},
    )


class CompareForm(FlaskForm):
    """Two versions of one template to compare (a GET form)."""

    class Meta:
        csrf = False

    old = SelectField("From version", coerce=int)
    new = SelectField("To version", coerce=int)
