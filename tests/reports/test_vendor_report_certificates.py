"""The vendor PDF shows the certificate sent with a rotation date, and the check's verdict."""

from __future__ import annotations

import io
from datetime import date

from werkzeug.datastructures import FileStorage

from tests.reports.conftest import VENDOR_NAME
from tests.reports.helpers import build, download, joined, squash
from tests.review.conftest import submit
from tests.support.certs import CERT_TEMPLATE, make_certificate, pem
from tests.support.factories import approved_version, create_campaign
from vendorrisk.portal import services as portal
from vendorrisk.questionnaires.answers import Answer

ANSWERS = {
    "uses_connector": Answer("yes"),
    "data_accessed": Answer("no"),
    "rotated": Answer("yes"),
    "rotated_on": Answer(date(2021, 1, 15)),
    "credentials_reset": Answer("some"),
    "notify_hours": Answer(24),
    "soc2_report": Answer(None, na=True, comment="No audit yet."),
}


def test_the_pdf_shows_the_certificate_facts_and_verdict(client, auth, vendor):
    """A certificate issued before the compromise is shown with its facts and why it does
    not back the claimed date."""
    campaign = create_campaign(approved_version(CERT_TEMPLATE), [vendor], due_date=date(2030, 1, 1))
    assignment = campaign.assignments[0]
    cert = make_certificate(date(2020, 6, 1), date(2023, 1, 1), serial=0xC0FFEE)
    upload = FileStorage(io.BytesIO(pem(cert)), filename="new.pem")
    stored = portal.attach_evidence(
        assignment.response, assignment.recipients[0], "rotated_on", upload
    )
    facts = stored.certificate
    submit(assignment, ANSWERS)
    auth.login("compliance")
    _, job_id = build(client, f"/reports/vendors/{vendor.id}/pdf")
    text = joined(download(client, job_id))
    assert VENDOR_NAME in text
    flat = squash(text)
    for expected in (
        "Certificate: CN=mail.example.test",
        "Issued by CN=Example Test CA; serial c0ffee",
        "Valid 2020-06-01 09:30 to 2023-01-01 09:30 UTC; key RSA 2048-bit",
        f"SHA-256 {facts.sha256}",
        f"SHA-1 {facts.sha1}",
        "Check: not verified by certificate: issued 2020-06-01, before the compromise",
    ):
        assert squash(expected) in flat, expected
