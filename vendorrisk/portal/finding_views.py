"""Planning fixes: the vendor's findings and a remediation plan for each."""

from flask import abort, flash, redirect, render_template, url_for

from vendorrisk.extensions import db
from vendorrisk.portal import access
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.forms import VendorPlanForm
from vendorrisk.review import services as review_services
from vendorrisk.review.models import Finding


@bp.route("/portal/a/<int:assignment_id>/findings")
def findings(assignment_id: int):
    """List the findings shared with the vendor, each with a plan form."""
    assignment, _ = access.assignment_or_404(assignment_id)
    return _findings_page(assignment)


def _findings_page(assignment, failed=None, status: int = 200):
    items = review_services.vendor_findings(assignment)
    forms = {f.id: VendorPlanForm(prefix=f"f{f.id}", formdata=None) for f in items}
    if failed is not None:
        forms[failed.meta_id] = failed
    return render_template(
        "portal/findings.html", assignment=assignment, findings=items, forms=forms
    ), status


@bp.route("/portal/a/<int:assignment_id>/findings/<int:finding_id>", methods=["POST"])
def finding_plan(assignment_id: int, finding_id: int):
    """Record the vendor's remediation plan for one finding."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    finding = db.session.get(Finding, finding_id)
    if finding is None or finding.assignment_id != assignment.id or finding.internal:
        abort(404)
    form = VendorPlanForm(prefix=f"f{finding.id}")
    form.meta_id = finding.id
    if form.validate_on_submit():
        try:
            review_services.plan_remediation(
                finding,
                owner=form.owner.data,
                plan_date=form.plan_date.data,
                plan=form.plan.data or "",
                recipient=recipient,
            )
        except review_services.ReviewError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("Thank you: your remediation plan is recorded.", "success")
            return redirect(url_for(".findings", assignment_id=assignment_id))
    return _findings_page(assignment, failed=form, status=400)
