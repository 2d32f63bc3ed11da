"""The firm's regulatory notification clocks: pure arithmetic, no Flask and no database.

Hour counts are elapsed hours: 72 h from 10:00 the Friday before the spring DST change ends at
11:00 local time on the Monday, because the clock jumped an hour while the 72 h ran. Day and month
counts are calendar counts in the firm's time zone: "one month after" 31 January 16:00 is the last
day of February at 16:00 local time, whatever the UTC offset then. A local time that the DST change
skips moves forward to the first time that exists.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Start(StrEnum):
    """The event a deadline is measured from."""

    AWARE = "aware"
    CLASSIFIED = "classified"
    FILED = "filed"


@dataclass(frozen=True)
class Stage:
    """One deadline of a regime: what is due, how long after which event, and on what basis."""

    key: str
    title: str
    basis: str
    start: Start
    hours: int = 0
    days: int = 0
    months: int = 0
    after: str = ""  # for Start.FILED: the stage whose filing starts this clock
    cap_hours_from_aware: int = 0  # DORA initial: at most this many hours after awareness


@dataclass(frozen=True)
class Regime:
    """A notification regime the firm may switch on."""

    key: str
    name: str
    source: str
    stages: tuple[Stage, ...]


REGIMES: tuple[Regime, ...] = (
    Regime(
        "gdpr",
        "GDPR personal data breach",
        "Regulation (EU) 2016/679, Art. 33",
        (
            Stage(
                "gdpr_authority",
                "Notify the supervisory authority",
                "GDPR Art. 33(1): without undue delay and, where feasible, within 72 h of becoming aware",
                Start.AWARE,
                hours=72,
            ),
        ),
    ),
    Regime(
        "nis2",
        "NIS2 significant incident",
        "Directive (EU) 2022/2555, Art. 23(4)",
        (
            Stage(
                "nis2_early_warning",
                "Early warning to the CSIRT or competent authority",
                "NIS2 Art. 23(4)(a): within 24 h of becoming aware",
                Start.AWARE,
                hours=24,
            ),
            Stage(
                "nis2_notification",
                "Incident notification",
                "NIS2 Art. 23(4)(b): within 72 h of becoming aware",
                Start.AWARE,
                hours=72,
            ),
            Stage(
                "nis2_final",
                "Final report",
                "NIS2 Art. 23(4)(d): within one month after the incident notification",
                Start.FILED,
                months=1,
                after="nis2_notification",
            ),
        ),
    ),
    Regime(
        "dora",
        "DORA major ICT-related incident",
        "Regulation (EU) 2022/2554, Art. 19(4); Delegated Regulation (EU) 2025/301, Art. 5",
        (
            Stage(
                "dora_initial",
                "Initial notification",
                "DORA Art. 19(4)(a), RTS 2025/301 Art. 5(1)(a): within 4 h of classifying the incident as major and no later than 24 h after becoming aware",
                Start.CLASSIFIED,
                hours=4,
                cap_hours_from_aware=24,
            ),
            Stage(
                "dora_intermediate",
                "Intermediate report",
                "DORA Art. 19(4)(b), RTS 2025/301 Art. 5(1)(b): within 72 h of the initial notification",
                Start.FILED,
                hours=72,
                after="dora_initial",
            ),
            Stage(
                "dora_final",
                "Final report",
                "DORA Art. 19(4)(c), RTS 2025/301 Art. 5(1)(c): within one month of the latest intermediate report",
                Start.FILED,
                months=1,
                after="dora_intermediate",
            ),
        ),
    ),
    Regime(
        "sec_sp",
        "SEC Regulation S-P (2024 amendments)",
        "17 CFR 248.30(a)(3) and (a)(5)(i)(B)",
        (
            Stage(
                "sec_sp_institution",
                "As a service provider: notify the covered institution",
                "Reg. S-P 248.30(a)(5)(i)(B): as soon as possible, within 72 h of becoming aware of a breach",
                Start.AWARE,
                hours=72,
            ),
            Stage(
                "sec_sp_customers",
                "Notify affected customers",
                "Reg. S-P 248.30(a)(4)(iii): as soon as practicable, within 30 days of becoming aware",
                Start.AWARE,
                days=30,
            ),
        ),
    ),
    Regime(
        "us_bank",
        "US interagency computer-security incident rule",
        "12 CFR 53 (OCC), 12 CFR 225 subpart N (FRB), 12 CFR 304 subpart C (FDIC)",
        (
            Stage(
                "us_bank_regulator",
                "Notify the primary federal regulator",
                "12 CFR 53.3 / 225.302 / 304.23: as soon as possible, no later than 36 h after determining a notification incident occurred",
                Start.CLASSIFIED,
                hours=36,
            ),
        ),
    ),
    Regime(
        "nydfs",
        "NYDFS Cybersecurity Regulation",
        "23 NYCRR 500.17(a)",
        (
            Stage(
                "nydfs_superintendent",
                "Notify the superintendent",
                "23 NYCRR 500.17(a)(1): no later than 72 h after determining a cybersecurity incident occurred",
                Start.AWARE,
                hours=72,
            ),
        ),
    ),
)

UTC_ZONE = ZoneInfo("UTC")
BY_KEY: dict[str, Regime] = {r.key: r for r in REGIMES}
STAGES: dict[str, Stage] = {s.key: s for r in REGIMES for s in r.stages}


class ClockError(ValueError):
    """Facts that cannot start a clock; the message says which and why."""


@dataclass(frozen=True)
class Facts:
    """What a reviewer recorded about an incident affecting the firm (aware UTC datetimes)."""

    aware_at: datetime
    classified_at: datetime | None = None
    incident_at: datetime | None = None
    filed: Mapping[str, datetime] | None = None  # stage key -> when it was filed (met)


@dataclass(frozen=True)
class Deadline:
    """One computed deadline; `due_at` is None while the event it runs from has not happened."""

    regime: str
    stage: str
    title: str
    basis: str
    starts_at: datetime | None
    due_at: datetime | None
    waiting_for: str = ""

    def local_due(self, tz: ZoneInfo) -> datetime | None:
        """Return the due time in the given zone."""
        return self.due_at.astimezone(tz) if self.due_at else None


def firm_zone(name: str) -> ZoneInfo:
    """Return the IANA time zone of that name, refusing an unknown one rather than using UTC."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ClockError(f"“{name}” is not an IANA time zone name (e.g. Europe/Berlin).") from exc


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClockError(f"{what} must carry a time zone.")
    return value.astimezone(UTC)


