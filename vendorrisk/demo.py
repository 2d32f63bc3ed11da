"""`flask demo`: load demonstration data once (idempotent)."""

import click
from flask import Flask
from sqlalchemy import select

from vendorrisk.accounts.models import User
from vendorrisk.accounts.passwords import hash_password
from vendorrisk.extensions import db
from vendorrisk.permissions import ADMIN, COMPLIANCE, MANAGER

DEMO_USERS = [
    ("admin@vendorrisk.example", "Avery Admin", ADMIN, "demo-Admin-2021!"),
    ("manager@vendorrisk.example", "Morgan Manager", MANAGER, "demo-Manager-2021!"),
    ("compliance@vendorrisk.example", "Casey Compliance", COMPLIANCE, "demo-Compliance-2021!"),
]

# Other domains add their demo data here (vendors, templates, ...), each idempotent.
DEMO_LOADERS: list = []


def ensure_demo_users() -> list[User]:
    """Create the three demo users unless they exist."""
    users = []
    for email, name, role, password in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role=role, password_hash=hash_password(password))
            db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


@click.command("demo")
def demo_command() -> None:
    """Load demo users and data (safe to run again) and print the demo logins."""
    ensure_demo_users()
    for loader in DEMO_LOADERS:
        loader()
    db.session.commit()
    click.echo("Demo logins (development only):")
    for email, _name, role, password in DEMO_USERS:
        click.echo(f"  {role:<11} {email:<32} {password}")
    click.echo(
        "  The administrator sets up two-step sign-in (an authenticator app) at first login."
    )


def init_app(app: Flask) -> None:
    """Register the command."""
    app.cli.add_command(demo_command)
