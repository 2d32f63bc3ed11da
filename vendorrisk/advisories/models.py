"""Advisories, their append-only updates, vendor exposure and the firm's own checklist.

The advisory row holds what the guidance says now (key dates, recommended actions, references
as JSON). Updates are appended, never changed: an update may add or change actions and key
dates and mark template questions as affected, and the effective advisory is the row with its
updates applied in order (see `services.effective`).
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}

ACTIVE = "active"
MONITORING = "monitoring"
RESOLVED = "resolved"
SUPERSEDED = "superseded"
STATUSES = (ACTIVE, MONITORING, RESOLVED, SUPERSEDED)
STATUS_LABELS = {
    ACTIVE: "Active",
    MONITORING: "Monitoring",
    RESOLVED: "Resolved",
    SUPERSEDED: "Superseded",
}

FOR_FIRM = "firm"
FOR_VENDORS = "vendors"
AUDIENCES = (FOR_FIRM, FOR_VENDORS)

SOURCE_FILE = "file"
SOURCE_APP = "app"

# Exposure of one vendor to one advisory.
SUSPECTED = "suspected"
CONFIRMED = "confirmed"
RULED_OUT = "ruled_out"
UNKNOWN = "unknown"
EXPOSURE_STATES = (CONFIRMED, SUSPECTED, UNKNOWN, RULED_OUT)
EXPOSURE_LABELS = {
    CONFIRMED: "Confirmed",
    SUSPECTED: "Suspected",
    UNKNOWN: "Unknown",
    RULED_OUT: "Ruled out",
}

# The firm's progress on one of its own actions.
TODO = "open"
IN_PROGRESS = "in_progress"
DONE = "done"
NOT_APPLICABLE = "not_applicable"
PROGRESS_STATES = (TODO, IN_PROGRESS, DONE, NOT_APPLICABLE)
PROGRESS_LABELS = {
    TODO: "Not started",
    IN_PROGRESS: "In progress",
    DONE: "Done",
    NOT_APPLICABLE: "Not applicable",
}

# The search objects are created by hand in the migration, not by the models: autogenerate
# must leave them alone (migrations/env.py and the models-match-migrations test read this).
SEARCH_TABLE = "advisory_search"
SEARCH_INDEX = "ix_advisories_search"
UNMANAGED_NAMES = frozenset(
    {SEARCH_TABLE, SEARCH_INDEX}
    | {f"{SEARCH_TABLE}_{part}" for part in ("data", "idx", "content", "docsize", "config")}
)
db.metadata.info.setdefault("unmanaged_names", set()).update(UNMANAGED_NAMES)


class AppendOnlyError(RuntimeError):
    """Something tried to change or delete a published advisory update."""


class Advisory(db.Model):  # type: ignore[name-defined]
    """A guidance entry: what happened, what is affected, what to do, and where to read more."""

    __tablename__ = "advisories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(200))
    published_on: Mapped[date] = mapped_column(Date, index=True)
    severity: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    superseded_by: Mapped[str | None] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    # The Markdown above rendered and cleaned once, when saved (markup.render); pages and the
    # feed show these and never render on a request.
    summary_html: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # [{"name", "label", "date"}], as first published; updates may add or move dates.
    key_dates: Mapped[list] = mapped_column(JSON, default=list)
    # [{"id", "for", "text", "questions": ["template-slug/question_id", ...]}], in order.
    actions: Mapped[list] = mapped_column(JSON, default=list)
    # [{"title", "url"}]
    reference_links: Mapped[list] = mapped_column(JSON, default=list)
    templates: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(10))  # file | app
    file_path: Mapped[str | None] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Title, summary, body, updates and product names as plain text: what search reads.
    search_document: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    products: Mapped[list["AdvisoryProduct"]] = relationship(
        back_populates="advisory", order_by="AdvisoryProduct.id", cascade="all, delete-orphan"
    )
    updates: Mapped[list["AdvisoryUpdate"]] = relationship(
        back_populates="advisory", order_by="AdvisoryUpdate.number"
    )
    created_by = relationship("User")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)

    def __repr__(self) -> str:
        return f"<Advisory {self.id} {self.slug}>"


class AdvisoryProduct(db.Model):  # type: ignore[name-defined]
    """A catalogue product an advisory names, with the versions that matter."""

    __tablename__ = "advisory_products"
    __table_args__ = (UniqueConstraint("advisory_id", "product_id", name="uq_advisory_products"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisories.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    # Empty: every version is affected unless it is one of the fixed versions.
    affected_versions: Mapped[list] = mapped_column(JSON, default=list)
    fixed_versions: Mapped[list] = mapped_column(JSON, default=list)
    # Versions and `vers:` ranges with their status, as a CSAF or KEV import gives them:
    # [{"status": "affected"|"fixed"|"not_affected"|"under_investigation",
    #   "vers": "vers:npm/>=1.0.0|<1.2.5" | "version": "1.2.3" | neither (every version)}].
    ranges: Mapped[list] = mapped_column(JSON, default=list)
    # The CPEs and purls the source named for it: [{"kind", "value", "key"}].
    identifiers: Mapped[list] = mapped_column(JSON, default=list)
    # How the source's product was found in the catalogue: cpe | purl | name (None: by hand).
    matched_by: Mapped[str | None] = mapped_column(String(10))
    cves: Mapped[list] = mapped_column(JSON, default=list)

    advisory: Mapped[Advisory] = relationship(back_populates="products")
    product = relationship("Product")


class AdvisoryUpdate(db.Model):  # type: ignore[name-defined]
    """A dated entry in an advisory's timeline; never changed or deleted once written."""

    __tablename__ = "advisory_updates"
    __table_args__ = (UniqueConstraint("advisory_id", "number", name="uq_advisory_updates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisories.id"), index=True)
    number: Mapped[int] = mapped_column()
    published_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")  # rendered once, when appended
    key_dates: Mapped[list] = mapped_column(JSON, default=list)
    actions: Mapped[list] = mapped_column(JSON, default=list)
    # ["template-slug/question_id", ...]: answers given before this update may be out of date.
    affected_questions: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(10))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    advisory: Mapped[Advisory] = relationship(back_populates="updates")
    created_by = relationship("User")


