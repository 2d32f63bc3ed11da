"""`flask users ...`: create, re-role and disable staff accounts from the command line."""

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.accounts import services
from vendorrisk.extensions import db
from vendorrisk.mail.services import MailAddressError
from vendorrisk.permissions import ROLES

users_cli = AppGroup("users", help="Manage staff accounts.")


def _user_or_fail(email: str):
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    return user


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Full name (defaults to the e-mail's local part).")
@click.option("--role", required=True, type=click.Choice(ROLES))
def create(email: str, name: str | None, role: str) -> None:
    """Create a user; the password is asked for, never taken from the command line."""
    # Not a click option: a password given as `--password` would land in shell history and `ps`.
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.create_user(email, name or email.split("@")[0], role, password)
    except (services.AccountError, MailAddressError) as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role_label}).")


@users_cli.command("set-role")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
def set_role(email: str, role: str) -> None:
    """Give a user another role (their sessions end)."""
    user = _user_or_fail(email)
    services.update_user(user, name=user.name, role=role, active=user.active, actor=None)
    db.session.commit()
    click.echo(f"{user.email} is now {user.role_label}.")


@users_cli.command("disable")
@click.option("--email", required=True)
def disable(email: str) -> None:
    """Disable a user (their sessions end at once)."""
    user = _user_or_fail(email)
    services.update_user(user, name=user.name, role=user.role, active=False, actor=None)
    db.session.commit()
    click.echo(f"{user.email} is disabled.")


@users_cli.command("token")
@click.option("--email", required=True)
@click.option("--name", default="Command line", help="What the token is for.")
@click.option(
    "--expires-days",
    type=int,
    default=None,
    help="Days until the token stops working (default 90, at most 365).",
)
def token(email: str, name: str, expires_days: int | None) -> None:
    """Create a personal API token for a user and print it (it is shown only this once)."""
    from vendorrisk.api import tokens

    user = _user_or_fail(email)
    if not user.active:
        raise click.ClickException(f"{user.email} is disabled.")
    try:
        row, secret = tokens.create_token(user, name, expires_days)
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(secret)
    click.echo(f"Expires {row.expires_at:%Y-%m-%d %H:%M} UTC.", err=True)


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(users_cli)
