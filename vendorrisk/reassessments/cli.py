"""`flask reassessments due|send`: baseline reassessments per tier (cron-able, idempotent)."""

import logging
from datetime import date

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from vendorrisk.core import tasks
from vendorrisk.extensions import db
from vendorrisk.reassessments import services

log = logging.getLogger(__name__)

reassessments_cli = AppGroup(
    "reassessments", help="Baseline reassessments on the schedule of each inherent tier."
)


def _day(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--on"
        ) from exc


@reassessments_cli.command("due")
@click.option("--days", default=services.UPCOMING_DAYS, show_default=True, type=click.IntRange(0))
@click.option("--on", "on", help="Count from this day instead of today (YYYY-MM-DD).")
def due(days: int, on: str | None) -> None:
    """List the reassessments due now or within DAYS, not yet sent."""
    try:
        items = services.upcoming(_day(on), days=days)
    except services.ScheduleError as exc:
        raise click.ClickException(f"REASSESSMENT_SCHEDULE: {exc}") from exc
    for item in items:
        click.echo(
            f"{item.due_on.isoformat()}  tier {item.schedule.tier}  {item.vendor.name}  "
            f"({item.schedule.template.slug}; last {item.last_on or 'never'})"
        )
    click.echo(f"{len(items)} reassessments due by {days} days from now")


@reassessments_cli.command("send")
@click.option("--sender", help="E-mail of the staff user the invitations come from.")
@click.option("--on", "on", help="Send what is due on this day instead of today (YYYY-MM-DD).")
def send(sender: str | None, on: str | None) -> None:
    """Send the reassessments that are due; running it again creates nothing twice."""
    try:
        actor = services.sender(sender)
        result = services.send_due(_day(on), actor)
    except services.ScheduleError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for item, reason in result.skipped:
        click.echo(f"not sent to {item.vendor.name}: {reason}", err=True)
    click.echo(
        f"sent {len(result.sent)} reassessments in {len(result.campaigns)} campaigns "
        "(invitations are in the outbox)"
    )


def send_scheduled() -> int:
    """The workers' daily task: send what is due, as REASSESSMENT_SENDER; without a sender
    configured, nothing is sent (the cron line with --sender is the other way)."""
    if not current_app.config.get("REASSESSMENT_SENDER"):
        log.info("reassessments: REASSESSMENT_SENDER is not set; nothing sent")
        return 0
    result = services.send_due(date.today(), services.sender(None))
    db.session.commit()
    for item, reason in result.skipped:
        log.warning("reassessment not sent to %s: %s", item.vendor.name, reason)
    return len(result.sent)


def init_app(app: Flask) -> None:
    """Register the command group and its daily background task."""
    app.cli.add_command(reassessments_cli)
    tasks.register("reassessments.send", send_scheduled, every=86400)
