"""Acting on the rows selected in the campaign's triage table: remind them now, or export
them as CSV or XLSX (giving them more time is in deadlines.py)."""

from __future__ import annotations

from datetime import datetime

from vendorrisk.audit import services as audit
from vendorrisk.campaigns import services
from vendorrisk.campaigns.models import Campaign
from vendorrisk.campaigns.reminders import chased_recipients
from vendorrisk.campaigns.triage import EXPORT_COLUMNS, Row
from vendorrisk.core.timeutil import utcnow
from vendorrisk.reports import xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def remind_now(campaign: Campaign, rows: list[Row], actor, now: datetime | None = None) -> int:
    """Queue a reminder to every usable link of the selected unanswered assignments.

    Returns how many assignments were reminded; submitted ones and those without a working
    link are left out (the reminder schedule is not changed).
    """
    now = now or utcnow()
    chased = chased_recipients([r.assignment for r in rows if r.assignment is not None], now)
    reminded = 0
    for row in rows:
        assignment = row.assignment
        if assignment is None or assignment.is_submitted:
            continue
        recipients = chased[assignment.id]
        for recipient in recipients:
            services.queue_message(recipient, "overdue" if row.overdue else "reminder")
        if recipients:
            reminded += 1
            audit.record(
                "assignment.reminded",
                "assignment",
                assignment.id,
                actor_id=actor.id,
                details={"recipients": len(recipients)},
            )
    return reminded


def plural(count: int, word: str) -> str:
    """Say "1 vendor" or "3 vendors"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def reminded_message(reminded: int, skipped: int) -> str:
    """Say what a bulk reminder did."""
    text = f"{plural(reminded, 'vendor')} reminded"
    if skipped:
        verb = "has" if skipped == 1 else "have"
        return (
            f"{text}; {plural(skipped, 'other')} {verb} answered already or {verb} no working link."
        )
    return text + "."


def export(campaign: Campaign, rows: list[Row], kind: str) -> tuple[bytes | str, str, str]:
    """Write the selected rows as CSV or XLSX (audited); return body, media type, file name."""
    sheet = xlsx.Sheet("Triage", [xlsx.Column(title, width) for title, width in EXPORT_COLUMNS], [])
    sheet.rows = [row.export_row() for row in rows]
    audit.record(
        f"export.{kind}", "campaign", campaign.id, details={"sheet": "triage", "rows": len(rows)}
    )
    stem = f"campaign-{campaign.id}-triage-{utcnow():%Y%m%d-%H%M%S}"
    if kind == "xlsx":
        return xlsx.workbook([sheet]), XLSX_TYPE, f"{stem}.xlsx"
    return xlsx.csv_sheet(sheet), "text/csv", f"{stem}.csv"
