"""What the commands that check and load files shipped with the code have in common."""

from collections.abc import Callable, Sequence
from pathlib import Path

import click


def validate_files(files: Sequence[Path], load_files: Callable, what: str) -> None:
    """Print every error in the files (file:line: reason) and exit 1 if there is any."""
    if not files:
        raise click.ClickException(f"No {what} files found.")
    valid, errors = load_files(files)
    for error in errors:
        click.echo(str(error))
    if errors:
        bad = len({e.file for e in errors})
        click.echo(f"{len(errors)} error(s) in {bad} of {len(files)} file(s)", err=True)
        raise SystemExit(1)
    click.echo(f"{len(valid)} files valid")


def sync_or_exit(sync_directory: Callable, directory: Path, error_type: type[Exception]):
    """Run a sync; if the files are invalid, print why and exit 1 (nothing was changed)."""
    try:
        return sync_directory(directory)
    except error_type as exc:  # raised before anything changes
        for error in exc.errors:  # type: ignore[attr-defined]
            click.echo(str(error))
        click.echo("Nothing was changed.", err=True)
        raise SystemExit(1) from None
