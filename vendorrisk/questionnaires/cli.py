"""`flask questionnaires validate|sync`: check the template files and load them as versions."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.extensions import db

from .sync import SyncError, default_directory, load_files, sync_directory, template_files

questionnaires_cli = AppGroup("questionnaires", help="Check and load questionnaire templates.")


@questionnaires_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check template files (default: every questionnaires/*.yaml); exit 1 on any error."""
    files = list(paths) or template_files(default_directory())
    if not files:
        raise click.ClickException("No template files found.")
    valid, errors = load_files(files)
    for error in errors:
        click.echo(str(error))
    if errors:
        bad = len({e.file for e in errors})
        click.echo(f"{len(errors)} error(s) in {bad} of {len(files)} file(s)", err=True)
        raise SystemExit(1)
    click.echo(f"{len(valid)} files valid")


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
    try:
        report = sync_directory(directory or default_directory())
    except SyncError as exc:  # raised before anything changes
        for error in exc.errors:
            click.echo(str(error))
        click.echo("Nothing was changed.", err=True)
        raise SystemExit(1) from None
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
