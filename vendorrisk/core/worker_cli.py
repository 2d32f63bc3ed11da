"""`flask worker`: run background work (reports, outbox, reminders, findings) from Redis."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from vendorrisk.core import tasks


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop once the queues are empty.")
@click.option(
    "--no-scheduler", is_flag=True, help="Do not queue the periodic work (outbox, reminders...)."
)
def worker(burst: bool, no_scheduler: bool) -> None:
    """Build reports and run the periodic work queued in Redis (needs REDIS_URL)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: a worker takes its work from Redis.")
    names = ", ".join(tasks.queue_name(app, kind) for kind in ("reports", "tasks"))
    click.echo(f"worker on queues {names}", err=True)
    tasks.work(app, burst=burst, scheduler=not no_scheduler)


def init_app(app: Flask) -> None:
    app.cli.add_command(worker)
