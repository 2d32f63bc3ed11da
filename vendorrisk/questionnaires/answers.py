"""The answer a vendor gives to one question, shared by forms, visibility and scoring, and its
JSON codec (drafts, submitted revisions and stored results all hold answers in this form)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .certificates import CertificateEvidence

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
    # The rotated certificate (or its pasted thumbprint) on a question with a certificate check.
    certificate: CertificateEvidence | None = None

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


def encode_value(value: AnswerValue) -> Any:
    """Encode an answer value as JSON data that `decode_value` turns back into the same value."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": repr(value)}  # JSON has no NaN or infinity
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list):
        return list(value)
    if isinstance(value, tuple):
        return {"tuple": list(value)}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}  # not a valid answer, but kept as given
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    raise TypeError(f"cannot encode answer value of type {type(value).__name__}")


def decode_value(data: Any) -> AnswerValue:
    """Decode an answer value written by `encode_value`."""
    if isinstance(data, dict):
        ((tag, raw),) = data.items()
        if tag == "tuple":
            return tuple(raw)
        if tag == "decimal":
            return Decimal(raw)
        if tag == "date":
            return datetime.date.fromisoformat(raw)
        if tag == "datetime":
            return datetime.datetime.fromisoformat(raw)
        if tag == "float":
            return float(raw)
        raise ValueError(f"unknown answer value tag {tag!r}")
    if isinstance(data, list):
        return list(data)
    return data  # type: ignore[no-any-return]


def encode_answer(answer: Answer) -> dict[str, Any]:
    """Encode one Answer as JSON data (an answer without a certificate has no such key, so
    answers and attestation hashes from before certificate checks encode as they did)."""
    data = {
        "value": encode_value(answer.value),
        "na": answer.na,
        "comment": answer.comment,
        "evidence_hashes": list(answer.evidence_hashes),
        "evidence_reason": answer.evidence_reason,
    }
    if answer.certificate is not None:
        data["certificate"] = answer.certificate.to_dict()
    return data


def decode_answer(data: Mapping[str, Any]) -> Answer:
    """Decode one Answer written by `encode_answer`."""
    return Answer(
        value=decode_value(data["value"]),
        na=data["na"],
        comment=data["comment"],
        evidence_hashes=tuple(data["evidence_hashes"]),
        evidence_reason=data["evidence_reason"],
        certificate=(
            CertificateEvidence.from_dict(data["certificate"])
            if data.get("certificate") is not None
            else None
        ),
    )
