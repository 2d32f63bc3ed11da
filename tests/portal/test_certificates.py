"""Certificate evidence in the portal: a rotated certificate is read and kept with its file, a
pasted thumbprint is normalised, and a private key is refused and never stored."""

from __future__ import annotations

import datetime
import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests.portal.helpers import (
    COMPLETE,
    all_evidence,
    answer_everything,
    draft_of,
    f,
    n,
    stored_files,
    submit,
)
from tests.portal.helpers import save as save_section
from tests.support.certs import CERT_TEMPLATE, der, make_certificate, pem, private_key_pem
from tests.support.factories import approved_version
from vendorrisk.campaigns.models import EvidenceCertificate, Revision
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import decode_answer

D = datetime.date
ROTATION = {n("rotated"): "yes", n("rotated_on"): "2021-01-15", n("credentials_reset"): "some"}


@pytest.fixture
def version(db_session):
    """The small questionnaire whose rotation date asks for the new certificate."""
    assert "certificate: {compromise" in CERT_TEMPLATE
    return approved_version(CERT_TEMPLATE)


def attach(client, aid, filename, content, **extra):
    data = {**ROTATION, f("rotated_on").files: (io.BytesIO(content), filename), **extra}
    return save_section(client, aid, 1, data)


def certificate_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(EvidenceCertificate))


def test_an_uploaded_certificate_is_read_and_kept_with_its_file(vendor_client, aid):
    cert = make_certificate(D(2021, 1, 13), D(2022, 1, 13), serial=0xBEEF)
    assert attach(vendor_client, aid, "new.crt", der(cert)).status_code == 302
    [evidence] = all_evidence()
    row = evidence.certificate
    assert row is not None and evidence.question_id == "rotated_on"
    assert (row.subject, row.serial, row.key_type, row.key_size) == (
        "CN=mail.example.test",
        "beef",
        "RSA",
        2048,
    )
    assert row.not_before.date() == D(2021, 1, 13)


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("new.pem", private_key_pem("rsa", "pkcs8")),
        ("new.key.crt", private_key_pem("ec", "traditional")),
        ("bundle.pem", pem(make_certificate(D(2021, 1, 13), D(2022, 1, 13))) + private_key_pem()),
    ],
)
def test_a_private_key_is_refused_and_nothing_is_stored(
    vendor_client, aid, uploads, filename, content
):
    refused = attach(vendor_client, aid, filename, content)
    assert refused.status_code == 400
    assert "Treat that key as exposed" in refused.text
    assert f'id="{f("rotated_on").files}-error-1"' in refused.text  # next to the field
    assert all_evidence() == [] and certificate_rows() == 0
    assert stored_files(uploads) == []


def test_a_private_key_is_refused_on_any_evidence_question(vendor_client, aid, uploads):
    data = {n("soc2_report"): (io.BytesIO(private_key_pem("ed25519", "openssh")), "key.txt")}
    refused = save_section(vendor_client, aid, 2, data)
    assert refused.status_code == 400 and "Treat that key as exposed" in refused.text
    assert all_evidence() == [] and stored_files(uploads) == []


def test_a_file_named_as_a_certificate_must_be_one(vendor_client, aid, uploads):
    refused = attach(vendor_client, aid, "new.cer", b"this is not a certificate\n")
    assert refused.status_code == 400
    assert "not a certificate we can read" in refused.text
    assert all_evidence() == [] and stored_files(uploads) == []


def test_certificate_files_are_accepted_only_where_a_certificate_is_asked(vendor_client, aid):
    cert = pem(make_certificate(D(2021, 1, 13), D(2022, 1, 13)))
    data = {n("soc2_report"): (io.BytesIO(cert), "cert.pem")}
    refused = save_section(vendor_client, aid, 2, data)
    assert refused.status_code == 400 and "This type of file is not accepted" in refused.text


def test_a_pasted_thumbprint_is_saved_normalised(vendor_client, aid, assignment):
    pasted = "AB:" * 31 + "AB"
    saved = save_section(vendor_client, aid, 1, {**ROTATION, f("rotated_on").thumbprint: pasted})
    assert saved.status_code == 302
    stored = decode_answer(draft_of(assignment)["rotated_on"]).certificate
    assert stored is not None and stored.thumbprint == "ab" * 32 and stored.facts is None
    page = vendor_client.get(f"/portal/a/{aid}/s/1").text
    assert 'value="' + "ab" * 32 + '"' in page


def test_a_malformed_thumbprint_is_refused_next_to_its_field(vendor_client, aid):
    name = f("rotated_on").thumbprint
    assert save_section(vendor_client, aid, 0, COMPLETE[0]).status_code == 302
    refused = save_section(vendor_client, aid, 1, {**ROTATION, name: "abc123"})
    assert refused.status_code == 400
    assert f'id="{name}-error-1"' in refused.text
    assert "64 hexadecimal characters" in refused.text


def test_the_submitted_answer_carries_the_certificate_facts(vendor_client, aid, assignment):
    cert = make_certificate(D(2021, 1, 14), D(2022, 1, 14))
    assert attach(vendor_client, aid, "new.pem", pem(cert)).status_code == 302
    sections = [COMPLETE[0], ROTATION, COMPLETE[2]]
    answer_everything(vendor_client, aid, sections)
    assert submit(vendor_client, aid).status_code == 302
    db.session.expire_all()
    revision = db.session.scalar(select(Revision))
    answer = decode_answer(revision.answers["rotated_on"])
    assert answer.certificate is not None and answer.certificate.facts is not None
    assert answer.certificate.facts.sha256 == answer.certificate.thumbprint
    assert answer.certificate.facts.not_before.date() == D(2021, 1, 14)


def test_the_vendor_sees_the_certificate_read_on_its_receipt(vendor_client, aid, assignment):
    """What we read from the file is shown back to the vendor on its receipt, so it can check
    it sent the right certificate; the verdict on it is not."""
    cert = make_certificate(D(2021, 1, 14), D(2022, 1, 14), serial=0xC0FFEE)
    assert attach(vendor_client, aid, "new.pem", pem(cert)).status_code == 302
    answer_everything(vendor_client, aid, [COMPLETE[0], ROTATION, COMPLETE[2]])
    assert submit(vendor_client, aid).status_code == 302
    receipt = vendor_client.get(f"/portal/a/{aid}/receipt").text
    assert 'id="certificate-rotated_on"' in receipt
    assert "Certificate read from your file: CN=mail.example.test" in receipt
    assert "serial c0ffee" in receipt and "Valid 2021-01-14" in receipt
    assert "Check:" not in receipt


def test_a_save_whose_commit_fails_leaves_no_file_behind(vendor_client, aid, uploads, monkeypatch):
    """Files are written before the rows that refer to them are committed: a commit that fails
    takes the files with it, so storage holds nothing the record does not name."""

    def fail() -> None:
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(db.session, "commit", fail)
    response = attach(
        vendor_client, aid, "new.pem", pem(make_certificate(D(2021, 1, 13), D(2022, 1, 13)))
    )
    monkeypatch.undo()
    assert response.status_code == 500 and "Traceback" not in response.text
    assert all_evidence() == [] and stored_files(uploads) == []
