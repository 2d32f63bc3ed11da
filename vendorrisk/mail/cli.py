"""`flask outbox send`: deliver queued mail (run it from cron).

This module is light on purpose: the command line runs its group without setting the app up
(`core/deferred.py`), and a run with nothing due ends after one query (`mail/due.py`). A run
with something due imports the sender, which sets the app up on its first use of the database.
"""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from vendorrisk.core.deferred import finish_setup, setup_pending
from vendorrisk.mail import due

outbox_cli = AppGroup("outbox", help="Deliver and inspect the mail outbox.")


@outbox_cli.command("send")
@click.option("--limit", type=int, default=None, help="At most this many messages per batch.")
def send(limit: int | None) -> None:
    """Send every due message; safe to run from several hosts at once."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Asked only before the set-up: a finished app (a worker, the tests) just runs the sender.
    if setup_pending(app) and due.nothing_due(app.config):
        sent = retrying = failed = 0
    else:
        finish_setup(app)  # the sender needs the models, the secret links and the mail
        from vendorrisk.mail import services

        total = services.send_all(limit)
        sent, retrying, failed = total.sent, total.retrying, total.failed
    click.echo(f"sent {sent}, waiting to retry {retrying}, failed {failed}")


def init_app(app: Flask) -> None:
    """Register the command group and the outbox's background task (every minute)."""
    from vendorrisk.core import tasks
    from vendorrisk.mail import services

    app.cli.add_command(outbox_cli)
    tasks.register("outbox.send", services.send_all, every=60)
