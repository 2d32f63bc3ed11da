"""`flask dashboard refresh`: compute every vendor's stored portfolio state again.

The workers run it every SNAPSHOT_MAX_AGE seconds; run it from cron on an installation without
workers and a large portfolio, and after a restore or a change made outside the app.
"""

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.core import tasks

dashboard_cli = AppGroup("dashboard", help="The dashboard's stored portfolio state.")


@dashboard_cli.command("refresh")
def refresh() -> None:
    """Compute and store every current vendor's residual risk, scores and baseline date."""
    count = _refresh()
    click.echo(f"portfolio state stored for {count} current vendors")


def _refresh() -> int:
    from vendorrisk.dashboard import snapshot

    snapshot.refresh()
    return snapshot.stored_count()


def init_app(app: Flask) -> None:
    """Register the command group and its periodic background task."""
    from vendorrisk.dashboard.snapshot import SNAPSHOT_MAX_AGE

    app.cli.add_command(dashboard_cli)
    tasks.register("dashboard.refresh", _refresh, every=SNAPSHOT_MAX_AGE)
