"""The vendor's response clock: when it answered, against its contract clause and the due date.

Pure: takes the times, returns the measures. The clause clock runs from when the firm asked (the
campaign was sent): the vendor's own moment of awareness is rarely known to the firm.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_CLAUSE_HOURS = 24 * 365  # a clause longer than a year is a typo, not a notification duty


@dataclass(frozen=True)
class Milestone:
    """One step of the vendor's response and how it compares with the two limits."""

    key: str
    label: str
    at: datetime | None
    within_clause: bool | None  # None: no clause, or not reached while the clause still runs
    within_due: bool | None


@dataclass(frozen=True)
class ResponseClock:
    """The vendor's response to one incident-campaign assignment, measured."""

    asked_at: datetime
    clause_hours: int | None
    clause_due: datetime | None
    due_at: datetime
    stated: str | None  # "affected", "not affected" or None
    milestones: tuple[Milestone, ...]
    clause_breached: bool

    def milestone(self, key: str) -> Milestone:
        """Return one milestone by key."""
        return next(m for m in self.milestones if m.key == key)


def check_clause_hours(hours: int | None) -> None:
    """Refuse a notification clause that is negative, zero or absurdly long."""
    if hours is None:
        return
    if hours <= 0:
        raise ValueError("The breach-notification clause must be a positive number of hours.")
    if hours > MAX_CLAUSE_HOURS:
        raise ValueError(
            f"A breach-notification clause of {hours} h is more than a year: check the figure."
        )


def _within(at: datetime | None, limit: datetime | None, now: datetime) -> bool | None:
    if limit is None:
        return None
    if at is not None:
        return at <= limit
    return False if now > limit else None


def measure(
    *,
    asked_at: datetime,
    due_at: datetime,
    clause_hours: int | None,
    acknowledged_at: datetime | None,
    stated_at: datetime | None,
    stated: str | None,
    submitted_at: datetime | None,
    findings_closed_at: datetime | None,
    now: datetime,
) -> ResponseClock:
    """Measure each step against the clause (from `asked_at`) and the vendor's due time."""
    check_clause_hours(clause_hours)
    clause_due = asked_at + timedelta(hours=clause_hours) if clause_hours else None
    steps = (
        ("acknowledged", "Acknowledged (first Continue)", acknowledged_at, True),
        ("stated", f"Stated {stated}" if stated else "Stated affected or not", stated_at, True),
        ("submitted", "Submitted", submitted_at, True),
        ("findings_closed", "Findings closed", findings_closed_at, False),
    )
    milestones = tuple(
        Milestone(
            key,
            label,
            at,
            _within(at, clause_due, now) if on_clause else None,
            _within(at, due_at, now) if on_clause else None,
        )
        for key, label, at, on_clause in steps
    )
    # The clause is a duty to tell the firm whether it is affected: that step is what breaches it.
    breached = _within(stated_at, clause_due, now) is False
    return ResponseClock(asked_at, clause_hours, clause_due, due_at, stated, milestones, breached)
