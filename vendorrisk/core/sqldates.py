"""Calendar arithmetic in SQL, the same on SQLite and PostgreSQL.

`utc_day(column)` is the calendar day of a stored UTC time; `add_months(day, months)` is the same
day `months` later, capped at the last day of a shorter month (31 January + 1 month is
28 or 29 February), as the Python `add_months` of the reassessment schedule computes it.
Both are typed Date, so results come back as `date` on either database.
"""

from __future__ import annotations

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_day(FunctionElement):  # noqa: N801 - reads as the SQL function it stands for
    """The calendar day of a UTC time stored without a zone."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


class add_months(FunctionElement):  # noqa: N801
    """A day plus a whole number of months, capped at the month's last day."""

    type = Date()
    inherit_cache = True
    name = "add_months"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    (value,) = element.clauses
    return f"CAST({compiler.process(value, **kw)} AS DATE)"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):
    (value,) = element.clauses
    return f"date({compiler.process(value, **kw)})"


@compiles(add_months, "postgresql")
def _add_months_postgresql(element, compiler, **kw):
    # PostgreSQL's month interval already caps at the month's end.
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(({day}) + make_interval(months => CAST({months} AS INTEGER)) AS DATE)"


@compiles(add_months, "sqlite")
def _add_months_sqlite(element, compiler, **kw):
    # SQLite's '+N months' runs over into the next month (31 January + 1 month = 3 March):
    # take the earlier of that day counted from the month's start and the month's last day.
    # The arguments are rendered twice: give columns or literals, not bound parameters.
    day, months = (compiler.process(c, **kw) for c in element.clauses)
    same_day = (
        f"date({day}, 'start of month', '+' || ({months}) || ' months', "
        f"'+' || (CAST(strftime('%d', {day}) AS INTEGER) - 1) || ' days')"
    )
    last_day = f"date({day}, 'start of month', '+' || (({months}) + 1) || ' months', '-1 day')"
    return f"min({same_day}, {last_day})"
