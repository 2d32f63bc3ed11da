"""`flask advisories import-csaf PATH...` and `flask advisories import-kev FILE`.

Each document is one transaction: it is imported whole and committed, or refused with
`file: $.json.path: reason` and nothing of it kept. The command exits 1 if any was refused.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from vendorrisk.accounts.models import User
from vendorrisk.extensions import db

from .csaf_import import import_csaf
from .jsonfile import IntakeError, read_file
from .kev import import_kev

_BY = click.option(
    "--by",
    "email",
    default=None,
    help="E-mail of the user importing; that user may not publish the drafts (four eyes).",
)


def _actor(email: str | None) -> User | None:
    if not email:
        return None
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    return user


def _refused(exc: IntakeError) -> None:
    db.session.rollback()
    for problem in exc.problems:
        click.echo(str(problem), err=True)


@click.command("import-csaf")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_BY
def import_csaf_command(paths: tuple[Path, ...], email: str | None) -> None:
    """Import CSAF 2.0 documents as draft advisories (newer revisions add updates)."""
    actor = _actor(email)
    failed = 0
    for path in paths:
        try:
            report = import_csaf(read_file(path), actor)
        except IntakeError as exc:
            _refused(exc)
            failed += 1
            continue
        db.session.commit()
        click.echo(str(report))
    if failed:
        click.echo(
            f"{failed} of {len(paths)} document(s) refused; nothing of them was kept.", err=True
        )
        raise SystemExit(1)


@click.command("import-kev")
@click.argument("path", type=click.Path(path_type=Path))
@_BY
def import_kev_command(path: Path, email: str | None) -> None:
    """Import the CISA KEV catalogue: entries matching the catalogue become draft advisories."""
    actor = _actor(email)
    try:
        report = import_kev(read_file(path), actor)
    except IntakeError as exc:
        _refused(exc)
        raise SystemExit(1) from None
    db.session.commit()
    for line in report.lines():
        click.echo(line)


def init_app(app: Flask) -> None:
    """Add the import commands to the `advisories` command group."""
    from vendorrisk.advisories.cli import advisories_cli

    if "import-csaf" not in advisories_cli.commands:
        advisories_cli.add_command(import_csaf_command)
        advisories_cli.add_command(import_kev_command)
