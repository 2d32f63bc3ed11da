"""Who answered what: sections delegated to colleagues, and the author of every saved answer.

A delegate is a recipient of its own (a link of its own, stored only as a hash); a delegation row
says which sections that recipient may open and who handed them over. Each saved answer names
the person who saved it last (a recipient, or a staff member entering a workbook received by
e-mail); a submission freezes those names with the revision, never to change.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db


class Delegation(db.Model):  # type: ignore[name-defined]
    """Sections of an assignment handed to a colleague by the recipient answering it."""

    __tablename__ = "delegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    delegated_by_id: Mapped[int] = mapped_column(ForeignKey("recipients.id"), index=True)
    sections: Mapped[list] = mapped_column(JSON)  # section ids of the frozen template version
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient = relationship("Recipient", foreign_keys=[recipient_id])
    delegated_by = relationship("Recipient", foreign_keys=[delegated_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class AnswerAuthor(db.Model):  # type: ignore[name-defined]
    """Who saved a draft answer last: a recipient, or staff entering it on the vendor's behalf."""

    __tablename__ = "answer_authors"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RevisionAuthor(db.Model):  # type: ignore[name-defined]
    """Who gave one answer of a submitted revision (written with the revision, never changed)."""

    __tablename__ = "revision_authors"
    __table_args__ = (UniqueConstraint("revision_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recipient = relationship("Recipient")
    user = relationship("User")


class StaffEntry(db.Model):  # type: ignore[name-defined]
    """A workbook staff received from the vendor and entered on its behalf, kept as evidence.

    Written when the workbook is read into the draft; `revision_id` is set when staff attest
    and submit it. The file is never changed or removed.
    """

    __tablename__ = "staff_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    questions: Mapped[int] = mapped_column(default=0)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"), unique=True)
    received_from: Mapped[str | None] = mapped_column(String(200))
    received_via: Mapped[str | None] = mapped_column(String(40))
    attestation: Mapped[str | None] = mapped_column(Text)

    user = relationship("User")
    revision = relationship("Revision")
