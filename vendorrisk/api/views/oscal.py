"""OSCAL assessment results of a campaign or a vendor (vendorrisk.reports.oscal builds them).

The reports' guarded getters apply their ownership rule, as for the other exports (a vendor
manager exports the vendors they work on and the campaigns they created); every export is
audited.
"""

from flask import jsonify, url_for

from vendorrisk.api.blueprint import bp
from vendorrisk.api.errors import ApiProblem
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.reports import access, oscal, record

OSCAL_TYPE = "application/oscal+json"


def _answer(document: dict, object_type: str, object_id: int, results: int):
    audit.record("export.oscal", object_type, object_id, details={"api": True, "results": results})
    db.session.commit()
    response = jsonify(document)
    response.mimetype = OSCAL_TYPE
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/campaigns/<int:campaign_id>/oscal")
def campaigns_oscal(campaign_id: int):
    """Return a campaign's assessments as OSCAL assessment results."""
    campaign = access.campaign_for_export_or_404(campaign_id)
    assignments = record.campaign_assignments(campaign)
    document = oscal.document(
        record.gather(assignments),
        title=f"Assessment results: {campaign.name}",
        scope=f"campaign/{campaign.id}",
        plan_href=url_for(".campaigns_show", campaign_id=campaign.id, _external=True),
        generated_at=utcnow(),
    )
    return _answer(document, "campaign", campaign.id, len(assignments))


@bp.get("/vendors/<int:vendor_id>/oscal")
def vendors_oscal(vendor_id: int):
    """Return every assessment of a vendor as OSCAL assessment results."""
    vendor = access.vendor_for_export_or_404(vendor_id)
    assignments = record.vendor_assignments(vendor.id)
    if not assignments:
        raise ApiProblem(
            404,
            "This vendor has not been sent a questionnaire yet.",
            kind="no-result",
            title="Not found",
        )
    document = oscal.document(
        record.gather(assignments),
        title=f"Assessment results: {vendor.name}",
        scope=f"vendor/{vendor.id}",
        plan_href=url_for(".vendors_show", vendor_id=vendor.id, _external=True),
        generated_at=utcnow(),
    )
    return _answer(document, "vendor", vendor.id, len(assignments))
