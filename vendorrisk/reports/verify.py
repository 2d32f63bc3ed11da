"""Checking a report file: its PAdES signature, its PDF/A identification and its embedded record.

`check(data, trust_roots)` returns what it found, one line per check, and whether the report
holds: signed by a trusted certificate over the whole file with nothing changed, and every
attached JSON file matching the manifest's SHA-256, each attestation hash recomputed from the
embedded answers matching the one recorded at submission.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from vendorrisk.portal.services import attestation_hash
from vendorrisk.reports import signing
from vendorrisk.reports.record import FORMAT, MANIFEST, sha256

_PDFA_PART = re.compile(rb"pdfaid:part(?:>|=\")\s*(\d)")
_PDFA_CONFORMANCE = re.compile(rb"pdfaid:conformance(?:>|=\")\s*([ABUabu])")
_PDFUA_PART = re.compile(rb"pdfuaid:part(?:>|=\")\s*(\d)")


@dataclass
class Verdict:
    """What a check found: lines of (passed, message), and the report's signer if any."""

    lines: list[tuple[bool, str]] = field(default_factory=list)
    signed: bool = False

    def add(self, passed: bool, message: str) -> None:
        self.lines.append((passed, message))

    @property
    def ok(self) -> bool:
        return bool(self.lines) and all(passed for passed, _ in self.lines)


def load_roots(paths: Iterable[Path]) -> list[x509.Certificate]:
    """Read trust-root certificates (PEM, several to a file allowed)."""
    roots: list[x509.Certificate] = []
    for path in paths:
        roots.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    return roots


def _der_length(blob: bytes) -> int | None:
    """Return the length of the DER value at the start of `blob` (None if it is not DER)."""
    if len(blob) < 2 or blob[0] != 0x30:
        return None
    first = blob[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(blob) < 2 + count:
        return None
    return 2 + count + int.from_bytes(blob[2 : 2 + count], "big")


def _embedded_files(reader) -> dict[str, bytes]:
    """Return the files embedded in the document's name tree, by name."""
    found: dict[str, bytes] = {}
    names = reader.root.get("/Names")
    if names is None or "/EmbeddedFiles" not in names:
        return found

    def walk(node) -> None:
        node = node.get_object()
        pairs = node.get("/Names")
        if pairs is not None:
            for index in range(0, len(pairs) - 1, 2):
                spec = pairs[index + 1].get_object()
                name = str(spec.get("/UF") or spec.get("/F") or pairs[index])
                found[name] = spec["/EF"]["/F"].get_object().data
        for kid in node.get("/Kids") or []:
            walk(kid)

    walk(names["/EmbeddedFiles"])
    return found


def _signature(reader, roots: list[x509.Certificate], verdict: Verdict) -> None:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    signatures = reader.embedded_signatures
    if not signatures:
        verdict.add(False, "signature: none (the report was produced without a signing key)")
        return
    verdict.signed = True
    if len(signatures) > 1:
        verdict.add(False, f"signature: {len(signatures)} signatures, a report carries one")
    embedded = signatures[-1]
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in roots],
        allow_fetching=False,
    )
    status = signing.off_loop(
        validate_pdf_signature,
        embedded,
        context,
        key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature"}),
    )
    signer = embedded.signer_cert.subject.human_friendly
    contents = embedded.sig_object["/Contents"]
    used = _der_length(bytes(contents))
    padded = used is not None and not any(bytes(contents)[used:])
    verdict.add(
        status.intact and status.valid and padded,
        "signature: "
        + (
            "intact and cryptographically valid"
            if status.intact and status.valid and padded
            else "BROKEN: the signed bytes or the signature itself were changed"
        )
        + f" (signed by {signer})",
    )
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    verdict.add(
        whole,
        "coverage: the signature covers the whole file"
        if whole
        else "coverage: bytes were added or changed after signing",
    )
    verdict.add(
        status.trusted,
        "signer: certificate trusted (chains to a given trust root)"
        if status.trusted
        else "signer: certificate NOT trusted by the roots given (pass --trust CERT)",
    )


