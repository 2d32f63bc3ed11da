"""Certificates and keys made on the spot with `cryptography`, for certificate-evidence tests."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from tests.support.factories import SMALL_TEMPLATE

# The small questionnaire whose rotation date asks for the new certificate.
CERT_TEMPLATE = SMALL_TEMPLATE.replace(
    "id: connector-breach-check", "id: connector-certificate-check"
).replace(
    '        show_if: {question: rotated, in: ["yes"]}\n',
    '        show_if: {question: rotated, in: ["yes"]}\n'
    "        certificate: {compromise: compromise_date}\n",
)

_KEYS: dict[tuple[str, int], object] = {}


def private_key(kind: str = "rsa", size: int = 2048):
    """Return a (cached, so the suite stays fast) private key of this kind and size."""
    key = _KEYS.get((kind, size))
    if key is None:
        if kind == "rsa":
            key = rsa.generate_private_key(public_exponent=65537, key_size=size)
        elif kind == "ec":
            curve = {256: ec.SECP256R1(), 384: ec.SECP384R1(), 192: ec.SECP192R1()}[size]
            key = ec.generate_private_key(curve)
        else:
            key = ed25519.Ed25519PrivateKey.generate()
        _KEYS[(kind, size)] = key
    return key


def make_certificate(
    not_before: datetime.date,
    not_after: datetime.date,
    *,
    kind: str = "rsa",
    size: int = 2048,
    common_name: str = "mail.example.test",
    serial: int = 0x1A2B3C,
) -> x509.Certificate:
    """Return a self-signed certificate valid from the start of one UTC day to another."""
    key = private_key(kind, size)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.datetime.combine(not_before, datetime.time(9, 30), datetime.UTC)
    end = datetime.datetime.combine(not_after, datetime.time(9, 30), datetime.UTC)
    algorithm = None if kind == "ed25519" else hashes.SHA256()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Test CA")]))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(key, algorithm)
    )


def pem(cert: x509.Certificate) -> bytes:
    """Return the certificate as PEM."""
    return cert.public_bytes(serialization.Encoding.PEM)


def der(cert: x509.Certificate) -> bytes:
    """Return the certificate as DER."""
    return cert.public_bytes(serialization.Encoding.DER)


def private_key_pem(kind: str = "rsa", fmt: str = "pkcs8") -> bytes:
    """Return a private key as PEM: PKCS#8, traditional (PKCS#1 / SEC1) or OpenSSH."""
    formats = {
        "pkcs8": serialization.PrivateFormat.PKCS8,
        "traditional": serialization.PrivateFormat.TraditionalOpenSSL,
        "openssh": serialization.PrivateFormat.OpenSSH,
    }
    return private_key(kind, 256 if kind == "ec" else 2048).private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, formats[fmt], serialization.NoEncryption()
    )


def private_key_der() -> bytes:
    """Return an RSA private key as DER PKCS#8."""
    return private_key().private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def signing_pair(folder, common_name="Fabrikam Compliance Records", passphrase=None):
    """Write a report-signing key (PEM, encrypted when a passphrase is given) and its
    self-signed certificate into `folder`; return their paths.

    RSA, as operations.md advises: pyHanko declares PDF 2.0 for an ECDSA signature (ISO 32002),
    which a PDF/A-3 file (PDF 1.7) must not."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fabrikam Bank"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "signing-key.pem", folder / "signing-cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase.encode())
            if passphrase
            else serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path
