"""Record awareness of an incident, keep its deadlines in step, mark them met, remind owners."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment
from vendorrisk.clocks import regimes
from vendorrisk.clocks.models import ClockSettings, FirmIncident, RegulatoryDeadline
from vendorrisk.clocks.regimes import ClockError, Facts
from vendorrisk.core.timeutil import iso
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox

REMIND_BEFORE = timedelta(hours=12)


def settings() -> ClockSettings:
    """Return the firm's clock settings, creating the default (UTC, nothing on) if missing."""
    row = db.session.get(ClockSettings, 1)
    if row is None:
        row = ClockSettings(id=1, time_zone="UTC", regimes=[])
        db.session.add(row)
        db.session.flush()
    return row


def firm_zone() -> ZoneInfo:
    """Return the firm's time zone."""
    return regimes.firm_zone(settings().time_zone)


def save_settings(time_zone: str, switched_on: list[str], user: User, now: datetime) -> list[str]:
    """Change the zone and regimes; return the regimes switched off whose deadlines stay, marked."""
    zone = regimes.firm_zone(time_zone)
    unknown = [r for r in switched_on if r not in regimes.BY_KEY]
    if unknown:
        raise ClockError(f"Unknown regime “{unknown[0]}”.")
    row = settings()
    before = list(row.regimes)
    row.time_zone, row.regimes = zone.key, [r.key for r in regimes.REGIMES if r.key in switched_on]
    row.updated_at, row.updated_by_id = now, user.id
    off = [r for r in before if r not in row.regimes]
    for deadline in db.session.scalars(select(RegulatoryDeadline)):
        if deadline.regime in off and deadline.switched_off_at is None:
            deadline.switched_off_at = now
        elif deadline.regime in row.regimes:
            deadline.switched_off_at = None
    for incident in db.session.scalars(select(FirmIncident)):
        sync_deadlines(incident, row)
    audit.record(
        "clocks.settings",
        "clock_settings",
        1,
        details={"time_zone": row.time_zone, "regimes": row.regimes, "switched_off": off},
    )
    return off


def facts(incident: FirmIncident) -> Facts:
    """The recorded facts of an incident, with the filings already made."""
    return Facts(
        aware_at=incident.aware_at,
        classified_at=incident.classified_at,
        incident_at=incident.incident_at,
        filed={d.stage: d.met_at for d in incident.deadlines if d.met_at is not None},
    )


def sync_deadlines(incident: FirmIncident, row: ClockSettings | None = None) -> None:
    """Create or re-time the deadlines of the switched-on regimes; others stay as they are."""
    row = row or settings()
    tz = regimes.firm_zone(row.time_zone)
    existing = {d.stage: d for d in incident.deadlines}
    for computed in regimes.deadlines(row.regimes, facts(incident), tz):
        deadline = existing.get(computed.stage)
        if deadline is None:
            deadline = RegulatoryDeadline(regime=computed.regime, stage=computed.stage)
            incident.deadlines.append(deadline)
        if deadline.due_at != computed.due_at and deadline.due_at is not None:
            deadline.reminded_at = None
        deadline.due_at = computed.due_at
    db.session.flush()


def incident_for(assignment: Assignment) -> FirmIncident | None:
    """Return the incident recorded on an assignment, if any."""
    return db.session.scalar(select(FirmIncident).filter_by(assignment_id=assignment.id))


@dataclass
class Awareness:
    """What a reviewer states about an impact report (aware UTC datetimes)."""

    aware_at: datetime
    classified_at: datetime | None = None
    incident_at: datetime | None = None
    note: str = ""


