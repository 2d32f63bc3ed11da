"""Campaigns, assignments, recipients, responses, revisions and evidence.

A campaign freezes one approved template version and the reference dates it needs. Each vendor
gets an assignment; each person asked is a recipient with a link of their own. A response holds
the draft; each submission is an immutable revision with its attestation, hash and score.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    Connection,
    Date,
    ForeignKey,
    Index,
    SQLColumnExpression,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    event,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import InstanceState, Mapped, mapped_column, relationship
from sqlalchemy.sql.dml import Update

from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db
from vendorrisk.vendors import owner_copies

# Response states (delivery and review are kept apart; "overdue" is derived, never stored).
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
SUBMITTED_LATE = "submitted_late"
OPEN_STATES = (NOT_STARTED, IN_PROGRESS)  # answers still to come
RESPONSE_LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    SUBMITTED: "Submitted",
    SUBMITTED_LATE: "Submitted late",
}


class Campaign(db.Model):  # type: ignore[name-defined]
    """One send of one template version to many vendors."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    template_version_id: Mapped[int] = mapped_column(ForeignKey("template_versions.id"), index=True)
    advisory_slug: Mapped[str | None] = mapped_column(String(120), index=True)
    reference_dates: Mapped[dict] = mapped_column(JSON, default=dict)
    due_date: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    message: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    template_version = relationship("TemplateVersion")
    created_by = relationship("User")
    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="campaign", order_by="Assignment.id"
    )
    due_changes: Mapped[list["DueDateChange"]] = relationship(
        back_populates="campaign", order_by="DueDateChange.id"
    )


class DueDateChange(db.Model):  # type: ignore[name-defined]
    """An extension of a campaign's due date, with its reason (kept for the record)."""

    __tablename__ = "campaign_due_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    old_due_date: Mapped[date] = mapped_column(Date)
    new_due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="due_changes")
    changed_by = relationship("User")


def effective_due(extended_due_at: datetime | None, campaign_due_at: datetime) -> datetime:
    """Return when one vendor's answers are due: the campaign's due time, or the later time an
    extension for that vendor alone gave (once the whole campaign is extended past it, the
    campaign's again). The one rule; `Assignment.effective_due_at` is its SQL form too."""
    if extended_due_at is not None and extended_due_at > campaign_due_at:
        return extended_due_at
    return campaign_due_at


@owner_copies.keep
class Assignment(db.Model):  # type: ignore[name-defined]
    """One vendor's copy of a campaign."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("campaign_id", "vendor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    response_state: Mapped[str] = mapped_column(String(20), default=NOT_STARTED)
    review_state: Mapped[str] = mapped_column(String(30), default="not_reviewed")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # This vendor alone was given until then (the end of a day in the campaign's zone, as
    # UTC); None: the campaign's due time. Read it through `effective_due_at`.
    extended_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # `effective_due_at` stored, so that the overdue lists walk an index in due order instead
    # of computing every waiting assignment's due time. Written by the flush that creates the
    # assignment, extends it or moves its campaign's date (`_store_due`, `_follow_campaign`,
    # below); queries read it as `Assignment.effective_due_at`, Python code computes it.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The vendor's internal owner, copied so that one owner's response counts read an index
    # of their assignments alone (vendors/owner_copies.py). Read it in queries only.
    vendor_owner_id: Mapped[int | None] = mapped_column()
    # The response's latest submitted revision, so that lists of many assignments join it by
    # primary key instead of finding each one's highest number. Written in SQL by the flush that
    # submits a revision (`_point_at_latest`, below); read it in queries, not from a loaded
    # object, which may hold the value from before. No foreign key: revisions already point at
    # their response, and a cycle of keys would leave the tables no order to be created or
    # restored in.
    latest_revision_id: Mapped[int | None] = mapped_column()

    campaign: Mapped[Campaign] = relationship(back_populates="assignments")
    vendor = relationship("Vendor")
    recipients: Mapped[list["Recipient"]] = relationship(
        back_populates="assignment", order_by="Recipient.id"
    )
    response: Mapped["Response"] = relationship(back_populates="assignment", uselist=False)

    @property
    def is_submitted(self) -> bool:
        return self.response_state in (SUBMITTED, SUBMITTED_LATE)

    @hybrid_property
    def effective_due_at(self) -> datetime:
        """When this vendor's answers are due (see `effective_due`)."""
        return effective_due(self.extended_due_at, self.campaign.due_at)

    @effective_due_at.inplace.expression
    @classmethod
    def _effective_due_at_expression(cls) -> SQLColumnExpression[datetime]:
        # The same rule in SQL: the stored copy, kept by every flush that changes its inputs.
        return cls.due_at

    @hybrid_property
    def awaits_answers(self) -> bool:
        """Nothing submitted yet, ever: what a due date holds a vendor to. A clarification or
        follow-up round after a submission reopens the answers (in progress again) but is not
        held to the campaign's date, so it is neither chased nor overdue. The one rule, in
        Python and (below) in SQL."""
        return self.submitted_at is None and self.response_state in OPEN_STATES

    @awaits_answers.inplace.expression
    @classmethod
    def _awaits_answers_expression(cls) -> ColumnElement[bool]:
        return and_(cls.submitted_at.is_(None), cls.response_state.in_(OPEN_STATES))

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Overdue is derived: past this vendor's due time and nothing ever submitted."""
        return bool(self.awaits_answers) and (now or utcnow()) > self.effective_due_at


