"""What a vendor hands in as machine-readable evidence: a CycloneDX SBOM of a product it
supplies or uses, and a VEX statement (CycloneDX VEX or CSAF VEX) answering "are you affected?".

The files are read by the same intake parsers and kept by the same services as staff uploads
(`intake.sbom.upload_sbom`, `intake.vex.upload_vex`), with the vendor's contact as uploader. A
VEX statement then fills in the exposure questions it answers (see `vex_answers`).
"""

from __future__ import annotations

from sqlalchemy import select

from vendorrisk.campaigns.models import Assignment, Recipient
from vendorrisk.extensions import db
from vendorrisk.intake.jsonfile import load_json
from vendorrisk.intake.models import Sbom, VexDocument
from vendorrisk.intake.sbom import upload_sbom
from vendorrisk.intake.vex import upload_vex
from vendorrisk.portal import services, vex_answers


def prefill_assignment(assignment: Assignment) -> list[str]:
    """Fill in an assignment's exposure questions from the vendor's VEX; return the ids."""
    return vex_answers.prefill(
        assignment,
        services.editable_questions(assignment.response),
        services.template_of(assignment),
    )


def prefill_vendor(vendor_id: int) -> dict[int, list[str]]:
    """Fill in the exposure questions of each of the vendor's advisory campaigns."""
    changed = {}
    for assignment in vex_answers.open_assignments(vendor_id):
        ids = prefill_assignment(assignment)
        if ids:
            changed[assignment.id] = ids
    return changed


def keep_vex(vendor, loaded, *, actor=None, recipient=None) -> VexDocument:
    """Keep a VEX document (staff or portal) and fill in the exposure questions it answers."""
    document = upload_vex(vendor, loaded, actor, recipient=recipient)
    prefill_vendor(vendor.id)
    return document


def vendor_sbom(assignment: Assignment, recipient: Recipient, raw: bytes, name: str, product):
    """Read and keep an SBOM the vendor uploaded (raises IntakeError; nothing kept then)."""
    return upload_sbom(
        assignment.vendor, load_json(raw, name), None, product or None, recipient=recipient
    )


def vendor_vex(assignment: Assignment, recipient: Recipient, raw: bytes, name: str):
    """Read and keep a VEX document the vendor uploaded (raises IntakeError)."""
    return keep_vex(assignment.vendor, load_json(raw, name), recipient=recipient)


def portal_files(vendor_id: int) -> tuple[list[Sbom], list[VexDocument]]:
    """Return the SBOMs and VEX documents the vendor's contacts uploaded, newest first.

    Only files uploaded in the portal: what staff filed about the vendor stays internal.
    """
    sboms = db.session.scalars(
        select(Sbom)
        .where(Sbom.vendor_id == vendor_id, Sbom.uploaded_by_recipient_id.is_not(None))
        .order_by(Sbom.id.desc())
    )
    vex = db.session.scalars(
        select(VexDocument)
        .where(
            VexDocument.vendor_id == vendor_id, VexDocument.uploaded_by_recipient_id.is_not(None)
        )
        .order_by(VexDocument.id.desc())
    )
    return list(sboms), list(vex)


def answered_by_vex(assignment: Assignment) -> list[tuple[int, str, object]]:
    """Return (section index, question text, VEX answer) for each draft answer VEX filled in
    that the vendor may still change (none once the questionnaire is closed)."""
    if assignment.campaign.advisory_slug is None:  # only a campaign for an advisory is answered
        return []
    editable = services.editable_questions(assignment.response)
    if editable == set():
        return []
    template = services.template_of(assignment)
    notes = vex_answers.draft_notes(assignment.response)
    return [
        (services.section_of(template, qid), template.question(qid).text, row)
        for qid, row in notes.items()
        if editable is None or qid in editable
    ]
