"""`flask findings reopen-expired`: reopen findings whose risk acceptance ran out (cron)."""

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.core import tasks
from vendorrisk.extensions import db
from vendorrisk.review import services

findings_cli = AppGroup("findings", help="Finding housekeeping.")


@findings_cli.command("reopen-expired")
def reopen_expired() -> None:
    """Reopen every finding whose risk acceptance has expired."""
    count = _reopen_expired()
    click.echo(f"reopened {count} findings")


def _reopen_expired() -> int:
    count = services.reopen_expired_acceptances()
    db.session.commit()
    return count


def init_app(app: Flask) -> None:
    """Register the command group and its daily background task."""
    app.cli.add_command(findings_cli)
    tasks.register("findings.reopen_expired", _reopen_expired, every=86400)
