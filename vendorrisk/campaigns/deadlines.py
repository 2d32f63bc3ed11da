"""Giving some vendors of a campaign more time: a due date of their own, later than the one
they have, for the rows selected in the campaign's triage table.

The extension is stored on the assignment (`extended_due_at`) and read only through
`Assignment.effective_due_at` (campaigns/models.py): the triage table, reminders, the portal,
the dashboard's overdue counts, reports, clocks and the API all take it from there, so an
extension moves every one of them at once. A vendor that has submitted is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from vendorrisk.audit import services as audit
from vendorrisk.campaigns import reminders, services
from vendorrisk.campaigns.bulk import plural
from vendorrisk.campaigns.models import Assignment, Campaign, Recipient, ReminderSent
from vendorrisk.campaigns.services import CampaignError
from vendorrisk.campaigns.triage import BulkError
from vendorrisk.core.timeutil import iso, utcnow
from vendorrisk.extensions import db

DATE_FIELD = "new_due_date"
NAMES_SHOWN = 3


@dataclass
class Extension:
    """What an extension did: the vendors given more time, and those left as they were."""

    new_date: date
    extended: list[Assignment] = field(default_factory=list)
    skipped: list[Assignment] = field(default_factory=list)  # they have submitted


def extendable(assignment: Assignment) -> bool:
    """Tell whether a vendor can be given more time: it has not submitted its answers (a
    follow-up round after a submission is not held to the campaign's date)."""
    return not assignment.is_submitted and assignment.submitted_at is None


def selected_assignments(campaign: Campaign, ids: Iterable[int]) -> list[Assignment]:
    """Return the selected assignments of this campaign (others ignored), with what an
    extension touches: vendor, recipients and their contacts."""
    wanted = sorted(set(ids))
    assignments = list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.campaign_id == campaign.id, Assignment.id.in_(wanted or [-1]))
            .options(
                joinedload(Assignment.vendor),
                selectinload(Assignment.recipients).selectinload(Recipient.contact),
            )
            .order_by(Assignment.id)
        )
    )
    if not assignments:
        raise BulkError("Select at least one vendor first.")
    return assignments


def extend_selected(
    campaign: Campaign,
    ids: Iterable[int],
    new_date: date,
    reason: str | None,
    actor,
    *,
    notify: bool = False,
    now: datetime | None = None,
) -> Extension:
    """Give the selected vendors of a campaign until the end of `new_date` (see `extend`)."""
    assignments = selected_assignments(campaign, ids)
    return extend(campaign, assignments, new_date, reason, actor, notify=notify, now=now)


def extend(
    campaign: Campaign,
    assignments: list[Assignment],
    new_date: date,
    reason: str | None,
    actor,
    *,
    notify: bool = False,
    now: datetime | None = None,
) -> Extension:
    """Give these vendors until the end of `new_date` in the campaign's zone, all or none.

    Vendors that have submitted are skipped. Raises CampaignError (for the date field) when the
    day is past or not later than a vendor's current due date; nothing changes then. Each
    extension is audited with its old and new dates and the reason; links are kept valid for
    the grace period after the new date, and with `notify` the vendor's people are told the
    new date, which then counts as the reminders already due for it.
    """
    now = now or utcnow()
    new_due = services.due_at_for(new_date, campaign.timezone)
    if new_due <= now:
        raise CampaignError("The new due date is in the past.", DATE_FIELD)
    result = Extension(new_date)
    for assignment in assignments:
        (result.extended if extendable(assignment) else result.skipped).append(assignment)
    too_early = [a for a in result.extended if new_due <= a.effective_due_at]
    if too_early:
        raise CampaignError(_too_early_message(too_early), DATE_FIELD)
    before = {}
    for assignment in result.extended:
        before[assignment.id] = services.assignment_due_day(assignment), assignment.effective_due_at
        assignment.extended_due_at = new_due
        expiry = services.link_expiry(assignment)
        for recipient in assignment.recipients:
            recipient.expires_at = max(recipient.expires_at, expiry)
    # Links that had run out work again now: chase after moving them.
    chased = reminders.chased_recipients(result.extended, now) if notify else {}
    for assignment in result.extended:
        old_day, old_due = before[assignment.id]
        told = chased.get(assignment.id, [])
        for recipient in told:
            services.queue_message(recipient, "extended")
        if told:
            _reminded_already(assignment, new_due, now)
        audit.record(
            "assignment.extended",
            "assignment",
            assignment.id,
            actor_id=actor.id,
            details={
                "old_due_date": old_day.isoformat(),
                "new_due_date": new_date.isoformat(),
                "old_due_at": iso(old_due),
                "new_due_at": iso(new_due),
                "reason": (reason or "").strip() or None,
                "notified": len(told),
            },
        )
    db.session.flush()
    return result


def _reminded_already(assignment: Assignment, due_at: datetime, now: datetime) -> None:
    """Mark the reminders already due for the new date as done: the notice gave the date."""
    due, missed = reminders.due_reminder(due_at, now, set())
    for key in [*missed, *([due] if due else [])]:
        db.session.add(
            ReminderSent(assignment_id=assignment.id, due_at=due_at, offset_key=key, skipped=True)
        )


def _too_early_message(assignments: list[Assignment]) -> str:
    named = [
        f"{a.vendor.name} ({services.assignment_due_day(a):%d %B %Y})"
        for a in assignments[:NAMES_SHOWN]
    ]
    if len(assignments) > NAMES_SHOWN:
        named.append(plural(len(assignments) - NAMES_SHOWN, "other"))
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"Choose a day after each selected vendor's current due date: {listed}."


def extended_message(result: Extension) -> str:
    """Say what an extension did, and why any vendor was left as it was."""
    skipped = len(result.skipped)
    if not result.extended:
        who = "the vendor selected has" if skipped == 1 else f"the {skipped} vendors selected have"
        return f"No vendor was given more time: {who} submitted already."
    extended = len(result.extended)
    text = (
        f"{plural(extended, 'vendor')} {'has' if extended == 1 else 'have'} until "
        f"{result.new_date:%d %B %Y}."
    )
    if skipped:
        verb, pronoun = ("was", "it has") if skipped == 1 else ("were", "they have")
        text += f" {plural(skipped, 'other')} {verb} left as before: {pronoun} submitted already."
    return text
