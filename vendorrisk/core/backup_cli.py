"""`flask backup PATH` and `flask restore PATH` (see docs/operations.md)."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from vendorrisk.core import backup as backups


def _app() -> Flask:
    """The application object behind the `current_app` proxy (backup threads need the real one)."""
    return current_app._get_current_object()  # type: ignore[attr-defined]


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent backup (database, evidence files, manifest) to PATH.

    PATH is a new (or empty) directory, or a file name ending in .tar.gz. Safe while the app
    runs.
    """
    try:
        manifest = backups.create_backup(_app(), path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest["tables"].values())
    click.echo(
        f"backup written to {path}: {manifest['backend']} at revision "
        f"{manifest['alembic_revision']}, {len(manifest['tables'])} tables, {rows} rows, "
        f"{len(manifest['files'])} files"
    )


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore the backup at PATH into this (empty) instance, after checking every hash."""
    try:
        report = backups.restore_backup(_app(), path, click.echo)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"restored {report.backend} database at revision {report.revision} "
        f"({sum(report.tables.values())} rows) and {report.files} evidence files; "
        "run `flask --app vendorrisk db upgrade` if this code is newer than the backup"
    )


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
