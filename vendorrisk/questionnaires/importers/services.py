"""Import a questionnaire file as a template draft, and keep column mappings by name.

The draft is created only from YAML the validator accepts, in the caller's transaction; a
refused import raises ImportRefused before anything is added.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.questionnaires import drafts
from vendorrisk.questionnaires.models import TemplateDraft

from . import caiq
from .common import Converted, ImportRefused, Problem
from .mapping import Mapping, mapping_yaml, parse_mapping
from .models import ImportMapping
from .sheet import import_sheet
from .vsaq import import_vsaq

MAPPING_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,118}[A-Za-z0-9)]$|^[A-Za-z0-9]$")
BUILT_IN = {caiq.NAME: caiq.LABEL}


@dataclass
class Imported:
    """A new draft and the notes on what its source held that it could not carry over."""

    draft: TemplateDraft
    converted: Converted


def list_mappings() -> list[ImportMapping]:
    """Return the saved mappings by name."""
    return list(db.session.scalars(select(ImportMapping).order_by(ImportMapping.name)))


def mapping_by_name(name: str) -> ImportMapping | None:
    """Return the saved mapping of that name, if any."""
    return db.session.scalar(select(ImportMapping).where(ImportMapping.name == name))


def check_mapping_name(name: str) -> str | None:
    """Return why a name cannot be a saved mapping's, or None."""
    if name in BUILT_IN:
        return f"“{name}” is the built-in mapping's name; choose another."
    if not MAPPING_NAME.match(name):
        return "Use 1 to 120 letters, digits, spaces, '.', '_', '-' or brackets."
    return None


def save_mapping(name: str, mapping: Mapping, user: User) -> ImportMapping:
    """Save a mapping under its name, replacing one saved before under the same name."""
    problem = check_mapping_name(name)
    if problem:
        raise ImportRefused([Problem("name", problem)])
    row = mapping_by_name(name)
    now = utcnow()
    if row is None:
        row = ImportMapping(name=name, created_at=now, created_by_id=user.id)
        db.session.add(row)
    row.yaml_text, row.updated_at, row.updated_by_id = mapping_yaml(mapping), now, user.id
    db.session.flush()
    audit.record("import_mapping.save", "import_mapping", row.id, details={"name": name})
    return row


def saved_mapping(name: str) -> Mapping:
    """Return a saved mapping, parsed; raise ImportRefused when there is none of that name."""
    row = mapping_by_name(name)
    if row is None:
        known = ", ".join([*BUILT_IN, *(m.name for m in list_mappings())])
        raise ImportRefused([Problem("mapping", f"no mapping named {name!r} (known: {known})")])
    return parse_mapping(row.yaml_text, f"saved mapping “{name}”")


def convert_sheet(
    data: bytes, filename: str, mapping_name: str | None = None, mapping: Mapping | None = None
) -> Converted:
    """Convert a spreadsheet by the built-in CAIQ v4 layout, a saved mapping or a given one."""
    if mapping is None and mapping_name == caiq.NAME:
        return caiq.import_caiq(data, filename)
    if mapping is None:
        if not mapping_name:
            raise ImportRefused([Problem("mapping", "choose a mapping")])
        return import_sheet(
            data, filename, saved_mapping(mapping_name), mapping_name=f"“{mapping_name}”"
        )
    return import_sheet(data, filename, mapping)


def create_draft(
    converted: Converted, data: bytes, filename: str, kind: str, user: User
) -> Imported:
    """Create the draft of a converted file, with an audit entry naming the file's SHA-256."""
    draft = drafts.create_from_text(converted.yaml_text, user)
    audit.record(
        "template_draft.import",
        "template_draft",
        draft.id,
        details={
            "format": kind,
            "file": PurePath(filename).name[:200],
            "sha256": hashlib.sha256(data).hexdigest(),
            "questions": converted.questions,
            "notes": len(converted.notes),
        },
    )
    return Imported(draft, converted)


def import_sheet_file(
    data: bytes,
    filename: str,
    user: User,
    *,
    mapping_name: str | None = None,
    mapping: Mapping | None = None,
) -> Imported:
    """Import a spreadsheet as a new draft (all or nothing)."""
    converted = convert_sheet(data, filename, mapping_name, mapping)
    kind = caiq.NAME if mapping is None and mapping_name == caiq.NAME else "sheet"
    return create_draft(converted, data, filename, kind, user)


def import_vsaq_file(data: bytes, filename: str, user: User) -> Imported:
    """Import a VSAQ questionnaire as a new draft (all or nothing)."""
    return create_draft(import_vsaq(data, filename), data, filename, "vsaq", user)
