"""Judge the certificate an answer came with: a note on its trace line and, when the
certificate fails a check or contradicts the date claimed, a review flag. Points are unchanged.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from vendorrisk.questionnaires.answers import Answers
from vendorrisk.questionnaires.certificates import (
    CertificateCheck,
    CertificateEvidence,
    CertificateFacts,
    KeyFloor,
    check_certificate,
)
from vendorrisk.questionnaires.schema import Question, Template

from .result import ReviewFlag, ScoreResult

CERTIFICATE_FLAG = "certificate"


def claimed_date(question: Question, answers: Answers) -> datetime.date | None:
    """Return the rotation date a certificate question's certificate must back, if answered."""
    spec = question.certificate
    if spec is None:
        return None
    source = question.id if spec.claimed_date is None else spec.claimed_date
    answer = answers.get(source)
    if answer is None or answer.na:
        return None
    value = answer.value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    return None


def judge(
    question: Question, answers: Answers, refs: Mapping[str, datetime.date]
) -> CertificateCheck | None:
    """Check the certificate sent with a certificate question (None: no certificate to check)."""
    spec = question.certificate
    answer = answers.get(question.id)
    if spec is None or answer is None or answer.certificate is None:
        return None
    evidence = answer.certificate
    if evidence.facts is None:
        return None
    floor = KeyFloor(rsa=spec.min_rsa_bits, ec=spec.min_ec_bits, dsa=spec.min_rsa_bits)
    return check_certificate(
        evidence.facts,
        refs.get(spec.compromise) if spec.compromise is not None else None,
        claimed_date(question, answers),
        evidence.received_on,
        floor,
    )


def certificate_notes(
    template: Template, answers: Answers, refs: Mapping[str, datetime.date]
) -> tuple[dict[str, str], tuple[ReviewFlag, ...]]:
    """Return, for each answered certificate question, the note its trace line ends with,
    and a review flag for each certificate that fails or contradicts the claimed date.

    `answers` are the shown answers only.
    """
    notes: dict[str, str] = {}
    flags: list[ReviewFlag] = []
    for question in template.questions():
        spec = question.certificate
        answer = answers.get(question.id)
        if spec is None or answer is None or answer.na:
            continue
        evidence = answer.certificate
        if evidence is None:
            notes[question.id] = "not verified by certificate: none was sent"
            continue
        check = judge(question, answers, refs)
        if check is None:
            notes[question.id] = (
                "not verified by certificate: only its SHA-256 thumbprint was given "
                f"({evidence.thumbprint[:16]}...)"
            )
            continue
        notes[question.id] = check.summary
        if not check.verified:
            ids: tuple[str, ...] = (question.id,)
            if spec.claimed_date is not None and spec.claimed_date in answers:
                ids = (question.id, spec.claimed_date)
            what = "contradicts the date claimed" if check.contradicts_claim else "fails a check"
            flags.append(
                ReviewFlag(
                    CERTIFICATE_FLAG,
                    ids,
                    f"{question.id}: the certificate {what}: " + "; ".join(check.problems),
                )
            )
    return notes, tuple(flags)


@dataclass(frozen=True)
class CertificateView:
    """What a page shows next to a certificate question's answer: the certificate (or the
    pasted thumbprint), and the verdict the trace gives."""

    question_id: str
    evidence: CertificateEvidence
    check: CertificateCheck | None

    @property
    def facts(self) -> CertificateFacts | None:
        """The certificate's facts, None when only a thumbprint was pasted."""
        return self.evidence.facts

    @property
    def summary(self) -> str:
        """The verdict in words, as the trace says it."""
        if self.check is None:
            return "not verified by certificate: only its SHA-256 thumbprint was given"
        return self.check.summary


def certificate_views(template: Template, result: ScoreResult | None) -> dict[str, CertificateView]:
    """Return the certificate of each answered certificate question of a stored result."""
    if result is None:
        return {}
    views: dict[str, CertificateView] = {}
    answers = result.answers
    for question in template.questions():
        answer = answers.get(question.id)
        if question.certificate is None or answer is None or answer.certificate is None:
            continue
        check = judge(question, answers, result.reference_dates)
        views[question.id] = CertificateView(question.id, answer.certificate, check)
    return views
