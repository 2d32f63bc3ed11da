"""Whether the outbox holds a message due now, asked with the settings and the database alone.

cron runs `flask outbox send` every minute on every host, and most minutes nothing is due.
Setting the whole app up to learn that (models, views, services) took about two seconds a run;
this check needs only SQLAlchemy's core and one indexed query, so an idle run ends in a fraction
of that. When something is due, or the answer is not known, the command sets the app up and
sends as before. The rule for "due" is this module's, and the sender claims by the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    create_engine,
    or_,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from vendorrisk.core.timeutil import UTCDateTime, utcnow

QUEUED = "queued"
SENT = "sent"
FAILED = "failed"

# The columns the check reads, as `OutboxMessage` declares them (tests/mail/test_due.py compares).
OUTBOX = Table(
    "outbox_messages",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("state", String(20)),
    Column("next_attempt_at", UTCDateTime()),
    Column("lease_until", UTCDateTime()),
)


def due(columns: Any, now: datetime) -> ColumnElement[bool]:
    """Return the condition of a message due now: queued, its time come, and no live lease."""
    return and_(
        columns.state == QUEUED,
        columns.next_attempt_at <= now,
        or_(columns.lease_until.is_(None), columns.lease_until < now),
    )


def nothing_due(config: Mapping[str, Any]) -> bool:
    """Tell whether the outbox surely holds nothing due now (False when it cannot tell)."""
    options = config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    try:
        engine = create_engine(
            config["SQLALCHEMY_DATABASE_URI"],
            poolclass=NullPool,
            connect_args=options.get("connect_args", {}),
        )
    except (SQLAlchemyError, ImportError, ValueError):
        return False
    try:
        with engine.connect() as connection:
            found = connection.execute(
                select(OUTBOX.c.id).where(due(OUTBOX.c, utcnow())).limit(1)
            ).first()
    except SQLAlchemyError:  # no such table yet, database away: let the sender say what is wrong
        return False
    finally:
        engine.dispose()
    return found is None
