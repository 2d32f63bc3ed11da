"""The two checklists of an advisory.

The firm's own actions are tracked by people: owner, state, date and note ("5 of 7 done"; an
action marked not applicable leaves the count). The actions for vendors are tracked from their
answers: a vendor confirms an action when its latest submitted revision, in a campaign of this
advisory whose template has a question linked to the action, scores 100 % on every linked
question that was scored ("7 of 9 confirmed").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment, Revision
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

from .exposure import VendorRow
from .models import DONE, NOT_APPLICABLE, PROGRESS_STATES, RULED_OUT, ActionProgress, Advisory
from .services import Action, Effective

CONFIRMED = "confirmed"
NOT_CONFIRMED = "not_confirmed"
NO_ANSWER = "no_answer"
VENDOR_STATE_LABELS = {
    CONFIRMED: "Confirmed",
    NOT_CONFIRMED: "Not confirmed",
    NO_ANSWER: "Not answered yet",
}


class ChecklistError(ValueError):
    """A refused change to the checklist, with a message fit to show the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- the firm's own actions ----------------------------------------------------------------------


@dataclass
class FirmItem:
    """One of the firm's actions and how far it is."""

    action: Action
    progress: ActionProgress | None

    @property
    def state(self) -> str:
        return self.progress.state if self.progress else "open"

    @property
    def done(self) -> bool:
        return self.state == DONE

    @property
    def applicable(self) -> bool:
        return self.state != NOT_APPLICABLE


@dataclass
class FirmChecklist:
    items: list[FirmItem]

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.done)

    @property
    def total(self) -> int:
        return sum(1 for i in self.items if i.applicable)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def progress_rows(advisory: Advisory) -> dict[str, ActionProgress]:
    """Return the recorded progress of an advisory's actions by action id."""
    return {
        p.action_key: p
        for p in db.session.scalars(
            select(ActionProgress)
            .where(ActionProgress.advisory_id == advisory.id)
            .options(selectinload(ActionProgress.owner), selectinload(ActionProgress.updated_by))
        )
    }


def firm_checklist(advisory: Advisory, current: Effective) -> FirmChecklist:
    """Return the firm's own actions with their progress."""
    progress = progress_rows(advisory)
    return FirmChecklist([FirmItem(a, progress.get(a.id)) for a in current.firm_actions])


def set_progress(
    advisory: Advisory,
    action: Action,
    *,
    state: str,
    owner_id: int | None,
    on_date: date | None,
    note: str | None,
    actor,
) -> ActionProgress:
    """Record who does one of the firm's actions, how far it is, by or on which date (audited)."""
    if action.audience != "firm":
        raise ChecklistError("Only the firm's own actions are tracked here.")
    if state not in PROGRESS_STATES:
        raise ChecklistError("Choose a state.", "state")
    if state == DONE and on_date is None:
        raise ChecklistError("Give the date it was done.", "on_date")
    row = db.session.scalar(
        select(ActionProgress).where(
            ActionProgress.advisory_id == advisory.id, ActionProgress.action_key == action.id
        )
    )
    if row is None:
        row = ActionProgress(advisory_id=advisory.id, action_key=action.id)
        db.session.add(row)
    changed = audit.changed_fields(
        row,
        ["state", "owner_id", "on_date", "note"],
        {
            "state": state,
            "owner_id": owner_id,
            "on_date": on_date,
            "note": (note or "").strip() or None,
        },
    )
    row.updated_by_id, row.updated_at = actor.id, utcnow()
    db.session.flush()
    audit.record(
        "advisory.action_progress",
        "advisory",
        advisory.id,
        details={"action": action.id, "fields": changed, "state": state},
        actor_id=actor.id,
    )
    return row


# --- the actions asked of vendors ----------------------------------------------------------------


def _percent(entry: dict) -> Fraction | None:
    return None if entry.get("percent") is None else Fraction(entry["percent"])


def confirms(revision: Revision, question_ids: set[str]) -> bool | None:
    """Tell whether a revision scores 100 % on every scored linked question (None: none scored)."""
    scored = [
        e
        for e in (revision.score or {}).get("trace", [])
        if e["question_id"] in question_ids and e["status"] == "scored"
    ]
    if not scored:
        return None
    return all(_percent(e) == 100 for e in scored)


@dataclass
class VendorCheck:
    """One vendor's answer to one action."""

    row: VendorRow
    state: str
    assignment: Assignment | None = None
    revision: Revision | None = None

    @property
    def label(self) -> str:
        return VENDOR_STATE_LABELS[self.state]


@dataclass
class VendorItem:
    """One action for vendors, with each asked vendor's state."""

    action: Action
    checks: list[VendorCheck] = field(default_factory=list)

    @property
    def confirmed(self) -> int:
        return sum(1 for c in self.checks if c.state == CONFIRMED)

    @property
    def total(self) -> int:
        return len(self.checks)

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.total) if self.total else 0

    @property
    def linked(self) -> bool:
        return bool(self.action.questions)


def _check(row: VendorRow, action: Action) -> VendorCheck | None:
    wanted = action.questions_by_template()
    asked = [a for a in row.assignments if a.campaign.template_version.template.slug in wanted]
    if not asked:
        return None
    answered = [
        (a, a.response.latest_submitted)
        for a in asked
        if a.response is not None and a.response.latest_submitted is not None
    ]
    if not answered:
        return VendorCheck(row, NO_ANSWER, asked[-1])
    assignment, revision = max(answered, key=lambda pair: pair[1].submitted_at or datetime.min)
    ok = confirms(revision, wanted[assignment.campaign.template_version.template.slug])
    return VendorCheck(row, CONFIRMED if ok else NOT_CONFIRMED, assignment, revision)


def vendor_checklist(current: Effective, rows: list[VendorRow]) -> list[VendorItem]:
    """Return each action for vendors with the state of every vendor asked about it.

    A vendor ruled out of the advisory leaves the count; so does one never asked a question
    linked to the action.
    """
    items = []
    for action in current.vendor_actions:
        item = VendorItem(action)
        if action.questions:
            for row in rows:
                if row.state == RULED_OUT:
                    continue
                check = _check(row, action)
                if check is not None:
                    item.checks.append(check)
        items.append(item)
    return items
