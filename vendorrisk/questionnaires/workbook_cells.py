"""An answer cell of the workbook both ways: the answer as the cell shows it, and what the
cell holds as the values the portal's form posts (pure: no openpyxl, no Flask)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from vendorrisk.core.spreadsheet import ILLEGAL_CHARACTERS_RE

from .answers import Answer
from .schema import Question

MULTI_SEPARATOR = ";"


def cell_value(question: Question, answer: Answer | None) -> object:
    """Return what an answer cell shows for an answer (None: the cell stays empty)."""
    if answer is None or answer.na or question.type == "evidence":
        return None
    value = answer.value
    if question.options:
        chosen = [question.option(v).label for v in answer.chosen_values()]
        return f"{MULTI_SEPARATOR} ".join(chosen) if chosen else None
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return value


def storable(value: object) -> object:
    """Return a value as a cell can hold it: text loses the characters no cell can hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def read_back(question: Question, answer: Answer) -> dict[str, list[str]]:
    """Return what the cells written for a saved answer give when read back untouched, as the
    values a form posts, by part ("value", "comment", "reason").

    Not always the answer itself: a cell holds no control characters, Excel keeps a number to 15
    significant digits, and the reader trims text, so a part can read back changed though nobody
    touched it. Comparing what came back with this tells an untouched cell from an edited one.
    """
    comment, reason = text_of(storable(answer.comment)), text_of(storable(answer.evidence_reason))
    return {
        "value": posted_values(question, storable(cell_value(question, answer)))[0],
        "comment": [comment] if comment else [],
        "reason": [reason] if reason else [],
    }


def text_of(value: object) -> str:
    """Return a cell's value as trimmed text (a whole float without its '.0')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice(q: Question, raw: str) -> str | None:
    wanted = raw.strip().casefold()
    for option in q.options:
        if wanted in (option.label.strip().casefold(), option.value.casefold()):
            return option.value
    return None


def posted_values(q: Question, value: object) -> tuple[list[str], str | None]:
    """Return the values a form would post for an answer cell, or an error message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return [], None
    if isinstance(value, bool):
        return [], "enter the answer as text, not TRUE or FALSE"
    if q.type in ("yes_no", "single_choice"):
        one = _choice(q, text_of(value))
        return ([one], None) if one else ([], "not one of the choices")
    if q.type == "multi_choice":
        parts = [p for p in re.split(r"[;\n]", text_of(value)) if p.strip()]
        chosen = [_choice(q, p) for p in parts]
        if None in chosen:
            bad = parts[chosen.index(None)].strip()
            return [], f"'{bad[:60]}' is not one of the choices"
        return [c for c in chosen if c], None
    if q.type == "date":
        if isinstance(value, datetime.datetime):
            return [value.date().isoformat()], None
        if isinstance(value, datetime.date):
            return [value.isoformat()], None
        if isinstance(value, int | float):
            return [], "type a date (yyyy-mm-dd), not a number"
        return [text_of(value)], None
    if q.type == "number":
        if isinstance(value, int | float):
            return [format(Decimal(repr(value)).normalize(), "f")], None
        return [text_of(value)], None
    if q.type == "evidence":
        return [], "files cannot be given in the workbook; attach them in the portal"
    if isinstance(value, datetime.datetime | datetime.date):
        return [value.strftime("%Y-%m-%d")], None
    return [text_of(value)], None
