"""Template versions: look-ups, the parsed content, uploads and the second person's approval."""

from __future__ import annotations

import difflib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import abort
from sqlalchemy import CursorResult, func, select, update

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

from .canonical import content_hash
from .diff import TemplateDiff, diff_templates
from .loader import YamlLoadError, load_yaml_text
from .models import (
    APPROVED,
    PENDING,
    REJECTED,
    SOURCE_FILE,
    SOURCE_UPLOAD,
    Template,
    TemplateVersion,
)
from .schema import STORED
from .schema import Template as ParsedTemplate
from .validator import ValidationError, check_source

MAX_REASON_LENGTH = 2000
PARSED_CACHE_SIZE = 256


class UploadRejected(ValueError):
    """An uploaded template was not accepted; `errors` say why, as file:line: reason."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class DecisionRefused(ValueError):
    """An approval or rejection that may not happen, with a message fit to show the user."""


class ContentMismatch(RuntimeError):
    """A stored version's content no longer hashes to its recorded content hash."""


# --- look-ups ---------------------------------------------------------------------------------


def get_template_or_404(template_id: int) -> Template:
    """Return the template or answer 404."""
    return db.session.get(Template, template_id) or abort(404)


def get_version_or_404(version_id: int) -> TemplateVersion:
    """Return the template version or answer 404."""
    return db.session.get(TemplateVersion, version_id) or abort(404)


def template_by_slug(slug: str) -> Template | None:
    """Return the template with this slug, if any."""
    return db.session.scalar(select(Template).where(Template.slug == slug))


def current_version(template: Template) -> TemplateVersion | None:
    """Return the latest approved version: the one new campaigns use."""
    return db.session.scalar(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == template.id, TemplateVersion.status == APPROVED)
        .order_by(TemplateVersion.number.desc())
        .limit(1)
    )


def latest_version(template: Template) -> TemplateVersion | None:
    """Return the newest version whatever its status."""
    return db.session.scalar(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == template.id)
        .order_by(TemplateVersion.number.desc())
        .limit(1)
    )


def pending_version(template: Template) -> TemplateVersion | None:
    """Return the version waiting for approval, if any (there is at most one)."""
    return db.session.scalar(
        select(TemplateVersion).where(
            TemplateVersion.template_id == template.id, TemplateVersion.status == PENDING
        )
    )


@dataclass(frozen=True)
class TemplateRow:
    """One line of the template list."""

    template: Template
    current: TemplateVersion | None
    latest: TemplateVersion | None
    pending: int


def template_rows(include_archived: bool = True) -> list[TemplateRow]:
    """Return every template with its current version and its number of pending versions."""
    query = select(Template).order_by(Template.archived_at.is_not(None), Template.title)
    if not include_archived:
        query = query.where(Template.archived_at.is_(None))
    templates = db.session.scalars(query).all()
    pending = dict(
        db.session.execute(
            select(TemplateVersion.template_id, func.count())
            .where(TemplateVersion.status == PENDING)
            .group_by(TemplateVersion.template_id)
        ).all()
    )
    return [
        TemplateRow(t, current_version(t), latest_version(t), pending.get(t.id, 0))
        for t in templates
    ]


# --- parsed content -----------------------------------------------------------------------------

_parsed: OrderedDict[tuple[int, str], ParsedTemplate] = OrderedDict()
_parsed_lock = threading.Lock()


def parsed_version(version: TemplateVersion) -> ParsedTemplate:
    """Return the typed template of a version, parsed once per (id, content hash) and cached."""
    key = (version.id, version.content_hash)
    with _parsed_lock:
        hit = _parsed.get(key)
        if hit is not None:
            _parsed.move_to_end(key)
            return hit
    template = ParsedTemplate.model_validate(version.content, context=STORED)
    if content_hash(template) != version.content_hash:
        raise ContentMismatch(f"template version {version.id} does not match its content hash")
    with _parsed_lock:
        _parsed[key] = template
        while len(_parsed) > PARSED_CACHE_SIZE:
            _parsed.popitem(last=False)
    return template


def clear_parsed_cache() -> None:
    """Forget every parsed version (tests use it to prove nothing depends on the cache)."""
    with _parsed_lock:
        _parsed.clear()


def stored_content(template: ParsedTemplate) -> dict:
    """Return the JSON a version stores for a parsed template (YAML key names, defaults in)."""
    return template.model_dump(mode="json", by_alias=True)


def add_version(
    template: Template,
    yaml_text: str,
    parsed: ParsedTemplate,
    *,
    created_by: User | None,
    status: str,
) -> TemplateVersion:
    """Add the next version of a template (approved at once only for file templates)."""
    number = (
        db.session.scalar(
            select(func.max(TemplateVersion.number)).where(
                TemplateVersion.template_id == template.id
            )
        )
        or 0
    ) + 1
    now = utcnow()
    version = TemplateVersion(
        template=template,
        number=number,
        content_hash=content_hash(parsed),
        yaml_text=yaml_text,
        content=stored_content(parsed),
        created_at=now,
        created_by_id=created_by.id if created_by else None,
        status=status,
        reviewed_at=now if status == APPROVED else None,
    )
    db.session.add(version)
    if status == APPROVED:
        template.title, template.kind = parsed.title, parsed.kind
    db.session.flush()
    return version


# --- differences --------------------------------------------------------------------------------


def diff_versions(old: TemplateVersion, new: TemplateVersion) -> TemplateDiff:
    """Compare two versions of a template by question, section and category."""
    return diff_templates(parsed_version(old), parsed_version(new))


