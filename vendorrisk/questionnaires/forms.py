"""Forms for uploading template YAML, deciding on a version and choosing versions to compare."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.utils import secure_filename
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from .limits import MAX_BYTES
from .services import MAX_REASON_LENGTH

DEFAULT_FILENAME = "template.yaml"


class UploadForm(FlaskForm):
    """A YAML file, or YAML typed or pasted in the editor; a file replaces the editor's text.

    Size, encoding and content are checked by the service, exactly as for files on disk.
    """

    file_bytes: bytes | None = None

    yaml_file = FileField(
        "YAML file", description=f"A .yaml file of at most {MAX_BYTES // 1024} KiB."
    )
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
        # One byte past the limit is enough for the check to refuse it.
        self.file_bytes = upload.stream.read(MAX_BYTES + 1)
        if len(self.file_bytes) <= MAX_BYTES:
            # The editor shows the file's text, so errors can be fixed in place (a byte that is
            # not UTF-8 shows as a replacement character; the error gives its line).
            text = self.file_bytes.decode("utf-8", "replace").removeprefix("\ufeff")
            self.yaml_text.data = text
            self.yaml_text.raw_data = [text]

    def validate(self, extra_validators=None) -> bool:
        # The file is checked first: it fills the editor, which is checked next.
        ok = super().validate(extra_validators)
        if ok and not (self.file_bytes or (self.yaml_text.data or "").strip()):
            self.yaml_text.errors = ["Choose a YAML file or write the template here."]
            return False
        return ok

    @property
    def source(self) -> str | bytes:
        """The template to check: the uploaded file's bytes, or else the editor's text."""
        return self.file_bytes if self.file_bytes is not None else self.yaml_text.data or ""

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
