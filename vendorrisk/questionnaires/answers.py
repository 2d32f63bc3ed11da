"""The answer a vendor gives to one question, shared by forms, visibility and scoring."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

# str: yes_no, single_choice, text, long_text; list/tuple of str: multi_choice;
# date: date; int/float/Decimal: number; None: evidence-type (the files are the answer).
AnswerValue = str | list[str] | tuple[str, ...] | datetime.date | int | float | Decimal | None


@dataclass(frozen=True)
class Answer:
    """One answer; an unanswered question has no Answer at all."""

    value: AnswerValue
    na: bool = False
    comment: str | None = None
    evidence_hashes: tuple[str, ...] = ()
    evidence_reason: str | None = None

    def chosen_values(self) -> tuple[str, ...]:
        """Return the option values this answer selects (empty for N/A and non-choice values)."""
        if self.na:
            return ()
        if isinstance(self.value, str):
            return (self.value,)
        if isinstance(self.value, list | tuple):
            return tuple(v for v in self.value if isinstance(v, str))
        return ()


Answers = Mapping[str, Answer]