def yaml_diff(old: TemplateVersion, new: TemplateVersion, limit: int = 3000) -> list[str]:
    """Return the unified diff of the two versions' YAML text (at most `limit` lines)."""
    lines = list(
        difflib.unified_diff(
            old.yaml_text.splitlines(),
            new.yaml_text.splitlines(),
            fromfile=f"version {old.number}",
            tofile=f"version {new.number}",
            lineterm="",
        )
    )
    return lines[:limit]


# --- uploads ------------------------------------------------------------------------------------


def _id_line(text: str) -> int | None:
    try:
        return load_yaml_text(text).line_for(("id",))
    except YamlLoadError:
        return None


def _refuse(text: str, filename: str, reason: str) -> UploadRejected:
    return UploadRejected([ValidationError(filename, _id_line(text), None, reason)])


def submit_upload(
    source: str | bytes, filename: str, user: User, target: Template | None = None
) -> TemplateVersion:
    """Check uploaded YAML and store it as a pending version (a new template when its id is new).

    `source` is the file's bytes or the editor's text; it is checked exactly as `flask
    questionnaires validate` checks a file. `target` is the template the user meant to add a
    version to; the YAML's id must match it. Raise UploadRejected with every problem, as
    file:line: reason.
    """
    checked = check_source(source, filename)
    parsed, text = checked.template, checked.text
    if checked.errors or parsed is None or text is None:
        raise UploadRejected(checked.errors)
    existing = template_by_slug(parsed.id)
    if target is not None and parsed.id != target.slug:
        raise _refuse(
            text,
            filename,
            f"the id must stay '{target.slug}' for a new version of this template (it is "
            f"'{parsed.id}'); to make a separate template, clone it instead",
        )
    if existing is not None and existing.source == SOURCE_FILE:
        raise _refuse(
            text,
            filename,
            f"id '{parsed.id}' belongs to the shipped template {existing.file_path}; shipped "
            "templates change through code review. Give your copy another id.",
        )
    if existing is None:
        template = Template(
            slug=parsed.id, title=parsed.title, kind=parsed.kind, source=SOURCE_UPLOAD
        )
        db.session.add(template)
        db.session.flush()
        audit.record(
            "template.create",
            "template",
            template.id,
            details={"slug": template.slug, "source": SOURCE_UPLOAD},
        )
    else:
        template = existing
        waiting = pending_version(template)
        if waiting is not None:
            raise _refuse(
                text,
                filename,
                f"version {waiting.number} of '{template.slug}' is waiting for approval; "
                "approve or reject it before uploading another",
            )
        digest = content_hash(parsed)
        same = db.session.scalar(
            select(TemplateVersion.number)
            .where(
                TemplateVersion.template_id == template.id,
                TemplateVersion.content_hash == digest,
                TemplateVersion.status != REJECTED,
            )
            .order_by(TemplateVersion.number.desc())
        )
        if same is not None:
            raise _refuse(
                text,
                filename,
                f"nothing changed: this is the content of version {same} of '{template.slug}'",
            )
    version = add_version(template, text, parsed, created_by=user, status=PENDING)
    audit.record(
        "template_version.upload",
        "template_version",
        version.id,
        details={
            "template": template.slug,
            "number": version.number,
            "content_hash": version.content_hash,
        },
    )
    return version


# --- four-eyes approval ---------------------------------------------------------------------------


def _decide(version: TemplateVersion, user: User, status: str, reason: str | None) -> None:
    # A conditional UPDATE, so two reviewers deciding at once cannot both win.
    result: CursorResult = db.session.execute(  # type: ignore[assignment]
        update(TemplateVersion)
        .where(TemplateVersion.id == version.id, TemplateVersion.status == PENDING)
        .values(status=status, reviewed_by_id=user.id, reviewed_at=utcnow(), rejected_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(version)
        raise DecisionRefused(f"Version {version.number} was already {version.status}.")
    db.session.refresh(version)


def approve(version: TemplateVersion, user: User) -> None:
    """Approve a pending version; its uploader may not (a second person must)."""
    if version.status != PENDING:
        raise DecisionRefused(f"Version {version.number} is already {version.status}.")
    if version.created_by_id is not None and version.created_by_id == user.id:
        audit.record(
            "template_version.approve",
            "template_version",
            version.id,
            outcome="denied",
            details={"reason": "uploader may not approve", "template": version.template.slug},
        )
        raise DecisionRefused(
            "You uploaded this version, so you cannot approve it. Another vendor manager or an "
            "administrator must approve it."
        )
    _decide(version, user, APPROVED, None)
    parsed = parsed_version(version)
    template = version.template
    template.title, template.kind = parsed.title, parsed.kind
    audit.record(
        "template_version.approve",
        "template_version",
        version.id,
        details={
            "template": template.slug,
            "number": version.number,
            "uploaded_by": version.created_by_id,
        },
    )


def reject(version: TemplateVersion, user: User, reason: str) -> None:
    """Reject a pending version with a reason; it stays on record and is never used."""
    reason = reason.strip()
    if not reason:
        raise DecisionRefused("Say why the version is rejected.")
    if version.status != PENDING:
        raise DecisionRefused(f"Version {version.number} is already {version.status}.")
    _decide(version, user, REJECTED, reason[:MAX_REASON_LENGTH])
    audit.record(
        "template_version.reject",
        "template_version",
        version.id,
        details={"template": version.template.slug, "number": version.number},
    )


def may_decide(version: TemplateVersion, user: User) -> bool:
    """Whether this user may approve this version (it waits, and they did not upload it)."""
    return version.status == PENDING and version.created_by_id != user.id
