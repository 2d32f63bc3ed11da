"""Small HTTP helpers shared by the blueprints."""

from urllib.parse import urlsplit

from flask import Flask, abort

# The largest id a row can have: every id column is a 32-bit INTEGER on PostgreSQL. A number
# beyond it in a URL names nothing, and the databases refuse even to compare with it
# (PostgreSQL: "integer out of range"; SQLite beyond 64 bits: OverflowError).
MAX_ID = 2**31 - 1


def _ids_in_range(endpoint: str | None, values: dict | None) -> None:
    """Answer 404 for an `<int:...>` URL part no row can have, before any view queries it.

    Not a bounded URL converter: Werkzeug checks converters after methods, so a route that
    shares its path with another would answer 405 instead."""
    if values and any(isinstance(v, int) and v > MAX_ID for v in values.values()):
        abort(404)


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_ids_in_range)


def safe_next(target: str | None) -> str | None:
    """Return a same-site relative path to go back to, or None for anything else."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target
