"""`flask contacts erase`: remove a vendor contact's personal data from the command line."""

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk import demo as demo_registry
from vendorrisk.extensions import db
from vendorrisk.vendors import services
from vendorrisk.vendors.demo import load_demo_vendors

contacts_cli = AppGroup("contacts", help="Manage vendor contacts' personal data.")


@contacts_cli.command("erase")
@click.option("--email", required=True, help="The contact's e-mail address (any case).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(email: str, yes: bool) -> None:
    """Erase the name, e-mail, phone and title of every vendor contact with this address."""
    contacts = services.contacts_by_email(email)
    if not contacts:
        raise click.ClickException(f"No vendor contact with the e-mail address {email}.")
    vendors = ", ".join(sorted({c.vendor.name for c in contacts}))
    if not yes:
        click.confirm(
            f"Erase {len(contacts)} contact record(s) at {vendors}? This cannot be undone.",
            abort=True,
        )
    reports = [services.erase_contact(contact) for contact in contacts]
    db.session.commit()
    for report in reports:
        for line in report.summary():
            click.echo(line)


def init_app(app: Flask) -> None:
    """Register the command group and the demo-data loader."""
    app.cli.add_command(contacts_cli)
    if load_demo_vendors not in demo_registry.DEMO_LOADERS:
        demo_registry.DEMO_LOADERS.append(load_demo_vendors)
