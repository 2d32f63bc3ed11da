"""`flask questionnaires import-sheet FILE --map MAPPING.yaml` and `... import-vsaq FILE`.

Each makes one template draft (with `--by`, the manager it is created for) or, with `--yaml`,
only writes the template YAML. A refused file prints `place: reason` lines (the cell, the
mapping line or the VSAQ item) on standard error, creates nothing and exits 1.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from vendorrisk.accounts.models import User
from vendorrisk.extensions import db
from vendorrisk.permissions import MANAGERS

from . import services
from .common import Converted, ImportRefused
from .mapping import parse_mapping
from .sheet import import_sheet
from .vsaq import import_vsaq

_BY = click.option(
    "--by", "email", default=None, help="E-mail of the vendor manager the draft is created for."
)
_YAML = click.option(
    "--yaml",
    "yaml_out",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    default=None,
    help="Write the template YAML to this file ('-': standard output) instead of a draft.",
)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        click.echo(f"{path}: cannot be read: {exc.strerror or exc}", err=True)
        raise SystemExit(1) from None


def _refused(path: Path, exc: ImportRefused) -> None:
    db.session.rollback()
    for problem in exc.problems:
        click.echo(f"{path.name}: {problem}" if problem.where else str(problem), err=True)
    click.echo(f"{path}: refused; nothing was imported.", err=True)
    raise SystemExit(1)


def _user(email: str | None) -> User:
    if not email:
        click.echo("Say who the draft is for with --by EMAIL, or write YAML with --yaml.", err=True)
        raise SystemExit(2)
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.role not in MANAGERS or not user.active:
        click.echo(f"No active vendor manager or administrator with the e-mail {email}.", err=True)
        raise SystemExit(1)
    return user


def _finish(path: Path, data: bytes, converted: Converted, kind: str, email, yaml_out) -> None:
    for note in converted.notes:
        click.echo(f"note: {path.name}: {note}", err=True)
    if yaml_out is not None:
        if str(yaml_out) == "-":
            click.echo(converted.yaml_text, nl=False)
        else:
            yaml_out.write_text(converted.yaml_text, encoding="utf-8")
            click.echo(f"{yaml_out}: {converted.questions} question(s) written")
        return
    user = _user(email)
    imported = services.create_draft(converted, data, path.name, kind, user)
    db.session.commit()
    click.echo(
        f"draft {imported.draft.id}: “{converted.title}”, {converted.questions} question(s); "
        f"open /templates/drafts/{imported.draft.id} to edit it and submit it for approval"
    )


@click.command("import-sheet")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--map",
    "map_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The column mapping file (YAML).",
)
@click.option(
    "--mapping",
    "mapping_name",
    default=None,
    help="A mapping saved in the app by name, or 'caiq-v4' for the built-in CAIQ v4 layout.",
)
@_BY
@_YAML
def import_sheet_command(path, map_path, mapping_name, email, yaml_out) -> None:
    """Import a questionnaire from an .xlsx or .csv spreadsheet by a column mapping."""
    if (map_path is None) == (mapping_name is None):
        click.echo("Give either --map MAPPING.yaml or --mapping NAME.", err=True)
        raise SystemExit(2)
    data = _read(path)
    try:
        if map_path is not None:
            mapping = parse_mapping(_read(map_path), map_path.name)
            converted = import_sheet(data, path.name, mapping, mapping_name=map_path.name)
            kind = "sheet"
        else:
            converted = services.convert_sheet(data, path.name, mapping_name=mapping_name)
            kind = mapping_name if mapping_name in services.BUILT_IN else "sheet"
    except ImportRefused as exc:
        _refused(path, exc)
    _finish(path, data, converted, kind, email, yaml_out)


@click.command("import-vsaq")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@_BY
@_YAML
def import_vsaq_command(path, email, yaml_out) -> None:
    """Import a Google VSAQ questionnaire (JSON, as published, comments and all)."""
    data = _read(path)
    try:
        converted = import_vsaq(data, path.name)
    except ImportRefused as exc:
        _refused(path, exc)
    _finish(path, data, converted, "vsaq", email, yaml_out)


def init_app(app: Flask) -> None:
    """Add the import commands to the `questionnaires` command group."""
    from vendorrisk.questionnaires.cli import questionnaires_cli

    if "import-sheet" not in questionnaires_cli.commands:
        questionnaires_cli.add_command(import_sheet_command)
        questionnaires_cli.add_command(import_vsaq_command)
