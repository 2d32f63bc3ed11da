"""`flask findings reopen-expired`: reopen findings whose risk acceptance ran out (cron)."""

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.extensions import db
from vendorrisk.review import services

findings_cli = AppGroup("findings", help="Finding housekeeping.")


@findings_cli.command("reopen-expired")
def reopen_expired() -> None:
    """Reopen every finding whose risk acceptance has expired."""
    count = services.reopen_expired_acceptances()
    db.session.commit()
    click.echo(f"reopened {count} findings")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(findings_cli)
