"""`flask clocks remind`: e-mail the owners of regulatory deadlines that are close or missed (cron)."""

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.clocks import services
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

clocks_cli = AppGroup("clocks", help="Regulatory deadline reminders.")


@clocks_cli.command("remind")
def remind() -> None:
    """Queue a reminder for every owned deadline due within the reminder window or missed."""
    count = services.send_reminders(utcnow())
    db.session.commit()
    click.echo(f"queued {count} reminders")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(clocks_cli)
