"""`flask outbox send`: deliver queued mail (run it from cron)."""

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.mail import services

outbox_cli = AppGroup("outbox", help="Deliver and inspect the mail outbox.")


@outbox_cli.command("send")
@click.option("--limit", type=int, default=None, help="At most this many messages per batch.")
def send(limit: int | None) -> None:
    """Send every due message; safe to run from several hosts at once."""
    total = services.send_all(limit)
    click.echo(f"sent {total.sent}, waiting to retry {total.retrying}, failed {total.failed}")


def init_app(app: Flask) -> None:
    """Register the command group and the outbox's background task (every minute)."""
    from vendorrisk.core import tasks

    app.cli.add_command(outbox_cli)
    tasks.register("outbox.send", services.send_all, every=60)
