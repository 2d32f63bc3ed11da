"""Opening a link: a page that changes nothing, then Continue, which grants access."""

from flask import flash, g, redirect, render_template, url_for

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.services import assignment_due_display, recipient_for_token
from vendorrisk.extensions import csrf, db, limiter
from vendorrisk.portal import access, attribution, intake_files, services
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.forms import ContinueForm
from vendorrisk.portal.pages import link_not_found


def _lookup_failed() -> bool:
    return bool(g.get("portal_lookup_failed"))


def _recipient_or_gone(token: str):
    recipient = recipient_for_token(token)
    if recipient is None:
        g.portal_lookup_failed = True
        audit.record("portal.token_rejected", outcome="failure", actor_type="anonymous")
        db.session.commit()
        link_not_found()
    return recipient


# One allowance per client address for the link page and Continue together; only failed
# look-ups use it up, so a vendor opening a good link again is never refused for that.
_token_lookups = limiter.shared_limit(
    "10 per minute", scope="portal-token", deduct_when=lambda r: _lookup_failed()
)


@bp.route("/p/<token>", methods=["GET"])
@_token_lookups
def landing(token: str):
    """Show a link's landing page (mail scanners open links first: this changes nothing)."""
    return _landing_page(_recipient_or_gone(token), token)


def _landing_page(recipient, token: str):
    assignment = recipient.assignment
    return render_template(
        "portal/landing.html",
        recipient=recipient,
        assignment=assignment,
        campaign=assignment.campaign,
        due=assignment_due_display(assignment),
        token=token,
    )


@bp.route("/p/<token>", methods=["POST"])
@_token_lookups
@csrf.exempt  # checked below, so a stale page gets its Continue button back, not a bare 400
def start(token: str):
    """Grant this browser access to the link's questionnaire and open it."""
    recipient = _recipient_or_gone(token)
    if not ContinueForm().validate_on_submit():
        flash("This page was open for a long time. Press Continue again.", "warning")
        return _landing_page(recipient, token), 400
    services.start(recipient)
    intake_files.prefill_assignment(recipient.assignment)  # a VEX handed in before the campaign
    access.grant(recipient, scoped=attribution.is_delegate(recipient))
    db.session.commit()
    return redirect(url_for(".questionnaire", assignment_id=recipient.assignment_id))


@bp.route("/portal/")
def home():
    """List the questionnaires this browser holds access to."""
    recipients = access.held_recipients()
    return render_template("portal/home.html", recipients=recipients)
