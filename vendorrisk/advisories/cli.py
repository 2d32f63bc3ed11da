"""`flask advisories validate|sync`: check the advisory files and load them into the library."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.core.filecli import sync_or_exit, validate_files
from vendorrisk.extensions import db

from .coverage import coverage_markdown
from .sync import SyncError, advisory_files, default_directory, load_files, sync_directory

advisories_cli = AppGroup("advisories", help="Check and load the shipped advisories.")


@advisories_cli.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check advisory files (default: every advisories/*.md); exit 1 on any error."""
    validate_files(list(paths) or advisory_files(default_directory()), load_files, "advisory")


@advisories_cli.command("sync")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of advisory files (default: advisories/ in the repository).",
)
def sync(directory: Path | None) -> None:
    """Load advisory files: create or change advisories and append their new updates."""
    report = sync_or_exit(sync_directory, directory or default_directory(), SyncError)
    db.session.commit()
    for name in report.products:
        click.echo(f"catalogue: product {name} created")
    for slug in report.created:
        click.echo(f"{slug}: created")
    for slug, fields in report.changed:
        click.echo(f"{slug}: changed ({', '.join(fields)})")
    for slug, number in report.updates:
        click.echo(f"{slug}: update {number} added")
    click.echo(
        f"{len(report.created)} created, {len(report.changed)} changed, "
        f"{len(report.updates)} update(s) added, {len(report.unchanged)} unchanged"
    )


@advisories_cli.command("coverage")
def coverage() -> None:
    """Print the content review's coverage tables (docs/content-review.md) as Markdown."""
    from vendorrisk.questionnaires import sync as templates

    template_files, template_errors = templates.load_files(
        templates.template_files(templates.default_directory())
    )
    files, errors = load_files(advisory_files(default_directory()))
    for error in [*template_errors, *errors]:
        click.echo(str(error), err=True)
    if template_errors or errors:
        raise SystemExit(1)
    click.echo(
        coverage_markdown(
            [f.parsed for f in template_files],
            [f.document for f in files if f.document is not None],
        ),
        nl=False,
    )


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(advisories_cli)