def record_awareness(
    assignment: Assignment, given: Awareness, user: User, now: datetime
) -> FirmIncident:
    """Record (or correct, with an audit entry naming the old values) when the firm became aware."""
    incident = incident_for(assignment)
    regimes.check_facts(
        Facts(given.aware_at, given.classified_at, given.incident_at, _filed(incident)), now
    )
    _check_filings_after_awareness(incident, given.aware_at)
    before = None
    if incident is None:
        incident = FirmIncident(
            assignment_id=assignment.id, vendor_id=assignment.vendor_id, recorded_by_id=user.id
        )
        db.session.add(incident)
    else:
        before = {
            "aware_at": iso(incident.aware_at),
            "classified_at": iso(incident.classified_at),
            "incident_at": iso(incident.incident_at),
        }
    incident.aware_at, incident.classified_at = given.aware_at, given.classified_at
    incident.incident_at, incident.note = given.incident_at, given.note or None
    incident.recorded_by_id, incident.recorded_at = user.id, now
    db.session.flush()
    sync_deadlines(incident)
    audit.record(
        "clocks.awareness_corrected" if before else "clocks.awareness_recorded",
        "firm_incident",
        incident.id,
        details={
            "assignment_id": assignment.id,
            "aware_at": iso(given.aware_at),
            "classified_at": iso(given.classified_at),
            "incident_at": iso(given.incident_at),
            "before": before,
        },
    )
    return incident


def _filed(incident: FirmIncident | None) -> dict[str, datetime]:
    return dict(facts(incident).filed or {}) if incident else {}


def _check_filings_after_awareness(incident: FirmIncident | None, aware_at: datetime) -> None:
    for filed in _filed(incident).values():
        if filed < aware_at:
            raise ClockError("A deadline was already met before that awareness time.")


def set_owner(deadline: RegulatoryDeadline, owner: User | None) -> None:
    """Give a deadline an owner (who gets its reminder)."""
    if owner is not None and not owner.active:
        raise ClockError("That user is deactivated.")
    deadline.owner_id = owner.id if owner else None
    deadline.reminded_at = None
    audit.record(
        "clocks.owner",
        "regulatory_deadline",
        deadline.id,
        details={"owner_id": deadline.owner_id, "stage": deadline.stage},
    )


def mark_met(
    deadline: RegulatoryDeadline, met_at: datetime, reference: str, user: User, now: datetime
) -> None:
    """Mark a deadline met at a time, with the reference of what was filed; then re-time the rest."""
    reference = reference.strip()
    if deadline.met_at is not None:
        raise ClockError("This deadline is already marked met.")
    if not reference:
        raise ClockError("Enter the reference of what was filed.")
    if met_at > now:
        raise ClockError("The filing time is in the future.")
    if met_at < deadline.incident.aware_at:
        raise ClockError("The filing time is before the firm became aware.")
    deadline.met_at, deadline.filing_reference, deadline.met_by_id = met_at, reference, user.id
    db.session.flush()
    sync_deadlines(deadline.incident)
    audit.record(
        "clocks.met",
        "regulatory_deadline",
        deadline.id,
        details={"stage": deadline.stage, "met_at": iso(met_at), "reference": reference},
    )


def send_reminders(now: datetime) -> int:
    """Queue one e-mail to each owner of an open deadline due within REMIND_BEFORE (or missed)."""
    rows = db.session.scalars(
        select(RegulatoryDeadline)
        .join(RegulatoryDeadline.owner)
        .where(
            RegulatoryDeadline.met_at.is_(None),
            RegulatoryDeadline.switched_off_at.is_(None),
            RegulatoryDeadline.reminded_at.is_(None),
            RegulatoryDeadline.due_at.is_not(None),
            RegulatoryDeadline.due_at <= now + REMIND_BEFORE,
            User.active.is_(True),
        )
        .order_by(RegulatoryDeadline.due_at)
    ).all()
    tz = firm_zone()
    for deadline in rows:
        stage, due = regimes.STAGES[deadline.stage], deadline.due_at
        assert due is not None  # the query only selects timed deadlines
        outbox.queue(
            "clock_reminder",
            deadline.owner.email,
            f"{'Missed' if due < now else 'Due soon'}: {stage.title} "
            f"({regimes.BY_KEY[deadline.regime].name})",
            related=("regulatory_deadline", deadline.id),
            user_name=deadline.owner.name,
            stage=stage,
            regime=regimes.BY_KEY[deadline.regime],
            vendor_name=deadline.incident.vendor.name,
            missed=due < now,
            due_local=due.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"),
            due_utc=due.strftime("%Y-%m-%d %H:%M UTC"),
        )
        deadline.reminded_at = now
    return len(rows)
