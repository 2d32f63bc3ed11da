"""Vendors' SBOMs: a CycloneDX JSON SBOM per vendor product, whose components (nested ones
included) become the products the vendor uses via SBOM.

A new SBOM for the same product replaces the previous one for matching; the previous one and
its components stay on record, marked replaced.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import insert, select, update

from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.vendors.matching import normalise_name

from . import cyclonedx
from .jsonfile import IntakeError, LoadedJson, Problem
from .models import Sbom, SbomComponent


def uploader(actor, recipient) -> dict:
    """Return who uploaded a file, as the audit log records it (staff user or vendor contact)."""
    if recipient is not None:
        return {"actor_type": "vendor", "actor_ref": f"recipient:{recipient.id}"}
    return {"actor_id": actor.id if actor else None}


def upload_sbom(
    vendor, loaded: LoadedJson, actor, product: str | None = None, *, recipient=None
) -> Sbom:
    """Keep a vendor's SBOM and its components, replacing its previous SBOM of that product.

    `actor` is the staff user who uploads it; `recipient`, the vendor's contact in the portal.
    """
    data = cyclonedx.check_cyclonedx(loaded)
    parts = cyclonedx.components(loaded, data)
    name, version = cyclonedx.subject(data)
    subject = " ".join((product or name or "").split())[:300]
    if not subject:
        raise IntakeError(
            [
                Problem(
                    loaded.file,
                    "$.metadata.component.name",
                    "the SBOM does not name its product: say which product it describes",
                )
            ]
        )
    key = normalise_name(subject)
    now = utcnow()
    sbom = Sbom(
        vendor_id=vendor.id,
        subject=subject,
        subject_key=key,
        subject_version=(version or "")[:200] or None,
        filename=loaded.file[-255:],
        sha256=loaded.sha256,
        spec_version=str(data["specVersion"])[:10],
        serial_number=(data.get("serialNumber") or "")[:200] or None,
        sbom_date=cyclonedx.timestamp(data),
        component_count=len(parts),
        uploaded_by_id=actor.id if actor else None,
        uploaded_by_recipient_id=recipient.id if recipient else None,
        uploaded_at=now,
    )
    db.session.add(sbom)
    db.session.flush()
    replaced = db.session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        update(Sbom)
        .where(
            Sbom.vendor_id == vendor.id,
            Sbom.subject_key == key,
            Sbom.replaced_at.is_(None),
            Sbom.id != sbom.id,
        )
        .values(replaced_at=now, replaced_by_id=sbom.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if parts:
        db.session.execute(
            insert(SbomComponent),
            [
                {
                    "sbom_id": sbom.id,
                    "vendor_id": vendor.id,
                    "name": p.name or (p.purl.value if p.purl else "(no name)"),
                    "version": (p.version or "")[:200] or None,
                    "purl": p.purl.value if p.purl else None,
                    "purl_key": p.purl.key if p.purl else None,
                    "cpe": p.cpe.value if p.cpe else None,
                    "cpe_key": p.cpe.key if p.cpe else None,
                    "scheme": p.purl.scheme if p.purl else "generic",
                }
                for p in parts
            ],
        )
    audit.record(
        "sbom.uploaded",
        "vendor",
        vendor.id,
        details={
            "sbom": sbom.id,
            "sha256": loaded.sha256,
            "components": len(parts),
            "replaced": replaced,
        },
        **uploader(actor, recipient),
    )
    return sbom


def vendor_sboms(vendor) -> list[Sbom]:
    """Return a vendor's SBOMs, current ones first, newest first."""
    return list(
        db.session.scalars(
            select(Sbom)
            .where(Sbom.vendor_id == vendor.id)
            .order_by(Sbom.replaced_at.is_not(None), Sbom.id.desc())
        )
    )


def get_sbom_or_404(vendor, sbom_id: int) -> Sbom:
    """Return one of a vendor's SBOMs or answer 404."""
    sbom = db.session.get(Sbom, sbom_id)
    if sbom is None or sbom.vendor_id != vendor.id:
        abort(404)
    return sbom
