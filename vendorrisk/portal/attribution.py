"""Who answered what: the author of each draft answer, frozen into each submitted revision."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Recipient, Response, Revision
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.portal.delegation_models import AnswerAuthor, Delegation, RevisionAuthor


def is_delegate(recipient: Recipient) -> bool:
    """Tell whether a recipient came in through a colleague's delegation."""
    found = db.session.scalar(
        select(Delegation.id).where(Delegation.recipient_id == recipient.id).limit(1)
    )
    return found is not None


def note_saved(
    response: Response,
    question_ids: Iterable[str],
    *,
    recipient: Recipient | None = None,
    user_id: int | None = None,
    audited: bool = True,
) -> None:
    """Name the person who saved these draft answers (a recipient, or a staff member).

    A delegate's saves are audited here unless the caller records them itself (`audited`).
    """
    ids = sorted(set(question_ids))
    if not ids:
        return
    with db.session.no_autoflush:  # the caller's flush decides when the draft is written
        rows = {
            row.question_id: row
            for row in db.session.scalars(
                select(AnswerAuthor).where(
                    AnswerAuthor.response_id == response.id, AnswerAuthor.question_id.in_(ids)
                )
            )
        }
        delegate = audited and recipient is not None and is_delegate(recipient)
    now = utcnow()
    for qid in ids:
        row = rows.get(qid)
        if row is None:
            row = AnswerAuthor(response_id=response.id, question_id=qid)
            db.session.add(row)
        row.recipient_id = recipient.id if recipient is not None else None
        row.user_id = user_id
        row.saved_at = now
    if delegate and recipient is not None:
        audit.record(
            "delegate.answers_saved",
            "assignment",
            response.assignment_id,
            actor_type="vendor",
            actor_ref=f"recipient:{recipient.id}",
            details={"questions": ids},
        )


def freeze(revision: Revision, question_ids: Iterable[str]) -> None:
    """Write who gave each answer of a revision being submitted (never changed afterwards)."""
    ids = set(question_ids)
    authors = db.session.scalars(
        select(AnswerAuthor).where(AnswerAuthor.response_id == revision.response_id)
    )
    for row in authors:
        if row.question_id in ids:
            db.session.add(
                RevisionAuthor(
                    revision_id=revision.id,
                    question_id=row.question_id,
                    recipient_id=row.recipient_id,
                    user_id=row.user_id,
                )
            )


@dataclass(frozen=True)
class Author:
    """How a person who gave answers is named on staff pages."""

    name: str
    role: str  # "recipient", "delegate" or "staff"

    @property
    def label(self) -> str:
        if self.role == "delegate":
            return f"{self.name} (delegate)"
        if self.role == "staff":
            return f"{self.name} (staff, on the vendor's behalf)"
        return self.name


def revision_authors(revision: Revision) -> dict[str, Author]:
    """Return who gave each answer of a submitted revision, by question id."""
    rows = db.session.scalars(
        select(RevisionAuthor)
        .where(RevisionAuthor.revision_id == revision.id)
        .options(joinedload(RevisionAuthor.recipient).joinedload(Recipient.contact))
        .options(joinedload(RevisionAuthor.user))
    ).all()
    delegates = set(
        db.session.scalars(
            select(Delegation.recipient_id).where(
                Delegation.recipient_id.in_([r.recipient_id for r in rows if r.recipient_id])
            )
        )
    )
    result = {}
    for row in rows:
        if row.user is not None:
            result[row.question_id] = Author(row.user.name, "staff")
        elif row.recipient is not None:
            role = "delegate" if row.recipient_id in delegates else "recipient"
            result[row.question_id] = Author(row.recipient.contact.display_name, role)
    return result


@dataclass(frozen=True)
class SectionAuthors:
    """The people who gave a section's answers, as the review page lists them."""

    title: str
    names: list[str]


def authors_by_section(template, authors: dict[str, Author]) -> list[SectionAuthors]:
    """Return, per section with answers, who gave them (in the order of the questions)."""
    rows = []
    for section in template.sections:
        names = list(
            dict.fromkeys(authors[q.id].label for q in section.questions if q.id in authors)
        )
        if names:
            rows.append(SectionAuthors(section.title, names))
    return rows
