"""Forms of the template composer: a new draft, pasted YAML, and the lock every edit carries."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from .drafts import KINDS
from .formfactory import choice


class NewDraftForm(FlaskForm):
    """Start an empty draft; the service checks the slug and title."""

    slug = StringField("Identifier", description="Lower-case letters, digits and hyphens.")
    title = StringField("Title")
    kind = SelectField("Kind", choices=[choice(k, k.title()) for k in KINDS])


class PasteForm(FlaskForm):
    """Start a draft from YAML text; it is kept even when the validator refuses it."""

    yaml_text = TextAreaField("YAML", render_kw={"rows": 8, "spellcheck": "false"})


class EditForm(FlaskForm):
    """What every edit posts besides its own fields: the operation and the lock it was made on."""

    op = HiddenField()
    lock_version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
