"""Check that the dates a date question's help text names agree with its date rule.

A help text such as "a connection deleted on or before 18 January 2021 scores best" states a
boundary. The rule has its own boundaries (day 0 is the reference date; a step `within_days: n`
ends, inclusive, on the reference date + n; `earliest` starts, inclusive, on its date), and the
two must agree to the day: "on or before D" and "by D" name the last day of a range, "before D"
and "on or after D" the first day of one, "after D" the last day before one.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping

from .schema import DateRule

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_QUALIFIER = r"(?P<q>on\s+or\s+before|on\s+or\s+after|no\s+later\s+than|by|before|after|from)"
_DATE = (
    rf"(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?(?:\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:,?\s+(?P<y2>\d{{4}}))?"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))"
)
_PHRASE = re.compile(
    rf"\b{_QUALIFIER}\s+(?:the\s+)?(?:{_DATE}|(?P<that>that\s+(?:date|day)))\b", re.IGNORECASE
)
_ANY_DATE = re.compile(rf"\b{_DATE}\b", re.IGNORECASE)

# Which kind of boundary each qualifier names: the last day of a range, or the first day.
_LAST = ("on or before", "no later than", "by", "after")
_FIRST = ("before", "on or after", "from")


def _date(match: re.Match[str], year: int) -> datetime.date | None:
    try:
        if match["iso"]:
            return datetime.date.fromisoformat(match["iso"])
        day = int(match["d1"] or match["d2"])
        month = _MONTHS[(match["m1"] or match["m2"]).lower()]
        return datetime.date(int(match["y1"] or match["y2"] or year), month, day)
    except ValueError:
        return None


def boundaries(
    rule: DateRule, references: Mapping[str, datetime.date]
) -> tuple[set[datetime.date], set[datetime.date]]:
    """Return the first days and the last days of the ranges a date rule scores differently."""
    reference = references[rule.reference]
    one = datetime.timedelta(days=1)
    first = {reference}
    last = {reference - one}
    if rule.earliest is not None and rule.earliest in references:
        first.add(references[rule.earliest])
        last.add(references[rule.earliest] - one)
    for step in rule.steps:
        end = reference + datetime.timedelta(days=step.within_days)
        last.add(end)
        first.add(end + one)
    return first, last


def help_date_problems(
    help_text: str, rule: DateRule, references: Mapping[str, datetime.date]
) -> Iterator[str]:
    """Yield, for each boundary the help text states, why the rule disagrees (if it does)."""
    if rule.reference not in references:
        return
    first, last = boundaries(rule, references)
    year = references[rule.reference].year
    text = " ".join(help_text.split())
    for match in _PHRASE.finditer(text):
        if match["that"]:  # "on or before that date": the last date named before it
            named = [m for m in _ANY_DATE.finditer(text, 0, match.start())]
            day = _date(named[-1], year) if named else None
        else:
            day = _date(match, year)
        if day is None:
            continue
        qualifier = " ".join(match["q"].lower().split())
        wanted, kind = (last, "last") if qualifier in _LAST else (first, "first")
        if day not in wanted:
            where = "ends" if kind == "last" else "starts"
            yield (
                f'the help says "{match.group(0)}", but no scoring range of the date_rule '
                f"{where} on {day.isoformat()} (day 0 is {rule.reference}; a step within_days n "
                "ends on day n): change the help or the rule so they agree"
            )