@event.listens_for(AdvisoryUpdate, "before_update")
def _refuse_update(mapper, connection, target: AdvisoryUpdate) -> None:
    # The database refuses it too (triggers in migration 0006); this says why, earlier.
    raise AppendOnlyError(f"advisory update {target.id} is append-only")


@event.listens_for(AdvisoryUpdate, "before_delete")
def _refuse_delete(mapper, connection, target: AdvisoryUpdate) -> None:
    raise AppendOnlyError(f"advisory update {target.id} cannot be deleted")


class Exposure(db.Model):  # type: ignore[name-defined]
    """What a person recorded about one vendor's exposure to one advisory (audited)."""

    __tablename__ = "advisory_exposures"
    __table_args__ = (UniqueConstraint("advisory_id", "vendor_id", name="uq_advisory_exposures"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisories.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    set_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    vendor = relationship("Vendor")
    set_by = relationship("User")


class ActionProgress(db.Model):  # type: ignore[name-defined]
    """The firm's own progress on one recommended action: owner, state, date and note."""

    __tablename__ = "advisory_action_progress"
    __table_args__ = (
        UniqueConstraint("advisory_id", "action_key", name="uq_advisory_action_progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisories.id"), index=True)
    action_key: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(20), default=TODO)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner = relationship("User", foreign_keys=[owner_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])

    @property
    def state_label(self) -> str:
        return PROGRESS_LABELS.get(self.state, self.state)


class Reask(db.Model):  # type: ignore[name-defined]
    """A vendor asked again about the questions an update marked as affected."""

    __tablename__ = "advisory_reasks"
    __table_args__ = (UniqueConstraint("update_id", "assignment_id", name="uq_advisory_reasks"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("advisory_updates.id"), index=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    question_ids: Mapped[list] = mapped_column(JSON)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    update = relationship("AdvisoryUpdate")
    assignment = relationship("Assignment")


class FeedToken(db.Model):  # type: ignore[name-defined]
    """A person's secret feed link: only its SHA-256 is kept; one per person, replaceable."""

    __tablename__ = "advisory_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")
