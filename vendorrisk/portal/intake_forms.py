"""The portal's SBOM and VEX upload forms: the intake's forms, worded for the vendor."""

from wtforms import StringField
from wtforms.validators import Length, Optional

from vendorrisk.intake.forms import SbomUploadForm, VexUploadForm


class VendorSbomForm(SbomUploadForm):
    product = StringField(
        "Which of your products it describes",
        validators=[Optional(), Length(max=300)],
        description="Leave empty to use the name in the SBOM's metadata.component.",
    )


def sbom_form(**kw) -> VendorSbomForm:
    """Return the SBOM upload form (its fields prefixed, as two forms share the page)."""
    return VendorSbomForm(prefix="sbom", **kw)


def vex_form(**kw) -> VexUploadForm:
    """Return the VEX upload form."""
    return VexUploadForm(prefix="vex", **kw)
