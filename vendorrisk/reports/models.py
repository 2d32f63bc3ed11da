"""Report jobs: a PDF someone asked for, built in the background, kept in the file store."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db

# Kinds of report.
VENDOR_PDF = "vendor_pdf"
CAMPAIGN_PDF = "campaign_pdf"
KINDS = (VENDOR_PDF, CAMPAIGN_PDF)
KIND_LABELS = {
    VENDOR_PDF: "Vendor due-diligence report",
    CAMPAIGN_PDF: "Campaign portfolio report",
}
# The object each kind is about.
OBJECT_TYPES = {VENDOR_PDF: "vendor", CAMPAIGN_PDF: "campaign"}

# Job states.
QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
STATE_LABELS = {QUEUED: "Waiting", RUNNING: "Being built", DONE: "Ready", FAILED: "Failed"}


class ReportJob(db.Model):  # type: ignore[name-defined]
    """One request for a PDF report and, once built, where the file is and its SHA-256."""

    __tablename__ = "report_jobs"
    __table_args__ = (Index("ix_report_jobs_object", "kind", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int] = mapped_column()
    # Options the report was asked with (the period covered), as given.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    document_id: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(10), default=QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)  # 0..100
    stage: Mapped[str | None] = mapped_column(String(120))
    # The file's name in the store's "reports" area; never a path given by a user.
    file_name: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None] = mapped_column()
    sha256: Mapped[str | None] = mapped_column(String(64))
    pages: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    # The worker building it holds a lease it renews while it works; an expired lease on a
    # running job means the worker died, and the job is built again (attempts counts builds).
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    requested_by = relationship("User")

    @property
    def object_type(self) -> str:
        return OBJECT_TYPES.get(self.kind, self.kind)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    def __repr__(self) -> str:
        return f"<ReportJob {self.id} {self.kind} {self.object_id} {self.state}>"
