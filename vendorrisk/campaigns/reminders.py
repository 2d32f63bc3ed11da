"""Reminders before the due date and once when overdue; idempotent, safe to run from cron.

Each vendor is reminded against its own due time (`Assignment.effective_due_at`): a vendor
given more time gets a new schedule for the new date and is no longer chased as overdue.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.campaigns import services
from vendorrisk.campaigns.models import Assignment, Campaign, ReminderSent
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

OVERDUE = "overdue"


def chased_recipients(assignments: list[Assignment], now: datetime) -> dict[int, list]:
    """Return, per assignment, the recipients a reminder goes to: every usable link with an
    address, except colleagues given sections by a delegation (the person who delegated is
    the one answerable for the whole questionnaire, and hears of its due date)."""
    from vendorrisk.portal.delegation_models import Delegation

    delegates = set(
        db.session.scalars(
            select(Delegation.recipient_id).where(
                Delegation.assignment_id.in_([a.id for a in assignments] or [-1])
            )
        )
    )
    return {
        a.id: [
            r for r in a.recipients if r.usable(now) and r.contact.email and r.id not in delegates
        ]
        for a in assignments
    }


def offsets() -> list[int]:
    """Return the configured reminder offsets in days before the due date, largest first."""
    return sorted(current_app.config.get("REMINDER_OFFSETS_DAYS", (7, 3, 1)), reverse=True)


def due_reminder(
    due_at: datetime, now: datetime, already: set[str]
) -> tuple[str | None, list[str]]:
    """Decide which reminder is due now and which earlier ones were missed (to skip).

    Only the latest applicable reminder is sent, so a cron that did not run for days does not
    send three reminders at once.
    """
    if now > due_at:
        return (None if OVERDUE in already else OVERDUE), []
    applicable = [f"{d}d" for d in offsets() if now >= due_at - timedelta(days=d)]
    if not applicable:
        return None, []
    latest = applicable[-1]
    skipped = [key for key in applicable[:-1] if key not in already]
    return (None if latest in already else latest), skipped


def send_reminders(now: datetime | None = None) -> int:
    """Queue the reminders that are due; return how many assignments were reminded."""
    now = now or utcnow()
    assignments = db.session.scalars(
        select(Assignment)
        .join(Campaign)
        # Follow-up rounds of submitted answers are not chased by the campaign's schedule.
        .where(Assignment.awaits_answers)
        .options(
            selectinload(Assignment.recipients),
            selectinload(Assignment.campaign),
        )
    ).all()
    done: dict[tuple[int, datetime], set[str]] = {}
    for assignment_id, due_at, key in db.session.execute(
        select(ReminderSent.assignment_id, ReminderSent.due_at, ReminderSent.offset_key).where(
            ReminderSent.assignment_id.in_([a.id for a in assignments] or [-1])
        )
    ):
        done.setdefault((assignment_id, due_at), set()).add(key)
    chased = chased_recipients(list(assignments), now)
    sent = 0
    for assignment in assignments:
        due_at = assignment.effective_due_at
        already = done.get((assignment.id, due_at), set())
        due, skipped = due_reminder(due_at, now, already)
        for missed in skipped:
            db.session.add(
                ReminderSent(
                    assignment_id=assignment.id, due_at=due_at, offset_key=missed, skipped=True
                )
            )
        if due is None:
            continue
        recipients = chased[assignment.id]
        if not recipients:
            continue
        template = "overdue" if due == OVERDUE else "reminder"
        for recipient in recipients:
            services.queue_message(recipient, template)
        db.session.add(ReminderSent(assignment_id=assignment.id, due_at=due_at, offset_key=due))
        sent += 1
    return sent
