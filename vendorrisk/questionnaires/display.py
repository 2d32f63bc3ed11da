"""How an answer reads to a person: option labels instead of values, ISO dates, plain numbers.

Staff pages, the PDF and the XLSX export all show answers this way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from vendorrisk.questionnaires.answers import decode_value
from vendorrisk.questionnaires.schema import Question


def _value_text(question: Question | None, value: object) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(_value_text(question, v) for v in value)
    if isinstance(value, str) and question is not None and question.options:
        try:
            return str(question.option(value).label)
        except KeyError:
            return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return "" if value is None else str(value)


def answer_text(question: Question | None, data: Mapping[str, Any] | None) -> str:
    """Return an encoded answer as the text a reader expects (option labels, ISO dates)."""
    if not data:
        return ""
    if data.get("na"):
        return "Not applicable"
    return _value_text(question, decode_value(data.get("value")))
