"""Turning saved answers back into form data, so a page shows the draft plus what was typed."""

from datetime import date
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.formfactory import field_names, form_data
from vendorrisk.questionnaires.schema import Section, Template


def _as_text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def draft_formdata(template: Template, answers: dict[str, Answer]) -> MultiDict:
    """Return the saved answers as posted form data."""
    data: MultiDict[str, str] = MultiDict()
    for name, value in form_data(template, answers).items():
        if value is True:
            data.add(name, "y")
        elif isinstance(value, list):
            for item in value:
                data.add(name, _as_text(item))
        elif value is not None and value is not False:
            data.add(name, _as_text(value))
    return data


def section_field_names(section: Section, editable: set[str] | None = None) -> set[str]:
    """Return the form field names of a section's questions (only `editable` ones, if given)."""
    names = set()
    for q in section.questions:
        if editable is None or q.id in editable:
            n = field_names(q.id)
            names.update({n.value, n.na, n.comment, n.files, n.reason, n.thumbprint})
    return names


def overlay(
    base: MultiDict, posted: MultiDict, section: Section, editable: set[str] | None = None
) -> MultiDict:
    """Replace the section's fields in the saved data by what was posted for that section.

    During a clarification round only the `editable` questions take what was posted; the others
    keep their saved answers (their inputs are disabled, so nothing is posted for them).
    """
    names = section_field_names(section, editable)
    merged = MultiDict([(k, v) for k, v in base.items(multi=True) if k not in names])
    for key, value in posted.items(multi=True):
        if key in names or key == "csrf_token":
            merged.add(key, value)
    return merged