class Recipient(db.Model):  # type: ignore[name-defined]
    """A person asked to answer an assignment, with a link of their own.

    The link's token is derived from (id, nonce) under LINK_KEY when a message is sent; only its
    SHA-256 is stored. A new nonce (resend) retires every earlier link of this recipient.
    """

    __tablename__ = "recipients"
    __table_args__ = (UniqueConstraint("assignment_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("vendor_contacts.id"), index=True)
    nonce: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    assignment: Mapped[Assignment] = relationship(back_populates="recipients")
    contact = relationship("Contact")
    last_message = relationship("OutboxMessage")

    def usable(self, now: datetime | None = None) -> bool:
        """Tell whether this recipient's current link still opens the portal.

        A contact erased under GDPR Art. 17 keeps the row for the record, but not the access.
        """
        return (
            self.revoked_at is None
            and (now or utcnow()) < self.expires_at
            and self.contact.erased_at is None
        )

    @property
    def delivery_state(self) -> str:
        """Delivery of the latest invitation: queued, sent or failed."""
        return self.last_message.state if self.last_message else "queued"


class Response(db.Model):  # type: ignore[name-defined]
    """The draft answers of an assignment; a version column detects concurrent saves."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    draft: Mapped[dict] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))

    assignment: Mapped[Assignment] = relationship(back_populates="response")
    revisions: Mapped[list["Revision"]] = relationship(
        back_populates="response", order_by="Revision.number"
    )
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="response", order_by="Evidence.id"
    )
    reused_answers: Mapped[list["ReusedAnswer"]] = relationship(
        back_populates="response", order_by="ReusedAnswer.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def open_revision(self) -> "Revision | None":
        latest = self.revisions[-1] if self.revisions else None
        return latest if latest is not None and latest.submitted_at is None else None

    @property
    def latest_submitted(self) -> "Revision | None":
        for revision in reversed(self.revisions):
            if revision.submitted_at is not None:
                return revision
        return None


class Revision(db.Model):  # type: ignore[name-defined]
    """One round of answers. Open while the vendor works; immutable once submitted."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("response_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), index=True)
    number: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20), default="initial")  # clarification, follow_up
    reason: Mapped[str | None] = mapped_column(Text)
    # None: every question may change; otherwise only these question ids.
    editable_questions: Mapped[list | None] = mapped_column(JSON)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))
    late: Mapped[bool] = mapped_column(default=False)
    answers: Mapped[dict | None] = mapped_column(JSON)
    evidence_index: Mapped[list | None] = mapped_column(JSON)
    attestation_name: Mapped[str | None] = mapped_column(String(200))
    attestation_title: Mapped[str | None] = mapped_column(String(200))
    attestation_hash: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[dict | None] = mapped_column(JSON)
    # Copied from the score so lists and residual risk need not load the whole result.
    band: Mapped[str | None] = mapped_column(String(4))
    overall: Mapped[float | None] = mapped_column()
    not_exposed: Mapped[bool] = mapped_column(default=False)
    impact: Mapped[bool] = mapped_column(default=False)
    engine_version: Mapped[str | None] = mapped_column(String(20))

    response: Mapped[Response] = relationship(back_populates="revisions")
    submitted_by = relationship("Recipient", foreign_keys=[submitted_by_recipient_id])