def _pdfa(reader, verdict: Verdict) -> None:
    metadata = reader.root.get("/Metadata")
    xmp = metadata.get_object().data if metadata is not None else b""
    part, level = _PDFA_PART.search(xmp), _PDFA_CONFORMANCE.search(xmp)
    if part and level:
        verdict.add(
            part.group(1) == b"3",
            f"archive: PDF/A-{part.group(1).decode()}{level.group(1).decode().lower()} "
            "identification in the XMP metadata",
        )
    else:
        verdict.add(False, "archive: no PDF/A identification in the XMP metadata")
    _pdfua(reader, xmp, verdict)
    declared = str(reader.root.get("/Version", "")).lstrip("/")
    if declared.startswith("2"):
        # pyHanko declares PDF 2.0 for an ECDSA signature; PDF/A-3 is built on PDF 1.7.
        verdict.add(False, f"archive: the catalog declares PDF {declared}; PDF/A-3 is PDF 1.7")


def _pdfua(reader, xmp: bytes, verdict: Verdict) -> None:
    """A PDF/UA claim must rest on a structure tree; a file without the claim is only noted
    (reports made before the claim was written carry PDF/A-3a alone)."""
    part = _PDFUA_PART.search(xmp)
    tagged = "/StructTreeRoot" in reader.root and "/MarkInfo" in reader.root
    if part is None:
        verdict.add(
            True, f"accessibility: no PDF/UA identification ({'' if tagged else 'not '}tagged)"
        )
    elif tagged:
        verdict.add(True, f"accessibility: PDF/UA-{part.group(1).decode()} identification, tagged")
    else:
        verdict.add(False, "accessibility: claims PDF/UA but has no structure tree")


def _record(files: dict[str, bytes], verdict: Verdict) -> None:
    if MANIFEST not in files:
        verdict.add(False, "record: no manifest.json attached")
        return
    try:
        manifest = json.loads(files[MANIFEST])
        listed = {f["name"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError):
        verdict.add(False, "record: manifest.json is not a record manifest")
        return
    verdict.add(manifest.get("format") == FORMAT, f"record: format {manifest.get('format')}")
    others = set(files) - {MANIFEST}
    if others != set(listed):
        verdict.add(
            False,
            "record: attached files and manifest disagree (missing: "
            f"{sorted(set(listed) - others) or 'none'}, unlisted: {sorted(others - set(listed)) or 'none'})",
        )
    for name in sorted(set(listed) & others):
        body = files[name]
        good = sha256(body) == listed[name].get("sha256") and len(body) == listed[name].get("size")
        verdict.add(
            good, f"record: {name} " + ("matches its SHA-256" if good else "DOES NOT match")
        )
    if "answers.json" in files:
        _attestations(files["answers.json"], verdict)


def _attestations(body: bytes, verdict: Verdict) -> None:
    try:
        rows = json.loads(body)
        checked = bad = 0
        for row in rows:
            recorded = row.get("attestation_sha256")
            if not recorded:
                continue
            answers = row["answers"]
            evidence = {
                qid: list(a["evidence_hashes"])
                for qid, a in answers.items()
                if a.get("evidence_hashes")
            }
            checked += 1
            bad += attestation_hash(answers, evidence) != recorded
    except (ValueError, KeyError, TypeError, AttributeError):
        verdict.add(False, "record: answers.json is not a list of attested answers")
        return
    verdict.add(
        bad == 0,
        f"record: {checked - bad} of {checked} attestation hashes recomputed from the "
        "embedded answers match",
    )


def check(data: bytes, roots: list[x509.Certificate], *, require_signature: bool = True) -> Verdict:
    """Check a report file and say what was found."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    verdict = Verdict()
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        files = _embedded_files(reader)
        _pdfa(reader, verdict)
        _record(files, verdict)
        before = len(verdict.lines)
        _signature(reader, roots, verdict)
        if not verdict.signed and not require_signature:
            _, message = verdict.lines.pop(before)
            verdict.add(True, message + "; accepted because --allow-unsigned was given")
    except (PdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        verdict.add(False, f"file: not a readable report PDF ({type(exc).__name__}: {exc})")
    return verdict
