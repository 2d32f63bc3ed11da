"""What every report needs: limits, answers as text, who did what, advisories at send, the audit."""

from __future__ import annotations

import importlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select

from vendorrisk.accounts.models import User
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True)
class Limits:
    """How much of a record a report renders; the XLSX export always has everything."""

    answer_chars: int = 3000
    answer_rows: int = 5000
    audit_rows: int = 2000
    vendors: int = 2000
    assessments: int = 40

    @classmethod
    def from_config(cls) -> Limits:
        """Read the limits from the app's configuration."""
        config = current_app.config
        return cls(
            answer_chars=config["REPORT_MAX_ANSWER_CHARS"],
            answer_rows=config["REPORT_MAX_ANSWER_ROWS"],
            audit_rows=config["REPORT_MAX_AUDIT_ROWS"],
            vendors=config["REPORT_MAX_VENDORS"],
            assessments=config["REPORT_MAX_ASSESSMENTS"],
        )


@dataclass(frozen=True)
class Period:
    """The period a report covers (both ends included), in UTC days."""

    since: date | None = None
    until: date | None = None

    @classmethod
    def from_params(cls, params: dict) -> Period:
        """Read a period from a job's parameters (ISO dates or nothing)."""

        def day(key: str) -> date | None:
            value = params.get(key)
            return date.fromisoformat(value) if value else None

        return cls(day("since"), day("until"))

    @property
    def start(self) -> datetime | None:
        return datetime.combine(self.since, time(), UTC) if self.since else None

    @property
    def end(self) -> datetime | None:
        return datetime.combine(self.until, time(), UTC) + timedelta(days=1) if self.until else None

    def contains(self, moment: datetime | None) -> bool:
        """Tell whether a time falls in the period (no time at all falls in it)."""
        if moment is None:
            return True
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment < self.end
        )

    def describe(self, first: date | None, generated: datetime) -> str:
        """Say which period the report covers, filling open ends with what it shows."""
        start = self.since or first
        end = self.until or generated.date()
        if start is None:
            return f"Everything on record up to {end:%d %B %Y}"
        return f"{start:%d %B %Y} to {end:%d %B %Y}"


@dataclass
class Meta:
    """The cover page's facts about one rendering of a report."""

    document_id: str
    generated_at: datetime
    generated_by: str
    generated_role: str
    period: Period = field(default_factory=Period)
    # The signer named on the cover (certificate subject); None: the report is not signed.
    signed_by: str | None = None
    # SHA-256 of the embedded record's manifest, and the JSON files attached beside it.
    record_sha256: str | None = None
    record_files: tuple[str, ...] = ()


def new_document_id(now: datetime) -> str:
    """Return a document id: the UTC date and a random part, e.g. VR-20260301-7F3A9C2D."""
    return f"VR-{now:%Y%m%d}-{secrets.token_hex(4).upper()}"


def clip(text: str | None, limit: int) -> str | None:
    """Cut long text for print, saying so (the export keeps it whole)."""
    if text is None or len(text) <= limit:
        return text
    return text[:limit].rstrip() + f" … [{len(text) - limit:,} more characters in the export]"


def utc(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored time in UTC, naming the zone."""
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime(fmt) + " UTC"


def user_label(user: User | None) -> str:
    """Name a staff member for the record."""
    if user is None:
        return "—"
    return f"{user.name} ({user.email})"


# --- advisories (optional module) -------------------------------------------------------------


def advisories_module(name: str = "models"):
    """Return a module of the advisories package, or None when it is not installed."""
    try:
        return importlib.import_module(f"vendorrisk.advisories.{name}")
    except ImportError:
        return None


@dataclass(frozen=True)
class AdvisoryAtSend:
    """The advisory a campaign was sent for, and its last update on or before the send."""

    slug: str
    title: str | None
    publisher: str | None
    severity: str | None
    status_now: str | None
    update_number: int | None
    update_title: str | None
    update_date: date | None
    found: bool = True

    @property
    def state(self) -> str:
        if not self.found:
            return "Not in the advisory library"
        if self.update_number is None:
            return "As first published (no update before the send)"
        return f"Update {self.update_number} of {self.update_date:%d %B %Y}: {self.update_title}"


def advisory_at_send(slug: str | None, sent_at: datetime | None) -> AdvisoryAtSend | None:
    """Return the advisory a campaign names and the latest update dated on or before its send."""
    if not slug:
        return None
    models = advisories_module()
    if models is None or not hasattr(models, "Advisory"):
        return AdvisoryAtSend(slug, None, None, None, None, None, None, None, found=False)
    advisory = db.session.scalar(select(models.Advisory).where(models.Advisory.slug == slug))
    if advisory is None:
        return AdvisoryAtSend(slug, None, None, None, None, None, None, None, found=False)
    cutoff = (sent_at or datetime.now(UTC)).date()
    update = None
    for candidate in advisory.updates:
        if candidate.published_on <= cutoff:
            update = candidate
    return AdvisoryAtSend(
        slug=slug,
        title=advisory.title,
        publisher=advisory.publisher,
        severity=getattr(advisory, "severity_label", advisory.severity),
        status_now=getattr(advisory, "status_label", advisory.status),
        update_number=update.number if update else None,
        update_title=update.title if update else None,
        update_date=update.published_on if update else None,
    )


# --- the audit trail ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as the appendix prints it: ids and names of fields, no copies of data."""

    id: int
    at: datetime
    actor: str
    action: str
    object: str
    outcome: str
    details: str


def _details_text(details: Any) -> str:
    if not details:
        return ""
    if not isinstance(details, dict):
        return str(details)[:200]
    parts = []
    for key in sorted(details):
        value = details[key]
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key}={value}")
    text = "; ".join(parts)
    return text if len(text) <= 240 else text[:240] + " …"


def audit_trail(
    objects: dict[str, list[int]], period: Period, limit: int
) -> tuple[list[AuditRow], int]:
    """Return the audit entries about these objects in the period (oldest first) and the total.

    When there are more than `limit`, the newest `limit` are returned.
    """
    conditions = [
        and_(AuditEntry.object_type == kind, AuditEntry.object_id.in_([str(i) for i in ids]))
        for kind, ids in objects.items()
        if ids
    ]
    if not conditions:
        return [], 0
    query = (
        select(AuditEntry, User.email)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(or_(*conditions))
    )
    if period.start is not None:
        query = query.where(AuditEntry.at >= period.start)
    if period.end is not None:
        query = query.where(AuditEntry.at < period.end)
    from sqlalchemy import func

    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(query.order_by(AuditEntry.id.desc()).limit(limit)).all()
    result = []
    for entry, email in reversed(rows):
        if entry.actor_type == "user":
            actor = email or f"user #{entry.actor_id}"
        elif entry.actor_ref:
            actor = f"{entry.actor_type} ({entry.actor_ref})"
        else:
            actor = entry.actor_type
        result.append(
            AuditRow(
                id=entry.id,
                at=entry.at,
                actor=actor,
                action=entry.action,
                object=f"{entry.object_type} #{entry.object_id}" if entry.object_type else "—",
                outcome=entry.outcome,
                details=_details_text(entry.details),
            )
        )
    return result, total