# The question id a completed CAIQ uploaded for the whole questionnaire is kept under (question
# ids are lower-case letters, digits and '_', starting with a letter: never this one).
CAIQ_EVIDENCE = "_caiq_upload"


class Evidence(db.Model):  # type: ignore[name-defined]
    """An uploaded evidence file. Once part of a submitted revision it is never changed."""

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_response_question", "response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"))
    question_id: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))
    # Set when the vendor removes a file before submitting; submitted files are never removed.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_submitted_revision: Mapped[int | None] = mapped_column()

    response: Mapped[Response] = relationship(back_populates="evidence")
    uploaded_by = relationship("Recipient")
    certificate: Mapped["EvidenceCertificate | None"] = relationship(back_populates="evidence")


class EvidenceCertificate(db.Model):  # type: ignore[name-defined]
    """What an evidence file that is a certificate says, read once when it was uploaded.

    Written with the file and never changed, like the file itself.
    """

    __tablename__ = "evidence_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(Text)
    serial: Mapped[str] = mapped_column(String(64))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    not_after: Mapped[datetime] = mapped_column(UTCDateTime())
    key_type: Mapped[str] = mapped_column(String(10))
    key_size: Mapped[int] = mapped_column()
    key_curve: Mapped[str | None] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    sha1: Mapped[str] = mapped_column(String(40))
    received_on: Mapped[date] = mapped_column(Date)

    evidence: Mapped[Evidence] = relationship(back_populates="certificate")


