"""Vendors' VEX answers: a CycloneDX VEX or CSAF VEX document, kept whole with its SHA-256 as
evidence, and its statements (per CVE and product: affected, not affected with a
justification, fixed, under investigation) read for exposure.

A vendor's statements about a CVE in its latest document that speaks of that CVE are the ones
that count; earlier documents stay on record.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select

from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

from . import cyclonedx
from .csaf import read_csaf
from .jsonfile import IntakeError, LoadedJson, Problem
from .models import CSAF, CYCLONEDX, VexDocument, VexStatement
from .sbom import uploader

CSAF_STATUS = {
    "known_affected": "affected",
    "first_affected": "affected",
    "last_affected": "affected",
    "known_not_affected": "not_affected",
    "fixed": "fixed",
    "first_fixed": "fixed",
    "under_investigation": "under_investigation",
}


def _csaf_statements(loaded: LoadedJson) -> list[cyclonedx.Statement]:
    doc = read_csaf(loaded)
    found = []
    for vuln in doc.vulnerabilities:
        if not vuln.cve:
            continue
        for name, refs in vuln.product_status.items():
            status = CSAF_STATUS.get(name)
            if status is None:
                continue
            for ref in refs:
                label = next((f["label"] for f in vuln.flags if ref in f["refs"]), None)
                found.append(
                    cyclonedx.Statement(
                        vuln.cve,
                        doc.products[ref].name[:500],
                        status,
                        label,
                        vuln.impacts.get(ref),
                    )
                )
    if not found:
        raise IntakeError(
            [Problem(loaded.file, "$.vulnerabilities", "no product status for any CVE: not a VEX")]
        )
    return found


def read_vex(loaded: LoadedJson) -> tuple[str, list[cyclonedx.Statement]]:
    """Tell the format of a VEX document and return its statements."""
    data = loaded.data
    if isinstance(data, dict) and "document" in data:
        return CSAF, _csaf_statements(loaded)
    return CYCLONEDX, cyclonedx.vex_statements(loaded, cyclonedx.check_cyclonedx(loaded))


def upload_vex(vendor, loaded: LoadedJson, actor, *, recipient=None) -> VexDocument:
    """Keep a vendor's VEX document and its statements (flushes, never commits).

    `actor` is the staff user who uploads it; `recipient`, the vendor's contact in the portal.
    """
    kind, statements = read_vex(loaded)
    document = VexDocument(
        vendor_id=vendor.id,
        format=kind,
        filename=loaded.file[-255:],
        sha256=loaded.sha256,
        content=loaded.text,
        statement_count=len(statements),
        uploaded_by_id=actor.id if actor else None,
        uploaded_by_recipient_id=recipient.id if recipient else None,
        uploaded_at=utcnow(),
    )
    db.session.add(document)
    db.session.flush()
    db.session.add_all(
        VexStatement(
            document_id=document.id,
            vendor_id=vendor.id,
            cve=s.cve[:40],
            product=s.product,
            status=s.status,
            justification=(s.justification or "")[:100] or None,
            detail=s.detail,
        )
        for s in statements
    )
    db.session.flush()
    audit.record(
        "vex.uploaded",
        "vendor",
        vendor.id,
        details={"document": document.id, "format": kind, "sha256": loaded.sha256},
        **uploader(actor, recipient),
    )
    return document


@dataclass(frozen=True)
class VendorStatement:
    """A vendor's current statement about a CVE, with the document it comes from."""

    statement: VexStatement
    document: VexDocument


def current_statements(
    cves: list[str], vendor_ids: list[int] | None = None
) -> dict[int, list[VendorStatement]]:
    """Return, per vendor, its statements about these CVEs from its latest document on each.

    One query, however many vendors (only `vendor_ids`' when given).
    """
    if not cves:
        return {}
    query = (
        select(VexStatement, VexDocument)
        .join(VexDocument, VexDocument.id == VexStatement.document_id)
        .where(VexStatement.cve.in_(cves))
        .order_by(VexStatement.vendor_id, VexStatement.cve, VexDocument.id.desc())
    )
    if vendor_ids is not None:
        query = query.where(VexStatement.vendor_id.in_(vendor_ids))
    rows = db.session.execute(query).all()
    latest: dict[tuple[int, str], int] = {}
    found: dict[int, list[VendorStatement]] = {}
    for statement, document in rows:
        pair = (statement.vendor_id, statement.cve)
        if latest.setdefault(pair, document.id) != document.id:
            continue
        found.setdefault(statement.vendor_id, []).append(VendorStatement(statement, document))
    return found


def vendor_documents(vendor) -> list[VexDocument]:
    """Return a vendor's VEX documents, newest first."""
    return list(
        db.session.scalars(
            select(VexDocument)
            .where(VexDocument.vendor_id == vendor.id)
            .order_by(VexDocument.id.desc())
        )
    )


def get_document_or_404(vendor, document_id: int) -> VexDocument:
    """Return one of a vendor's VEX documents or answer 404."""
    document = db.session.get(VexDocument, document_id)
    if document is None or document.vendor_id != vendor.id:
        abort(404)
    return document
