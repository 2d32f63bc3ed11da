"""Forms for vendors, contacts, the product catalogue, product use, import and the list filters.

Forms check shapes (required, length, dates); the services check the domain rules (unique
names, LEI check digits, cycles, one primary) so the CSV importer applies the same ones.
"""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from vendorrisk.core.fields import DayField
from vendorrisk.vendors.countries import COUNTRY_CHOICES
from vendorrisk.vendors.models import CONTACT_KIND_LABELS, STATUS_LABELS
from vendorrisk.vendors.queries import ANY_STATUS, SORTS, STALE
from vendorrisk.vendors.risk import CRITICALITY_LABELS, DATA_ACCESS_LABELS, TIERS, tier_label
from vendorrisk.vendors.services import MAX_TEXT


def _id_text(value) -> str:
    return "" if value is None else str(value)


def _optional_id(value: str) -> int | None:
    return int(value) if value else None


class VendorForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    legal_name = StringField("Legal name", validators=[Optional(), Length(max=300)])
    lei = StringField(
        "LEI",
        validators=[Optional(), Length(max=30)],
        description="Legal Entity Identifier: 20 characters, optional.",
    )
    country = SelectField("Country", choices={"": "Not set", **dict(COUNTRY_CHOICES)})
    parent_id = SelectField("Parent company", coerce=_id_text, choices={"": "None"})
    website = StringField(
        "Website or domain",
        validators=[Optional(), Length(max=255)],
        description="For example vendor.example or https://www.vendor.example",
    )
    services = TextAreaField(
        "Services provided",
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": 3},
    )
    criticality = SelectField("Criticality of the service to us", choices=dict(CRITICALITY_LABELS))
    data_access = SelectField("Data access", choices=dict(DATA_ACCESS_LABELS))
    owner_id = SelectField("Internal owner", coerce=_id_text, choices={"": "Nobody yet"})
    status = SelectField("Status", choices=dict(STATUS_LABELS))
    contract_start = DayField("Contract start", validators=[Optional()])
    contract_end = DayField("Contract end", validators=[Optional()])
    renewal_date = DayField("Renewal date", validators=[Optional()])
    description = TextAreaField(
        "Description", validators=[Optional(), Length(max=MAX_TEXT)], render_kw={"rows": 3}
    )
    notes = TextAreaField(
        "Notes", validators=[Optional(), Length(max=MAX_TEXT)], render_kw={"rows": 3}
    )

    def service_data(self) -> dict:
        """Return the values the vendor service takes."""
        data = {
            name: getattr(self, name).data
            for name in (
                "name",
                "legal_name",
                "lei",
                "country",
                "website",
                "services",
                "criticality",
                "data_access",
                "status",
                "contract_start",
                "contract_end",
                "renewal_date",
                "description",
                "notes",
            )
        }
        data["parent_id"] = _optional_id(self.parent_id.data)
        data["owner_id"] = _optional_id(self.owner_id.data)
        return data


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ContactForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = StringField(
        "E-mail",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    phone = StringField("Phone", validators=[Optional(), Length(max=50)])
    title = StringField("Job title", validators=[Optional(), Length(max=200)])
    kinds = MultiCheckboxField(
        "Kinds",
        choices=dict(CONTACT_KIND_LABELS),
        validators=[Optional()],
        description="A vendor has exactly one primary contact. Breach campaigns go to the "
        "security contacts, or to the primary when there is none.",
    )

    def service_data(self) -> dict:
        """Return the values the contact service takes."""
        return {k: getattr(self, k).data for k in ("name", "email", "phone", "title", "kinds")}


class ProductForm(FlaskForm):
    supplier = StringField("Supplier", validators=[DataRequired(), Length(max=200)])
    supplier_vendor_id = SelectField(
        "Supplier in our inventory", coerce=_id_text, choices={"": "Not one of our vendors"}
    )
    name = StringField("Product name", validators=[DataRequired(), Length(max=200)])
    aliases = TextAreaField(
        "Aliases",
        validators=[Optional(), Length(max=4000)],
        render_kw={"rows": 3},
        description="One per line, e.g. Mimecast S&R. Matching ignores case and spacing.",
    )
    known_versions = TextAreaField(
        "Known versions",
        validators=[Optional(), Length(max=4000)],
        render_kw={"rows": 3},
        description="One per line, optional.",
    )
    cpes = TextAreaField(
        "CPE names",
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 2, "spellcheck": "false"},
        description="One per line, CPE 2.3, e.g. cpe:2.3:a:acme:widget:*:*:*:*:*:*:*:*.",
    )
    purls = TextAreaField(
        "Package URLs (purl)",
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 2, "spellcheck": "false"},
        description="One per line, e.g. pkg:maven/org.acme/widget.",
    )

    def service_data(self) -> dict:
        """Return the values the catalogue service takes."""
        return {
            "supplier": self.supplier.data,
            "supplier_vendor_id": _optional_id(self.supplier_vendor_id.data),
            "name": self.name.data,
            "aliases": self.aliases.data,
            "known_versions": self.known_versions.data,
            "cpes": self.cpes.data,
            "purls": self.purls.data,
        }