class ReminderSent(db.Model):  # type: ignore[name-defined]
    """A reminder already sent for one offset of one due date (makes the command idempotent)."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("assignment_id", "due_at", "offset_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    offset_key: Mapped[str] = mapped_column(String(20))  # "7d", "3d", "1d", "overdue"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    skipped: Mapped[bool] = mapped_column(default=False)


class ImpactAlert(db.Model):  # type: ignore[name-defined]
    """An answer that means our data or systems may be affected, until someone handles it."""

    __tablename__ = "impact_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    signals: Mapped[list] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handling_note: Mapped[str | None] = mapped_column(Text)

    assignment = relationship("Assignment")
    vendor = relationship("Vendor")


class ReusedAnswer(db.Model):  # type: ignore[name-defined]
    """An earlier submitted answer offered again to the same vendor in a later questionnaire.

    Rows without a revision describe the draft: an offer counts for nothing until the vendor
    confirms it (`confirmed_at`), which writes it into the draft. At submission a copy is written
    for the revision (only for the confirmed answers still as confirmed), so a reviewer can tell
    which submitted answers were confirmed from an earlier round; those copies are never changed.
    Evidence is carried by reference: `evidence_ids` name the stored files of the earlier answer,
    which are neither copied nor changed.

    An offer comes from a submitted revision (`source_revision_id`) or from a completed CAIQ
    the vendor uploaded (`source_evidence_id`, the file kept as evidence; `source_question_id`
    is then the CAIQ question id, `source_submitted_at` the upload's time): exactly one of them.
    """

    __tablename__ = "reused_answers"
    __table_args__ = (
        Index("ix_reused_answers_response_question", "response_id", "question_id"),
        CheckConstraint(
            "(source_revision_id IS NULL) <> (source_evidence_id IS NULL)", name="one_source"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    source_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"))
    source_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    source_question_id: Mapped[str] = mapped_column(String(64))
    source_submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The earlier answer as the answer codec encodes it.
    answer: Mapped[dict] = mapped_column(JSON)
    evidence_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))
    # How it was confirmed: "portal" (a Confirm button) or "workbook" (returned unchanged in an
    # uploaded workbook); None for rows confirmed before this was recorded.
    confirmed_via: Mapped[str | None] = mapped_column(String(16))

    response: Mapped[Response] = relationship(back_populates="reused_answers")
    source_revision = relationship("Revision", foreign_keys=[source_revision_id])
    source_evidence = relationship("Evidence", foreign_keys=[source_evidence_id])
    confirmed_by = relationship("Recipient", foreign_keys=[confirmed_by_recipient_id])


def point_at_latest_revisions() -> Update:
    """Return the statement that sets every assignment's `latest_revision_id` from its
    revisions (for rows written in bulk, without the ORM)."""
    latest = (
        select(Revision.id)
        .join(Response, Response.id == Revision.response_id)
        .where(Response.assignment_id == Assignment.id, Revision.submitted_at.is_not(None))
        .order_by(Revision.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    return update(Assignment).values(latest_revision_id=latest)


@event.listens_for(Revision, "after_insert")
@event.listens_for(Revision, "after_update")
def _point_at_latest(_mapper, connection: Connection, revision: Revision) -> None:
    """Keep `Assignment.latest_revision_id` on the latest submitted revision, in the same flush
    (a later number wins, so an earlier round submitted after it cannot take its place)."""
    if revision.submitted_at is None:
        return
    current = (
        select(Revision.number)
        .where(Revision.id == Assignment.latest_revision_id)
        .scalar_subquery()
    )
    owner = select(Response.assignment_id).where(Response.id == revision.response_id)
    connection.execute(
        update(Assignment)
        .where(
            Assignment.id == owner.scalar_subquery(),
            or_(Assignment.latest_revision_id.is_(None), current < revision.number),
        )
        .values(latest_revision_id=revision.id)
        .execution_options(synchronize_session=False)
    )


def _due_at_sql(campaign_due_at) -> ColumnElement[datetime]:
    """`effective_due` in SQL over an assignment's own extension, for rows changed in bulk
    (a comparison with NULL is not true, so an assignment never extended takes the
    campaign's due time)."""
    return case(
        (Assignment.extended_due_at > campaign_due_at, Assignment.extended_due_at),
        else_=campaign_due_at,
    )


@event.listens_for(Assignment, "before_insert")
@event.listens_for(Assignment, "before_update")
def _store_due(_mapper, connection: Connection, assignment: Assignment) -> None:
    """Store a new assignment's due time, and an extended one's again."""
    state: InstanceState[Assignment] = inspect(assignment)
    if assignment.due_at is not None and not state.attrs.extended_due_at.history.has_changes():
        return
    campaign: Campaign | None = state.dict.get("campaign")
    campaign_due: datetime = (
        campaign.due_at
        if campaign is not None
        else connection.execute(
            select(Campaign.due_at).where(Campaign.id == assignment.campaign_id)
        ).scalar_one()
    )
    assignment.due_at = effective_due(assignment.extended_due_at, campaign_due)


@event.listens_for(Campaign, "after_update")
def _follow_campaign(_mapper, connection: Connection, campaign: Campaign) -> None:
    """A campaign's due date moved: every assignment's stored due time follows it (a vendor
    given until a later day keeps that day)."""
    if not inspect(campaign).attrs.due_at.history.has_changes():
        return
    connection.execute(
        update(Assignment)
        .where(Assignment.campaign_id == campaign.id)
        .values(due_at=_due_at_sql(campaign.due_at))
        .execution_options(synchronize_session=False)
    )
