"""Staff uploading a completed CAIQ the vendor sent them: its answers offered in the portal.

The same upload as the vendor's (`portal.caiq_upload`), recorded as made by the staff member on
the vendor's behalf; the vendor still confirms each answer in the portal before it counts.
"""

from flask import Blueprint, abort, render_template
from flask_login import current_user

from vendorrisk.campaigns.models import Assignment, Campaign
from vendorrisk.extensions import db
from vendorrisk.portal import caiq_upload, services
from vendorrisk.portal.caiq_forms import ReceivedCaiqForm
from vendorrisk.questionnaires.services import parsed_version

bp = Blueprint("caiq_staff", __name__, url_prefix="/campaigns")


def takes_caiq(campaign: Campaign) -> bool:
    """Tell whether a campaign's questionnaire is CAIQ-based."""
    return caiq_upload.is_caiq_based(parsed_version(campaign.template_version))


bp.add_app_template_global(takes_caiq, "campaign_takes_caiq")


@bp.route("/assignments/<int:assignment_id>/caiq", methods=["GET", "POST"])
def upload(assignment_id: int):
    """Upload a completed CAIQ received from the vendor: kept as evidence, answers offered."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.response is None:
        abort(404)
    template = services.template_of(assignment)
    if not caiq_upload.is_caiq_based(template):
        abort(404)
    context, status = caiq_upload.take_form(
        assignment, template, ReceivedCaiqForm(), user=current_user
    )
    return render_template("campaigns/caiq.html", **context), status
