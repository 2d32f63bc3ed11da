"""Read an X.509 certificate a vendor sends as evidence, and check it against a claimed rotation.

Pure: no Flask, no database, no scoring. The portal parses uploads with `parse_certificate`
and refuses private keys with `contains_private_key`; the engine and the pages judge the facts
with `check_certificate`, so every page shows the same verdict.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

CERTIFICATE_EXTENSIONS = (".pem", ".crt", ".cer", ".der")
_PEM_CERT_RE = re.compile(
    rb"-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----.+?-----END (?:X509 |TRUSTED )?CERTIFICATE-----",
    re.DOTALL,
)
# PKCS#8 ("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY"), "EC PRIVATE KEY",
# "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY", PuTTY's "PuTTY-User-Key-File" files.
_PEM_KEY_RE = re.compile(rb"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----")
_PUTTY_RE = re.compile(rb"^PuTTY-User-Key-File-\d+:", re.MULTILINE)
_HEX_RE = re.compile(r"^[0-9a-f]{64}$")
_DER_KEY_PROBE = 64 * 1024  # a DER private key is a few kilobytes at most


class CertificateError(ValueError):
    """The data is not a certificate we can read; the message is for the person who sent it."""


@dataclass(frozen=True)
class KeyFloor:
    """The weakest keys accepted, in bits; Ed25519 and Ed448 always meet it."""

    rsa: int = 2048
    ec: int = 256
    dsa: int = 2048

    def minimum(self, key_type: str) -> int | None:
        """Return the floor for a key type, or None when every size of that type is accepted."""
        return {"RSA": self.rsa, "EC": self.ec, "DSA": self.dsa}.get(key_type)


DEFAULT_KEY_FLOOR = KeyFloor()


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says about itself; times are UTC, thumbprints lowercase hex."""

    subject: str
    issuer: str
    serial: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    key_type: str  # RSA, EC, Ed25519, Ed448, DSA
    key_size: int
    key_curve: str | None
    sha256: str
    sha1: str

    def to_dict(self) -> dict[str, Any]:
        """Return the facts as JSON-ready data (`from_dict` reads it back)."""
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "not_before": self.not_before.isoformat(),
            "not_after": self.not_after.isoformat(),
            "key_type": self.key_type,
            "key_size": self.key_size,
            "key_curve": self.key_curve,
            "sha256": self.sha256,
            "sha1": self.sha1,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CertificateFacts:
        """Rebuild facts written by `to_dict`."""
        return cls(
            subject=data["subject"],
            issuer=data["issuer"],
            serial=data["serial"],
            not_before=datetime.datetime.fromisoformat(data["not_before"]),
            not_after=datetime.datetime.fromisoformat(data["not_after"]),
            key_type=data["key_type"],
            key_size=data["key_size"],
            key_curve=data.get("key_curve"),
            sha256=data["sha256"],
            sha1=data["sha1"],
        )

    @property
    def key_description(self) -> str:
        """The key as a reader names it ("RSA 2048-bit", "EC 256-bit (secp256r1)")."""
        text = f"{self.key_type} {self.key_size}-bit"
        return f"{text} ({self.key_curve})" if self.key_curve else text