def add_months(when: datetime, months: int, tz: ZoneInfo) -> datetime:
    """Add calendar months at the same local wall time, clamping to the month's last day."""
    local = when.astimezone(tz)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return _local_to_utc(local.replace(year=year, month=month, day=day, fold=0), tz)


def add_days(when: datetime, days: int, tz: ZoneInfo) -> datetime:
    """Add calendar days at the same local wall time."""
    local = when.astimezone(tz)
    return _local_to_utc((local.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=tz), tz)


def _local_to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    # A wall time skipped by a DST change resolves, with fold=0, to the offset before the change:
    # that instant reads as the later wall time after it, so the deadline moves forward, never back.
    return local.replace(tzinfo=tz).astimezone(UTC)


def check_facts(facts: Facts, now: datetime) -> None:
    """Refuse facts that cannot be right: times in the future, awareness before the incident."""
    now = _aware(now, "The current time")
    aware = _aware(facts.aware_at, "The awareness time")
    if aware > now:
        raise ClockError("The awareness time is in the future.")
    if facts.incident_at is not None and aware < _aware(facts.incident_at, "The incident time"):
        raise ClockError("The awareness time is before the incident began.")
    if facts.classified_at is not None:
        classified = _aware(facts.classified_at, "The classification time")
        if classified > now:
            raise ClockError("The classification time is in the future.")
        if classified < aware:
            raise ClockError("The classification time is before the firm became aware.")
    for key, filed in (facts.filed or {}).items():
        if key not in STAGES:
            raise ClockError(f"Unknown deadline “{key}”.")
        if _aware(filed, "The filing time") > now:
            raise ClockError("A filing time is in the future.")


def _due(stage: Stage, start: datetime, tz: ZoneInfo) -> datetime:
    if stage.months:
        return add_months(start, stage.months, tz)
    if stage.days:
        return add_days(start, stage.days, tz)
    return start + timedelta(hours=stage.hours)


def stage_deadline(stage: Stage, regime: str, facts: Facts, tz: ZoneInfo) -> Deadline:
    """Compute one stage's deadline from the recorded facts."""
    aware = _aware(facts.aware_at, "The awareness time")
    filed = facts.filed or {}
    start: datetime | None
    waiting = ""
    if stage.start is Start.AWARE:
        start = aware
    elif stage.start is Start.CLASSIFIED:
        start = _aware(facts.classified_at, "") if facts.classified_at else None
        waiting = "" if start else "classification"
    else:
        start = _aware(filed[stage.after], "") if stage.after in filed else None
        waiting = "" if start else STAGES[stage.after].title.lower()
    due = _due(stage, start, tz) if start else None
    if stage.cap_hours_from_aware:
        cap = aware + timedelta(hours=stage.cap_hours_from_aware)
        due = min(due, cap) if due else cap
        start, waiting = start or aware, ""
    return Deadline(regime, stage.key, stage.title, stage.basis, start, due, waiting)


def deadlines(regimes: list[str], facts: Facts, tz: ZoneInfo) -> list[Deadline]:
    """Compute every deadline of the given regimes, in the order the regimes are listed above."""
    unknown = [r for r in regimes if r not in BY_KEY]
    if unknown:
        raise ClockError(f"Unknown regime “{unknown[0]}”.")
    return [
        stage_deadline(stage, regime.key, facts, tz)
        for regime in REGIMES
        if regime.key in regimes
        for stage in regime.stages
    ]


def wall_time_to_utc(naive: datetime, tz: ZoneInfo) -> datetime:
    """Read a wall-clock time entered in a zone, refusing one the DST change skips or repeats."""
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise ClockError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks skipped it. "
            "Enter the time in UTC."
        )
    if first.utcoffset() != second.utcoffset():
        raise ClockError(
            f"{naive:%Y-%m-%d %H:%M} happens twice in {tz.key} (the clocks went back). "
            "Enter the time in UTC."
        )
    return first.astimezone(UTC)
