"""`flask clocks remind` and `flask clocks check-vendors` (cron): deadline reminders, and
findings for vendors that missed their breach-notification clause."""

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from vendorrisk.campaigns.models import Campaign
from vendorrisk.clocks import services, vendor_clock
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

clocks_cli = AppGroup("clocks", help="Regulatory deadline reminders.")


@clocks_cli.command("remind")
def remind() -> None:
    """Queue a reminder for every owned deadline due within the reminder window or missed."""
    count = services.send_reminders(utcnow())
    db.session.commit()
    click.echo(f"queued {count} reminders")


@clocks_cli.command("check-vendors")
def check_vendors() -> None:
    """Raise a finding for each vendor that missed its breach-notification clause."""
    now = utcnow()
    campaigns = db.session.scalars(select(Campaign).where(Campaign.sent_at.is_not(None))).all()
    count = sum(len(vendor_clock.raise_breaches(c, now)) for c in campaigns)
    db.session.commit()
    click.echo(f"raised {count} findings")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(clocks_cli)
