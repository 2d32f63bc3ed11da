"""Template drafts composed in the browser: create, edit one operation at a time (the
operations are in draft_edits.py), submit.

A draft is YAML text. Every edit is applied to the data the text holds, written back as YAML
and checked by the one validator (`check_source`); an edit the validator refuses is still
saved, with its messages, so nothing typed is lost. Submitting hands the text to the same
four-eyes path as an upload (`services.submit_upload`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

from . import services
from .draft_edits import OPERATIONS, EditRefused, as_mutable, form_value, new_question
from .loader import YamlLoadError, load_yaml_text
from .models import TemplateDraft, TemplateVersion
from .schema import Template as ParsedTemplate
from .validator import check_source

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,118}[a-z0-9]$")
KINDS = ("incident", "baseline")
# The question keys whose messages the editor shows beside their own field.
FIELD_KEYS = frozenset({"finding_title"})


class DraftConflict(RuntimeError):
    """Someone saved the draft since this editor loaded it; reload and edit again."""


@dataclass(frozen=True)
class Message:
    """One validator message on a draft, with the question (if any) it concerns."""

    line: int | None
    question_id: str | None
    reason: str
    field: str | None = None  # the question's key it concerns, when the editor has a field for it


# --- look-ups -----------------------------------------------------------------------------------


def get_draft_or_404(draft_id: int) -> TemplateDraft:
    """Return the draft or answer 404."""
    return db.session.get(TemplateDraft, draft_id) or abort(404)


def list_drafts() -> list[TemplateDraft]:
    """Return every draft, most recently edited first."""
    return list(
        db.session.scalars(
            select(TemplateDraft)
            .options(selectinload(TemplateDraft.updated_by))
            .order_by(TemplateDraft.updated_at.desc())
        )
    )


def messages_of(draft: TemplateDraft) -> list[Message]:
    """Return the draft's stored validator messages."""
    return [
        Message(m.get("line"), m.get("question_id"), m["reason"], m.get("field"))
        for m in draft.messages
    ]


def messages_by_question(draft: TemplateDraft) -> dict[str | None, list[Message]]:
    """Group the messages by question id (None: the template or a section)."""
    grouped: dict[str | None, list[Message]] = {}
    for m in messages_of(draft):
        grouped.setdefault(m.question_id, []).append(m)
    return grouped


def parsed_draft(draft: TemplateDraft) -> ParsedTemplate | None:
    """Return the typed template of a valid draft (None while the validator refuses it)."""
    return check_source(draft.yaml_text, f"{draft.slug}.yaml").template


def draft_data(draft: TemplateDraft) -> dict | None:
    """Return the draft's YAML as editable data, or None when the text is not a YAML mapping."""
    return draft_data_from_text(draft.yaml_text)