class ProductUseForm(FlaskForm):
    product_id = SelectField("Product", coerce=_id_text, choices={"": "Choose a product"})
    versions = StringField(
        "Versions",
        validators=[Optional(), Length(max=1000)],
        description="Optional; separate several with a semicolon, e.g. 2020.2; 2020.2 HF 1.",
    )
    subcontractor = StringField(
        "Through a subcontractor",
        validators=[Optional(), Length(max=200)],
        description="Leave empty when the vendor uses the product itself; otherwise name the "
        "fourth party (e.g. its managed service provider).",
    )


class ConfirmForm(FlaskForm):
    """A button that only needs a CSRF token."""


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose a CSV file to upload.")],
        render_kw={"accept": ".csv,text/csv"},
    )


class ImportConfirmForm(FlaskForm):
    import_all = SubmitField("Import everything")
    import_valid = SubmitField("Import only the valid rows")


class VendorFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        "Search",
        validators=[Optional(), Length(max=200)],
        render_kw={"placeholder": "Name, legal name or domain"},
    )
    tier = SelectField(
        "Tier",
        choices={"": "Any tier", **{str(t): tier_label(t) for t in TIERS}},
        validators=[Optional()],
    )
    data_access = SelectField(
        "Data access", choices={"": "Any", **DATA_ACCESS_LABELS}, validators=[Optional()]
    )
    product = SelectField("Product", choices={"": "Any product"}, validators=[Optional()])
    status = SelectField(
        "Status",
        choices={"": "Current", **STATUS_LABELS, ANY_STATUS: "Any status"},
        validators=[Optional()],
    )
    owner = SelectField("Owner", choices={"": "Anyone"}, validators=[Optional()])
    country = SelectField("Country", choices={"": "Any country"}, validators=[Optional()])
    residual = SelectField(
        "Residual tier",
        choices={"": "Any residual tier", **{str(t): tier_label(t) for t in TIERS}},
        validators=[Optional()],
    )
    assessment = SelectField(
        "Assessment",
        choices={"": "Any", STALE: "No recent accepted baseline"},
        validators=[Optional()],
    )
    # Set by links from the dashboard's score charts (a category and a score range A-D).
    score_category = SelectField(
        "Score category",
        choices={
            "": "Any",
            "certificate_rotation": "Certificate rotation",
            "incident_readiness": "Incident readiness",
        },
        validators=[Optional()],
    )
    score_band = SelectField(
        "Score range",
        choices={"": "Any", "A": "85 to 100", "B": "70 to 84", "C": "50 to 69", "D": "0 to 49"},
        validators=[Optional()],
    )
    sort = SelectField(
        "Sort by",
        choices={**SORTS, **{f"-{k}": f"{v} (descending)" for k, v in SORTS.items()}},
        validators=[Optional()],
    )
