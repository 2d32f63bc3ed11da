"""Signing report PDFs (PAdES baseline B-B with pyHanko) with the key the firm configures.

The key and certificate are PEM files named by REPORT_SIGNING_KEY and REPORT_SIGNING_CERT
(intermediate certificates, if any, in REPORT_SIGNING_CHAIN); the key's passphrase comes from
the environment (REPORT_SIGNING_PASSPHRASE). With no key configured reports are left unsigned
and their cover says so. pyHanko takes about a second to import, so it is imported here only
when a report is signed or checked.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from cryptography import x509
from flask import current_app

FIELD_NAME = "VendorRiskReportSignature"


class SigningError(RuntimeError):
    """The configured signing key or certificate cannot be used; the message says why."""


@dataclass(frozen=True)
class SigningKey:
    """Where the firm's signing key, certificate and chain are, and the key's passphrase."""

    key: Path
    cert: Path
    chain: Path | None = None
    passphrase: str | None = None

    def subject(self) -> str:
        """Return the signer's certificate subject as a reader would recognise it."""
        try:
            cert = x509.load_pem_x509_certificate(self.cert.read_bytes())
        except (OSError, ValueError) as exc:
            raise SigningError(f"cannot read the signing certificate {self.cert}: {exc}") from exc
        return cert.subject.rfc4514_string()


def configured() -> SigningKey | None:
    """Return the signing key from the app's configuration, or None when none is set."""
    config = current_app.config
    key, cert = config.get("REPORT_SIGNING_KEY"), config.get("REPORT_SIGNING_CERT")
    if not key and not cert:
        return None
    if not key or not cert:
        raise SigningError("set both REPORT_SIGNING_KEY and REPORT_SIGNING_CERT, or neither")
    chain = config.get("REPORT_SIGNING_CHAIN")
    return SigningKey(
        Path(key),
        Path(cert),
        Path(chain) if chain else None,
        config.get("REPORT_SIGNING_PASSPHRASE") or None,
    )


def off_loop(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one of pyHanko's blocking calls in a thread of its own.

    pyHanko's blocking API runs its coroutines with `asyncio.run`, which refuses to start in a
    thread whose event loop is running (an async worker, or a caller that drives an event loop
    from the same thread). A fresh thread has no loop, whatever the caller's."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(call, *args, **kwargs).result()


def sign(pdf: bytes, key: SigningKey, *, reason: str) -> bytes:
    """Return the PDF with a PAdES signature over the whole file, added as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    for path in (key.key, key.cert, *([key.chain] if key.chain else [])):
        if not path.is_file():
            raise SigningError(f"the signing file {path} does not exist")
    signer = signers.SimpleSigner.load(
        str(key.key),
        str(key.cert),
        ca_chain_files=(str(key.chain),) if key.chain else None,
        key_passphrase=key.passphrase.encode() if key.passphrase else None,
    )
    if signer is None:  # pyHanko logs the cause and returns None
        raise SigningError(
            "the signing key could not be loaded (wrong passphrase, or not a PEM key matching "
            "the certificate)"
        )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
    )
    out = off_loop(
        signers.sign_pdf,
        writer,
        meta,
        signer=signer,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, empty_field_appearance=True),
    )
    return out.getvalue()