def dump(data: dict) -> str:
    """Write draft data back as YAML, keys in the order a person wrote them."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


# --- creating -----------------------------------------------------------------------------------


def _question_key(path: tuple) -> str | None:
    """Return the key of a question a validator path ends in, e.g. 'finding_title'."""
    if len(path) >= 5 and path[0] == "sections" and path[2] == "questions":
        key = path[4]
        return key if isinstance(key, str) else None
    return None


def _check(text: str, slug: str) -> tuple[list[dict], ParsedTemplate | None]:
    checked = check_source(text, f"{slug}.yaml")
    messages = []
    for e in checked.errors:
        message = {"line": e.line, "question_id": e.question_id, "reason": e.reason}
        key = _question_key(e.path) if e.question_id else None
        if key in FIELD_KEYS:
            message["field"] = key
        messages.append(message)
    return messages, checked.template


def _new(text: str, user: User, source: TemplateVersion | None = None) -> TemplateDraft:
    data = draft_data_from_text(text)
    slug = str(data.get("id") or "draft") if data else "draft"
    title = str(data.get("title") or slug) if data else slug
    messages, _ = _check(text, slug)
    now = utcnow()
    draft = TemplateDraft(
        slug=slug[:120],
        title=title[:300],
        yaml_text=text,
        messages=messages,
        created_at=now,
        updated_at=now,
        created_by_id=user.id,
        updated_by_id=user.id,
        source_version_id=source.id if source else None,
    )
    db.session.add(draft)
    db.session.flush()
    audit.record("template_draft.create", "template_draft", draft.id, details={"slug": draft.slug})
    return draft


def draft_data_from_text(text: str) -> dict | None:
    """Return YAML text as editable data, or None when it is not a YAML mapping."""
    try:
        data = load_yaml_text(text).data
    except YamlLoadError:
        return None
    return as_mutable(data) if isinstance(data, dict) else None


def create_empty(slug: str, title: str, kind: str, user: User) -> TemplateDraft:
    """Start a draft with one section and one yes/no question, ready to be edited."""
    slug, title = slug.strip(), title.strip()
    errors = {}
    if not SLUG.match(slug):
        errors["slug"] = (
            "Use 3 to 120 lower-case letters, digits and hyphens, e.g. acme-breach-2026."
        )
    if not title:
        errors["title"] = "Give the questionnaire a title."
    if kind not in KINDS:
        errors["kind"] = "Choose incident or baseline."
    if errors:
        raise EditRefused(errors)
    category = "incident_readiness" if kind == "incident" else "security"
    data: dict[str, Any] = {
        "id": slug,
        "kind": kind,
        "title": title,
        "categories": [{"id": category, "title": "Incident readiness", "weight": 1}],
        "sections": [
            {
                "id": "response",
                "title": "Your response",
                "questions": [
                    new_question(
                        "q1", "Were you affected?", "yes_no", category, "Exposure to the incident"
                    )
                ],
            }
        ],
    }
    if kind == "incident":
        data["categories"].insert(
            0, {"id": "certificate_rotation", "title": "Credential rotation", "weight": 1}
        )
        data["sections"][0]["questions"].append(
            new_question(
                "q2",
                "Have you rotated affected credentials?",
                "yes_no",
                "certificate_rotation",
                "Affected credentials not rotated",
            )
        )
    return _new(dump(data), user)


def create_from_version(version: TemplateVersion, user: User) -> TemplateDraft:
    """Clone a template version into a new draft (clone-and-edit)."""
    return _new(version.yaml_text, user, source=version)


def create_from_text(text: str, user: User) -> TemplateDraft:
    """Start a draft from YAML text (pasted, or built by another service); kept even if invalid."""
    return _new(text, user)


def apply_edit(
    draft: TemplateDraft, lock_version: int, op: str, form: Mapping[str, Any], user: User
) -> list[Message]:
    """Apply one edit, check the result and save it whatever the validator says.

    Raise DraftConflict when the draft changed since `lock_version`, EditRefused when the edit
    cannot be applied at all (nothing is saved then). Return the validator's messages.
    """
    if draft.lock_version != lock_version:
        raise DraftConflict(
            "Someone else saved this draft while you were editing it. Your change was not "
            "saved; the page now shows their version, make your change again."
        )
    if op == "edit_yaml":
        text = form_value(form, "yaml_text").replace("\r\n", "\n") + "\n"
    else:
        operation = OPERATIONS.get(op)
        if operation is None:
            raise EditRefused({"op": "Unknown edit."})
        data = draft_data(draft)
        if data is None:
            raise EditRefused(
                {"yaml_text": "The YAML cannot be read; correct it in the YAML box first."}
            )
        operation(data, form)
        text = dump(data)
    messages, parsed = _check(text, draft.slug)
    draft.yaml_text, draft.messages = text, messages
    if parsed is not None:
        draft.slug, draft.title = parsed.id, parsed.title
    draft.updated_at, draft.updated_by_id = utcnow(), user.id
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise DraftConflict(
            "Someone else saved this draft at the same moment. Your change was not saved."
        ) from exc
    return messages_of(draft)


def submit(draft: TemplateDraft, lock_version: int, user: User) -> TemplateVersion:
    """Submit the draft's YAML as a version pending a second person's approval.

    The same path as an upload; raise services.UploadRejected while the draft is invalid.
    """
    if draft.lock_version != lock_version:
        raise DraftConflict("Someone else changed this draft; check their change, then submit.")
    version = services.submit_upload(draft.yaml_text, f"{draft.slug}.yaml", user)
    draft.submitted_version_id = version.id
    draft.updated_at, draft.updated_by_id = utcnow(), user.id
    db.session.flush()
    audit.record(
        "template_draft.submit",
        "template_draft",
        draft.id,
        details={"template_version": version.id, "number": version.number},
    )
    return version
