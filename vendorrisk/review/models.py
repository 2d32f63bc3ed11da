"""Review decisions, clarification rounds, findings tracked to closure, and overrides."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorrisk.core.timeutil import UTCDateTime, iso, utcnow
from vendorrisk.extensions import db
from vendorrisk.vendors import owner_copies

# Review decisions.
ACCEPTED = "accepted"
APPROVED_WITH_CONDITIONS = "approved_with_conditions"
CLARIFICATION = "clarification_requested"
REJECTED = "rejected"
DECISION_LABELS = {
    ACCEPTED: "Accepted",
    APPROVED_WITH_CONDITIONS: "Approved with conditions",
    CLARIFICATION: "Clarification requested",
    REJECTED: "Rejected",
}
# Decisions after which an assessment counts (for residual risk).
ACCEPTING = (ACCEPTED, APPROVED_WITH_CONDITIONS)

# Finding states.
OPEN = "open"
PLANNED = "planned"
CLOSED = "closed"
RISK_ACCEPTED = "risk_accepted"
FINDING_STATE_LABELS = {
    OPEN: "Open",
    PLANNED: "Remediation planned",
    CLOSED: "Closed",
    RISK_ACCEPTED: "Risk accepted",
}
SEVERITIES = ("critical", "high", "medium", "low")

# Where a finding came from.
FROM_SCORING = "scoring"
FROM_REVIEWER = "reviewer"
FROM_CONDITION = "condition"


class ReviewDecision(db.Model):  # type: ignore[name-defined]
    """A reviewer's decision on one submitted revision; never changed, only followed by others."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    decision: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reviewer = relationship("User")
    revision = relationship("Revision")

    @property
    def label(self) -> str:
        return DECISION_LABELS.get(self.decision, self.decision)


@owner_copies.keep
class Finding(db.Model):  # type: ignore[name-defined]
    """A gap found by scoring or by a reviewer, tracked until it is closed or its risk accepted."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_vendor_state", "vendor_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    question_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    detail: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(10), index=True)
    original_severity: Mapped[str] = mapped_column(String(10))
    severity_justification: Mapped[str | None] = mapped_column(Text)
    remediation: Mapped[str | None] = mapped_column(Text)
    frameworks: Mapped[list] = mapped_column(JSON, default=list)
    internal: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(20), default=OPEN, index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    plan_owner: Mapped[str | None] = mapped_column(String(200))
    plan_date: Mapped[date | None] = mapped_column(Date)
    plan_text: Mapped[str | None] = mapped_column(Text)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acceptance_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acceptance_reason: Mapped[str | None] = mapped_column(Text)
    acceptance_expires_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who follows the finding up on our side (the vendor's owner, for findings from scoring).
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The vendor's internal owner, copied so that one owner's finding counts read an index of
    # their findings alone (vendors/owner_copies.py). Read it in queries only.
    vendor_owner_id: Mapped[int | None] = mapped_column()

    vendor = relationship("Vendor")
    owner = relationship("User", foreign_keys=[owner_id])
    assignment = relationship("Assignment")
    closed_by = relationship("User", foreign_keys=[closed_by_id])
    acceptance_by = relationship("User", foreign_keys=[acceptance_by_id])
    events: Mapped[list["FindingEvent"]] = relationship(
        back_populates="finding", order_by="FindingEvent.id"
    )

    @property
    def state_label(self) -> str:
        return FINDING_STATE_LABELS.get(self.state, self.state)

    @property
    def is_open(self) -> bool:
        return self.state in (OPEN, PLANNED)

    def facts(self) -> dict:
        """The fields every JSON view of a finding carries (the API, the report's record)."""
        return {
            "id": self.id,
            "vendor_id": self.vendor_id,
            "assignment_id": self.assignment_id,
            "revision_id": self.revision_id,
            "question_id": self.question_id,
            "source": self.source,
            "title": self.title,
            "detail": self.detail,
            "category": self.category,
            "severity": self.severity,
            "state": self.state,
            "internal": self.internal,
            "remediation": self.remediation,
            "frameworks": list(self.frameworks or []),
            "due_date": iso(self.due_date),
            "created_at": iso(self.created_at),
            "closed_at": iso(self.closed_at),
        }

    def is_overdue(self, today: date) -> bool:
        """Open past its due date (or past its planned date)."""
        target = self.plan_date or self.due_date
        return self.is_open and target is not None and target < today


class FindingEvent(db.Model):  # type: ignore[name-defined]
    """One step in a finding's history (append-only), by a user or a vendor recipient."""

    __tablename__ = "finding_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    finding: Mapped[Finding] = relationship(back_populates="events")
    user = relationship("User")


class ScoreOverride(db.Model):  # type: ignore[name-defined]
    """A reviewer's change to a question's points, with the original kept beside it."""

    __tablename__ = "score_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    original_percent: Mapped[str | None] = mapped_column(String(40))
    new_percent: Mapped[int] = mapped_column()
    justification: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    by = relationship("User")


class ClarificationItem(db.Model):  # type: ignore[name-defined]
    """One question a reviewer asked the vendor to look at again, and the vendor's reply."""

    __tablename__ = "clarification_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    revision_number: Mapped[int] = mapped_column()  # the revision opened for the answer
    question_id: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replied_by_recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))

    asked_by = relationship("User")
    replies: Mapped[list["ClarificationReply"]] = relationship(
        back_populates="item", order_by="ClarificationReply.id", lazy="selectin"
    )

    @property
    def answered(self) -> bool:
        """Whether the vendor has replied (in place, or in the older separate reply box)."""
        return bool(self.replies) or bool(self.reply)


class ClarificationReply(db.Model):  # type: ignore[name-defined]
    """The vendor's reply to one question asked about: its answer and comment as submitted.

    Written once when the revision answering the round is submitted, never changed.
    """

    __tablename__ = "clarification_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("clarification_items.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    revision_number: Mapped[int] = mapped_column()
    answer: Mapped[dict | None] = mapped_column(JSON)
    answer_text: Mapped[str] = mapped_column(Text, default="")
    changed: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    replied_by_recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))

    item: Mapped[ClarificationItem] = relationship(back_populates="replies")
