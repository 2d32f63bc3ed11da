"""Upload forms of the intake pages: a JSON file, read whole (the route caps its size)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.utils import secure_filename
from wtforms import StringField
from wtforms.validators import Length, Optional

JSON_ACCEPT = ".json,application/json"


class _JsonUpload(FlaskForm):
    def read(self) -> tuple[bytes, str]:
        """Return the file's bytes and a safe name to report errors under."""
        upload = self.file.data
        name = secure_filename(getattr(upload, "filename", "") or "") or "upload.json"
        return upload.read(), name


class CsafUploadForm(_JsonUpload):
    file = FileField(
        "CSAF 2.0 document (JSON)",
        validators=[FileRequired("Choose a CSAF JSON file.")],
        render_kw={"accept": JSON_ACCEPT},
    )


class SbomUploadForm(_JsonUpload):
    file = FileField(
        "CycloneDX SBOM (JSON)",
        validators=[FileRequired("Choose a CycloneDX JSON file.")],
        render_kw={"accept": JSON_ACCEPT},
    )
    product = StringField(
        "Which of the vendor's products it describes",
        validators=[Optional(), Length(max=300)],
        description="Leave empty to use the SBOM's own metadata.component name.",
    )


class VexUploadForm(_JsonUpload):
    file = FileField(
        "VEX document (CycloneDX or CSAF VEX, JSON)",
        validators=[FileRequired("Choose a VEX JSON file.")],
        render_kw={"accept": JSON_ACCEPT},
    )


class PublishForm(FlaskForm):
    """Publish a draft (only the CSRF token)."""
