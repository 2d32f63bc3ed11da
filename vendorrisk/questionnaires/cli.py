"""`flask questionnaires validate|sync`: check the template files and load them as versions."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.core.filecli import sync_or_exit, validate_files
from vendorrisk.extensions import db

from .sync import (
    SyncError,
    TemplateFile,
    default_directory,
    load_files,
    sync_directory,
    template_files,
)
from .validator import ValidationError

questionnaires_cli = AppGroup("questionnaires", help="Check and load questionnaire templates.")


@questionnaires_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check template files (default: every questionnaires/*.yaml); exit 1 on any error or on
    any question that maps to no control."""
    validate_files(
        list(paths) or template_files(default_directory()), _load_mapped_files, "template"
    )


def _load_mapped_files(paths: list[Path]) -> tuple[list[TemplateFile], list[ValidationError]]:
    """Load files as the sync does, counting unmapped questions as errors (content review)."""
    files, errors = load_files(paths)
    unmapped = [problem for f in files for problem in f.unmapped]
    return [f for f in files if not f.unmapped], errors + unmapped


@questionnaires_cli.command("sync")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of template files (default: questionnaires/ in the repository).",
)
def sync(directory: Path | None) -> None:
    """Load template files as approved versions; archive templates whose file is gone."""
    report = sync_or_exit(sync_directory, directory or default_directory(), SyncError)
    db.session.commit()
    for slug, number in report.created:
        click.echo(f"{slug}: version {number} created")
    for slug in report.restored:
        click.echo(f"{slug}: restored (its file is back)")
    for slug in report.archived:
        click.echo(f"{slug}: archived (its file is gone)")
    click.echo(
        f"{len(report.created)} new version(s), {len(report.unchanged)} unchanged, "
        f"{len(report.archived)} archived"
    )


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(questionnaires_cli)
