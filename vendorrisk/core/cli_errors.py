"""What a command says when its database is not set up or cannot be reached: one line, exit 1.

A command run against a database that was never migrated (or is older than this release), or
that cannot be reached, ended in SQLAlchemy's traceback with the failed SQL. The command line
installs `excepthook` (see `vendorrisk.create_app`) so that these two cases say what is wrong
and what to do; any other error keeps its traceback, which is what a bug report needs.
"""

from __future__ import annotations

import sys
from types import TracebackType

UPGRADE = "run `flask --app vendorrisk db upgrade`, then try again"


def explain(error: BaseException) -> str | None:
    """Return the one-line message for a database that is not there or not set up, else None."""
    if not type(error).__module__.startswith("sqlalchemy"):
        return None
    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError):
        return None
    original = error.orig
    text = str(original).strip().splitlines()[0] if original is not None else str(error)
    state = str(getattr(original, "sqlstate", "") or "")
    if state == "42P01" or text.startswith("no such table"):
        return f"the database is not set up for this release ({text}): {UPGRADE}."
    if state == "42703" or text.startswith("no such column"):
        return f"the database is older than this release ({text}): {UPGRADE}."
    refused = "connection" in text.lower() and "refused" in text.lower()
    unopened = "unable to open database file" in text  # SQLite: no such folder, no permission
    if state.startswith("08") or refused or unopened or error.connection_invalidated:
        return f"cannot reach the database ({text}); check DATABASE_URL and that it is running."
    return None


def excepthook(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    """Print `explain`'s message for the database's errors; leave the rest to Python's hook."""
    message = explain(error)
    if message is None:
        sys.__excepthook__(kind, error, traceback)
    else:
        print(f"Error: {message}", file=sys.stderr)


def install() -> None:
    """Make uncaught database errors of this process read as `explain` says (exit status 1)."""
    sys.excepthook = excepthook
