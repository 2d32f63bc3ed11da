"""Questionnaire templates and their immutable versions, as stored in the database."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import InstanceState, Mapped, mapped_column, relationship

from vendorrisk.accounts.models import User
from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db

SOURCE_FILE = "file"
SOURCE_UPLOAD = "upload"
SOURCES = (SOURCE_FILE, SOURCE_UPLOAD)

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)

# Everything a version says; once written, none of it ever changes.
CONTENT_COLUMNS = frozenset(
    {"template_id", "number", "content_hash", "yaml_text", "content", "created_at", "created_by_id"}
)
DECISION_COLUMNS = frozenset({"status", "reviewed_by_id", "reviewed_at", "rejected_reason"})


class ImmutableVersionError(RuntimeError):
    """Something tried to change a template version's content or an earlier decision."""


class Template(db.Model):  # type: ignore[name-defined]
    """A questionnaire, known by its slug; its content lives in its versions."""

    __tablename__ = "templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))  # baseline | incident
    source: Mapped[str] = mapped_column(String(10))  # file | upload
    file_path: Mapped[str | None] = mapped_column(String(500))  # relative, for file templates
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    versions: Mapped[list["TemplateVersion"]] = relationship(
        back_populates="template", order_by="TemplateVersion.number"
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def __repr__(self) -> str:
        return f"<Template {self.id} {self.slug}>"


class TemplateVersion(db.Model):  # type: ignore[name-defined]
    """One immutable version of a template: its YAML, the parsed content and its approval.

    Campaigns freeze a version by id. Only the decision columns move, once, from pending.
    """

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"), index=True)
    number: Mapped[int] = mapped_column()
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    # The body loads only when asked for: pages reach the parsed, cached form by id and hash.
    yaml_text: Mapped[str] = mapped_column(Text, deferred=True, deferred_group="body")
    content: Mapped[dict] = mapped_column(JSON, deferred=True, deferred_group="body")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_reason: Mapped[str | None] = mapped_column(Text)

    template: Mapped[Template] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def approved_by(self) -> User | None:
        return self.reviewed_by if self.status == APPROVED else None

    @property
    def approved_at(self) -> datetime | None:
        return self.reviewed_at if self.status == APPROVED else None

    @property
    def usable(self) -> bool:
        """Whether campaigns may use this version (it is approved)."""
        return self.status == APPROVED

    def __repr__(self) -> str:
        return f"<TemplateVersion {self.id} {self.template_id}#{self.number} {self.status}>"


@event.listens_for(TemplateVersion, "before_update")
def _refuse_changes(mapper, connection, target: TemplateVersion) -> None:
    # The database refuses these too (triggers in the migration); this says why, earlier.
    state: InstanceState = inspect(target)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    if changed & CONTENT_COLUMNS:
        raise ImmutableVersionError(
            f"template version {target.id} is immutable: {sorted(changed & CONTENT_COLUMNS)}"
        )
    if changed & DECISION_COLUMNS:
        before = state.attrs.status.history.deleted
        if before and before[0] != PENDING:
            raise ImmutableVersionError(f"template version {target.id} was already decided")


@event.listens_for(TemplateVersion, "before_delete")
def _refuse_delete(mapper, connection, target: TemplateVersion) -> None:
    raise ImmutableVersionError(f"template version {target.id} cannot be deleted")


class TemplateDraft(db.Model):  # type: ignore[name-defined]
    """A template being composed in the browser: YAML that may still be invalid, never lost.

    `lock_version` guards against two managers overwriting each other's edits; `messages` are
    the validator's findings on the current text, kept beside it until the next edit.
    """

    __tablename__ = "template_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    yaml_text: Mapped[str] = mapped_column(Text)
    lock_version: Mapped[int] = mapped_column(default=1)
    messages: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_version_id: Mapped[int | None] = mapped_column(ForeignKey("template_versions.id"))
    submitted_version_id: Mapped[int | None] = mapped_column(ForeignKey("template_versions.id"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    submitted_version: Mapped[TemplateVersion | None] = relationship(
        foreign_keys=[submitted_version_id]
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def valid(self) -> bool:
        return not self.messages

    def __repr__(self) -> str:
        return f"<TemplateDraft {self.id} {self.slug}>"
