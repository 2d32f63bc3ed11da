"""`flask reports verify FILE`: check a report's signature, PDF/A identification and record."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from vendorrisk.reports import signing, verify

reports_cli = AppGroup("reports", help="Report files.")


@reports_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    "trust",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A PEM certificate to trust as a root (repeatable); the configured signing "
    "certificate and chain are trusted too.",
)
@click.option(
    "--allow-unsigned", is_flag=True, help="Accept a report produced without a signing key."
)
def verify_command(file: Path, trust: tuple[Path, ...], allow_unsigned: bool) -> None:
    """Check a report PDF: its signature, its PDF/A identification and its record's hashes."""
    roots = list(trust)
    try:
        key = signing.configured()
    except signing.SigningError as exc:
        raise click.ClickException(str(exc)) from exc
    if key is not None:
        roots += [p for p in (key.cert, key.chain) if p is not None and p.is_file()]
    try:
        certificates = verify.load_roots(roots)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read a trust certificate: {exc}") from exc
    verdict = verify.check(file.read_bytes(), certificates, require_signature=not allow_unsigned)
    for passed, message in verdict.lines:
        click.echo(f"{'ok  ' if passed else 'FAIL'} {message}")
    if not verdict.ok:
        click.echo(f"{file}: NOT VERIFIED")
        raise SystemExit(1)
    click.echo(f"{file}: verified")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(reports_cli)
