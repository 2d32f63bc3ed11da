"""Certificate evidence: parsing, private-key refusal, thumbprints and the checks."""

from __future__ import annotations

import datetime

import pytest
from cryptography.hazmat.primitives import hashes, serialization

from tests.support.certs import (
    der,
    make_certificate,
    pem,
    private_key,
    private_key_der,
    private_key_pem,
)
from vendorrisk.questionnaires.certificates import (
    CertificateError,
    CertificateEvidence,
    CertificateFacts,
    KeyFloor,
    check_certificate,
    contains_private_key,
    normalise_thumbprint,
    parse_certificate,
)

D = datetime.date
COMPROMISE = D(2021, 1, 12)
TODAY = D(2021, 3, 1)
ISSUED = D(2021, 1, 14)
EXPIRES = D(2022, 1, 14)


def facts(start=ISSUED, end=EXPIRES, **kwargs) -> CertificateFacts:
    return parse_certificate(pem(make_certificate(start, end, **kwargs)))


def test_pem_and_der_give_the_same_facts():
    cert = make_certificate(D(2021, 1, 14), D(2022, 1, 14))
    from_pem, from_der = parse_certificate(pem(cert)), parse_certificate(der(cert))
    assert from_pem == from_der
    assert from_pem.subject == "CN=mail.example.test"
    assert from_pem.issuer == "CN=Example Test CA"
    assert from_pem.serial == "1a2b3c"
    assert from_pem.not_before == datetime.datetime(2021, 1, 14, 9, 30, tzinfo=datetime.UTC)
    assert from_pem.not_after.date() == D(2022, 1, 14)
    assert (from_pem.key_type, from_pem.key_size, from_pem.key_curve) == ("RSA", 2048, None)
    assert len(from_pem.sha256) == 64 and len(from_pem.sha1) == 40
    assert bytes.fromhex(from_pem.sha256) == cert.fingerprint(hashes.SHA256())


def test_pem_certificate_is_found_among_other_text():
    data = b"Subject: our new cert\n" + pem(make_certificate(D(2021, 1, 14), D(2022, 1, 14)))
    assert parse_certificate(data).subject == "CN=mail.example.test"


def test_ec_and_ed25519_keys_are_named_with_their_size():
    assert facts(kind="ec", size=256).key_description == "EC 256-bit (secp256r1)"
    assert facts(kind="ed25519").key_description == "Ed25519 256-bit"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, this is not a certificate", "not a certificate we can read"),
        (b"\x30\x03\x02\x01\x01", "not a certificate we can read"),
        (b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----", "no"),
        (b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----", "not a cert"),
    ],
)
def test_junk_is_refused_with_a_clear_message(data, message):
    with pytest.raises(CertificateError, match=message):
        parse_certificate(data)


@pytest.mark.parametrize(
    "data",
    [
        private_key_pem("rsa", "pkcs8"),
        private_key_pem("rsa", "traditional"),
        private_key_pem("ec", "traditional"),
        private_key_pem("ed25519", "openssh"),
        private_key_der(),
        private_key().private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        ),
        private_key().private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        ),
        pem(make_certificate(D(2021, 1, 14), D(2022, 1, 14))) + private_key_pem(),
    ],
    ids=["pkcs8", "pkcs1", "ec", "openssh", "der", "encrypted-pem", "encrypted-der", "bundle"],
)
def test_a_private_key_is_recognised_in_every_common_form(data):
    assert contains_private_key(data)


def test_a_certificate_alone_is_not_a_private_key():
    cert = make_certificate(D(2021, 1, 14), D(2022, 1, 14))
    assert not contains_private_key(pem(cert))
    assert not contains_private_key(der(cert))
    assert not contains_private_key(b"\x30 just some bytes")


@pytest.mark.parametrize(
    "text",
    [
        "AB:" * 31 + "AB",
        "ab " * 31 + "ab",
        "ab" * 32,
        "  " + "AB" * 32 + "\n",
        "SHA256=" + "ab" * 32,
    ],
)
def test_thumbprints_are_accepted_as_tools_print_them(text):
    assert normalise_thumbprint(text) == "ab" * 32


@pytest.mark.parametrize(
    ("text", "message"),
    [("ab" * 20, "this has 40"), ("zz" * 32, "only hexadecimal"), ("", "this has 0")],
)
def test_bad_thumbprints_say_what_is_wrong(text, message):
    with pytest.raises(CertificateError, match=message):
        normalise_thumbprint(text)


def test_a_certificate_issued_after_the_compromise_verifies_the_claimed_date():
    check = check_certificate(facts(), COMPROMISE, D(2021, 1, 15), TODAY)
    assert check.verified and not check.contradicts_claim
    assert check.summary.startswith("verified by certificate")


def test_the_compromise_day_itself_counts_as_after():
    check = check_certificate(facts(start=COMPROMISE), COMPROMISE, D(2021, 1, 12), TODAY)
    assert check.verified


def test_a_certificate_issued_before_the_compromise_contradicts_the_claim():
    check = check_certificate(facts(start=D(2020, 6, 1)), COMPROMISE, D(2021, 1, 15), TODAY)
    assert not check.verified and check.contradicts_claim
    assert "before the compromise on 2021-01-12" in check.summary


def test_a_certificate_issued_after_the_claimed_date_contradicts_it():
    check = check_certificate(facts(start=D(2021, 2, 20)), COMPROMISE, D(2021, 1, 15), TODAY)
    assert check.contradicts_claim
    assert "after the claimed rotation on 2021-01-15" in check.summary


def test_an_expired_certificate_fails_but_does_not_contradict_the_date():
    check = check_certificate(
        facts(start=D(2021, 1, 13), end=D(2021, 2, 1)), COMPROMISE, D(2021, 1, 15), TODAY
    )
    assert check.problems == ("expired on 2021-02-01",)
    assert not check.contradicts_claim


def test_a_weak_rsa_key_fails_the_floor():
    check = check_certificate(facts(size=1024), COMPROMISE, D(2021, 1, 15), TODAY)
    assert check.problems == ("RSA 1024-bit key is below the RSA floor of 2048 bits",)


def test_the_key_floor_is_per_key_type():
    ec_facts = facts(kind="ec", size=256)
    assert check_certificate(ec_facts, COMPROMISE, None, TODAY).verified
    strict = KeyFloor(ec=384)
    assert not check_certificate(ec_facts, COMPROMISE, None, TODAY, strict).verified
    assert check_certificate(facts(kind="ed25519"), COMPROMISE, None, TODAY, strict).verified


def test_evidence_round_trips_through_json():
    evidence = CertificateEvidence("ab" * 32, D(2021, 1, 20), facts(kind="ec", size=256))
    assert CertificateEvidence.from_dict(evidence.to_dict()) == evidence
    bare = CertificateEvidence("cd" * 32, D(2021, 1, 20))
    assert CertificateEvidence.from_dict(bare.to_dict()) == bare