@dataclass(frozen=True)
class CertificateEvidence:
    """What came with an answer: a parsed certificate, or only a pasted SHA-256 thumbprint.

    `received_on` is the day it reached us; "not expired" is judged on that day, so a result
    recomputed years later says the same.
    """

    thumbprint: str
    received_on: datetime.date
    facts: CertificateFacts | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data (`from_dict` reads it back)."""
        return {
            "thumbprint": self.thumbprint,
            "received_on": self.received_on.isoformat(),
            "facts": self.facts.to_dict() if self.facts is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CertificateEvidence:
        """Rebuild evidence written by `to_dict`."""
        facts = data.get("facts")
        return cls(
            thumbprint=data["thumbprint"],
            received_on=datetime.date.fromisoformat(data["received_on"]),
            facts=CertificateFacts.from_dict(facts) if facts is not None else None,
        )


@dataclass(frozen=True)
class CertificateCheck:
    """The verdict on a certificate: each problem in words, and whether the claimed date holds."""

    problems: tuple[str, ...]
    contradicts_claim: bool
    notes: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        """Whether the certificate passed every check and backs the claimed date."""
        return not self.problems

    @property
    def summary(self) -> str:
        """One line for a trace or a page: "verified by certificate" or why not."""
        if self.verified:
            return "verified by certificate" + (f" ({'; '.join(self.notes)})" if self.notes else "")
        return "not verified by certificate: " + "; ".join(self.problems)


def _key_facts(key: object) -> tuple[str, int, str | None]:
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    raise CertificateError("The certificate uses a key type we cannot assess.")


def _facts(cert: x509.Certificate) -> CertificateFacts:
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CertificateError("The certificate's public key cannot be read.") from exc
    key_type, key_size, curve = _key_facts(key)
    try:
        subject = cert.subject.rfc4514_string()
        issuer = cert.issuer.rfc4514_string()
    except ValueError as exc:
        raise CertificateError("The certificate's subject or issuer cannot be read.") from exc
    return CertificateFacts(
        subject=subject or "(empty)",
        issuer=issuer or "(empty)",
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=key_type,
        key_size=key_size,
        key_curve=curve,
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
        # SHA-1 names the certificate as Windows tools show it; it secures nothing here.
        sha1=cert.fingerprint(hashes.SHA1()).hex(),  # noqa: S303  # nosec B303
    )


def parse_certificate(data: bytes) -> CertificateFacts:
    """Read the first certificate in PEM or DER data, or raise CertificateError saying why."""
    if not data or not data.strip():
        raise CertificateError("The file is empty.")
    pem = _PEM_CERT_RE.search(data)
    try:
        if pem is not None:
            cert = x509.load_pem_x509_certificate(pem.group(0))
        elif b"-----BEGIN" in data:
            raise CertificateError(
                "The file holds PEM data but no certificate: send the certificate "
                "(BEGIN CERTIFICATE), not a request or a key."
            )
        else:
            cert = x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise CertificateError(
            "This is not a certificate we can read: send the certificate as PEM or DER "
            "(.pem, .crt, .cer or .der)."
        ) from exc
    return _facts(cert)


def contains_private_key(data: bytes) -> bool:
    """Whether the data holds a private key (any PEM private-key block, PuTTY, or DER PKCS#8)."""
    if _PEM_KEY_RE.search(data) or _PUTTY_RE.search(data):
        return True
    if not data.startswith(b"\x30") or len(data) > _DER_KEY_PROBE:
        return False  # DER is an ASN.1 SEQUENCE (0x30)
    try:
        serialization.load_der_private_key(data, password=None)
    except TypeError:
        return True  # an encrypted private key (a password is needed): still a key
    except (ValueError, UnsupportedAlgorithm):
        return False
    return True


def normalise_thumbprint(text: str) -> str:
    """Return a SHA-256 thumbprint as 64 lowercase hex digits, or raise CertificateError.

    Colons, spaces and dashes between the digits and either case are accepted, as tools show
    them ("AB:CD:..." from OpenSSL, "abcd ..." from Windows).
    """
    cleaned = re.sub(r"[\s:\-]", "", text or "").lower()
    if cleaned.startswith("sha256="):
        cleaned = cleaned[len("sha256=") :]
    if not _HEX_RE.match(cleaned):
        raise CertificateError(
            "A SHA-256 thumbprint is 64 hexadecimal characters (0-9, a-f), optionally "
            f"separated by colons; this has {len(cleaned)}."
            if len(cleaned) != 64
            else "A SHA-256 thumbprint holds only hexadecimal characters (0-9, a-f)."
        )
    return cleaned


def _day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(datetime.UTC).date()


def check_certificate(
    facts: CertificateFacts,
    compromise_date: datetime.date | None,
    claimed_rotation_date: datetime.date | None,
    today: datetime.date,
    key_floor: KeyFloor = DEFAULT_KEY_FLOOR,
) -> CertificateCheck:
    """Check a certificate: issued on or after the compromise day, valid on `today`, strong
    enough, and issued no later than the claimed rotation date.

    The compromise day itself counts as after: a replacement published the day a compromise is
    disclosed is a replacement. Days are UTC calendar days.
    """
    problems: list[str] = []
    notes: list[str] = []
    contradicts = False
    issued = _day(facts.not_before)
    if compromise_date is not None:
        if issued < compromise_date:
            problems.append(
                f"issued {issued.isoformat()}, before the compromise on "
                f"{compromise_date.isoformat()}, so it is not a replacement"
            )
            contradicts = claimed_rotation_date is not None
        else:
            notes.append(f"issued {issued.isoformat()}, after the compromise")
    if _day(facts.not_after) < today:
        problems.append(f"expired on {_day(facts.not_after).isoformat()}")
    elif issued > today:
        problems.append(f"not valid until {issued.isoformat()}")
    floor = key_floor.minimum(facts.key_type)
    if floor is not None and facts.key_size < floor:
        problems.append(
            f"{facts.key_description} key is below the {facts.key_type} floor of {floor} bits"
        )
    if claimed_rotation_date is not None and issued > claimed_rotation_date:
        problems.append(
            f"issued {issued.isoformat()}, after the claimed rotation on "
            f"{claimed_rotation_date.isoformat()}"
        )
        contradicts = True
    return CertificateCheck(tuple(problems), contradicts, tuple(notes))
