"""The review page shows the certificate sent with an answer and the check's verdict."""

from __future__ import annotations

from datetime import date

import pytest

from tests.review.conftest import submit
from tests.support.certs import CERT_TEMPLATE, make_certificate, pem
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.certificates import CertificateEvidence, parse_certificate

ANSWERS = {
    "uses_connector": Answer("yes"),
    "data_accessed": Answer("no"),
    "rotated": Answer("yes"),
    "credentials_reset": Answer("some"),
    "notify_hours": Answer(24),
    "soc2_report": Answer(None, na=True, comment="No audit yet."),
}


def evidence(issued: date) -> CertificateEvidence:
    facts = parse_certificate(pem(make_certificate(issued, date(2023, 1, 1), serial=0xC0FFEE)))
    return CertificateEvidence(facts.sha256, date(2021, 1, 20), facts)


def assignment_with(owner, certificate: CertificateEvidence):
    campaign = create_campaign(
        approved_version(CERT_TEMPLATE), [make_vendor(owner=owner)], due_date=date(2030, 1, 31)
    )
    assignment = campaign.assignments[0]
    rotated_on = Answer(date(2021, 1, 15), certificate=certificate)
    submit(assignment, {**ANSWERS, "rotated_on": rotated_on})
    return assignment


def certificate_block(client, assignment) -> str:
    page = client.get(f"/review/assignments/{assignment.id}").text
    row = page[page.index('id="q-rotated_on"') :].split("</tr>")[0]
    return row


@pytest.fixture
def reviewer(client, auth):
    auth.login("manager")
    return client


def test_a_verified_certificate_is_shown_with_its_facts(reviewer, owner):
    cert = evidence(date(2021, 1, 14))
    row = certificate_block(reviewer, assignment_with(owner, cert))
    for text in (
        "CN=mail.example.test",
        "Issued by CN=Example Test CA; serial c0ffee",
        "Valid 2021-01-14 09:30 to 2023-01-01 09:30 UTC; key RSA 2048-bit",
        f"SHA-256 {cert.facts.sha256}",
        f"SHA-1 {cert.facts.sha1}",
        "Check: verified by certificate (issued 2021-01-14, after the compromise)",
    ):
        assert text in row, text


def test_a_contradicting_certificate_is_shown_with_why_and_flagged(reviewer, owner):
    assignment = assignment_with(owner, evidence(date(2020, 6, 1)))
    row = certificate_block(reviewer, assignment)
    assert "Check: not verified by certificate: issued 2020-06-01, before the compromise" in row
    flags = assignment.response.latest_submitted.score["review_flags"]
    assert [f["kind"] for f in flags] == ["certificate"]


def test_a_pasted_thumbprint_is_shown_as_such(reviewer, owner):
    row = certificate_block(
        reviewer, assignment_with(owner, CertificateEvidence("ef" * 32, date(2021, 1, 20)))
    )
    assert "SHA-256 thumbprint given</strong>: " + "ef" * 32 in row
    assert "only its SHA-256 thumbprint was given" in row
