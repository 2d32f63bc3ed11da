"""`flask reminders send`: queue due reminders (cron-able, idempotent)."""

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.campaigns import reminders
from vendorrisk.core import tasks
from vendorrisk.extensions import db

reminders_cli = AppGroup("reminders", help="Reminders before due dates and when overdue.")


@reminders_cli.command("send")
def send() -> None:
    """Queue the reminders that are due now; running it again sends nothing twice."""
    count = _send_reminders()
    click.echo(f"reminded {count} assignments (messages are in the outbox)")


def _send_reminders() -> int:
    count = reminders.send_reminders()
    db.session.commit()
    return count


def init_app(app: Flask) -> None:
    """Register the command group, the portal-link resolver and the demo assessments."""
    from vendorrisk import demo as demo_registry
    from vendorrisk.campaigns.demo import load_demo_assessments
    from vendorrisk.campaigns.services import PORTAL_PURPOSE, portal_link, prefetch_portal_links
    from vendorrisk.mail import services as outbox

    app.cli.add_command(reminders_cli)
    tasks.register("reminders.send", _send_reminders, every=3600)
    # After the demo vendors (registered by vendors.cli, which create_app initialises first).
    if load_demo_assessments not in demo_registry.DEMO_LOADERS:
        demo_registry.DEMO_LOADERS.append(load_demo_assessments)
    outbox.register_link_resolver(PORTAL_PURPOSE, portal_link, prefetch_portal_links)
