"""Launching campaigns and following them: recipients, links, due dates, results."""

import io

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.advisories.launch import launch_context
from vendorrisk.audit import services as audit
from vendorrisk.campaigns import bulk, deadlines, services, triage
from vendorrisk.campaigns.forms import (
    AddRecipientForm,
    BulkExtendForm,
    BulkForm,
    CampaignForm,
    ExtendForm,
    choices,
)
from vendorrisk.campaigns.models import Assignment, Campaign, Recipient
from vendorrisk.clocks import vendor_clock
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.portal import workbook as portal_workbook
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.reports.access import campaign_for_export_or_404
from vendorrisk.reports.views import DOWNLOAD_CSP
from vendorrisk.vendors.models import OFFBOARDED, Product, Vendor

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


def _campaign_form(formdata=None) -> CampaignForm:
    versions = services.launchable_versions()
    vendors = db.session.execute(
        select(Vendor.id, Vendor.name, Vendor.risk_tier)
        .where(Vendor.status != OFFBOARDED)
        .order_by(Vendor.name_key)
    ).all()
    products = db.session.execute(
        select(Product.id, Product.supplier, Product.name).order_by(Product.supplier, Product.name)
    ).all()
    return CampaignForm(
        formdata,
        template_choices=[(v.id, f"{v.template.title} (v{v.number})") for v in versions],
        vendor_choices=[(v.id, f"{v.name} · Tier {v.risk_tier}") for v in vendors],
        product_choices=[(str(p.id), f"{p.supplier} {p.name}") for p in products],
    )


@bp.route("/")
def index():
    campaigns = db.session.scalars(
        select(Campaign)
        .options(
            selectinload(Campaign.assignments),
            selectinload(Campaign.template_version).selectinload(TemplateVersion.template),
        )
        .order_by(Campaign.id.desc())
    ).all()
    return render_template(
        "campaigns/index.html", campaigns=campaigns, response_rate=services.response_rate
    )


def _wizard():
    """Return the advisory the wizard was opened from (404 for an unknown one) and the form."""
    # ?advisory=<slug>: launched from an advisory, which pre-selects vendors and template and
    # freezes its key dates (as of its latest update) into the campaign.
    advisory = launch_context(request.args.get("advisory"))
    if request.args.get("advisory") and advisory is None:
        abort(404)
    return advisory, _campaign_form(request.form if request.method == "POST" else None)


def _version_or_404(form: CampaignForm) -> TemplateVersion:
    return db.session.get(TemplateVersion, form.template_version.data) or abort(404)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Show the campaign form (a POST from an older page goes to the step it names)."""
    if request.method == "POST":
        step = {"filter": new_filter, "send": new_send, "edit": new_edit}
        return step.get(request.form.get("action", ""), new_preview)()
    advisory, form = _wizard()
    if advisory is not None:
        form.name.data = advisory.name
        form.vendors.data = advisory.vendor_ids
        if advisory.template_version is not None:
            form.template_version.data = advisory.template_version.id
    return render_template("campaigns/new.html", form=form, advisory=advisory)


@bp.route("/new/filter", methods=["POST"])
def new_filter():
    """Step 1: select the vendors matching the filters."""
    advisory, form = _wizard()
    form.vendors.data = services.vendors_matching(
        form.filter_tier.data, form.filter_data_access.data, form.filter_product.data
    )
    form.vendors.errors = []
    if not form.vendors.data:
        flash("No vendor matches these filters.", "warning")
    return render_template("campaigns/new.html", form=form, advisory=advisory)


@bp.route("/new/edit", methods=["POST"])
def new_edit():
    """Back from the preview to the form, with everything chosen kept."""
    advisory, form = _wizard()
    return render_template("campaigns/new.html", form=form, advisory=advisory)


@bp.route("/new/preview", methods=["POST"])
def new_preview():
    """Step 2: show who will receive the questionnaire, and the dates frozen into it."""
    advisory, form = _wizard()
    if not form.validate():
        return render_template("campaigns/new.html", form=form, advisory=advisory)
    launch = services.launch_plan(_version_or_404(form), advisory)
    return render_template(
        "campaigns/preview.html",
        form=form,
        planned=services.plan(form.vendors.data),
        version=launch.version,
        parsed=launch.parsed,
        references=launch.references,
        reference_labels=launch.labels,
        advisory=advisory,
        due_at=services.due_at_for(form.due_date.data, form.timezone.data),
    )


@bp.route("/new/send", methods=["POST"])
def new_send():
    """Step 3: create the campaign and queue every invitation."""
    advisory, form = _wizard()
    if form.validate():
        launch = services.launch_plan(_version_or_404(form), advisory)
        try:
            campaign = services.create_campaign(
                name=form.name.data,
                template_version=launch.version,
                vendor_ids=form.vendors.data,
                due_date=form.due_date.data,
                tz_name=form.timezone.data,
                message=form.message.data,
                reference_dates=launch.references,
                actor=current_user,
                advisory_slug=advisory.advisory.slug if advisory else None,
            )
        except services.CampaignError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Sent to {len(campaign.assignments)} vendors.", "success")
            return redirect(url_for(".show", campaign_id=campaign.id))
    return render_template("campaigns/new.html", form=form, advisory=advisory)


def _campaign_or_404(campaign_id: int) -> Campaign:
    return services.campaign_page_data(campaign_id) or abort(404)


def _show(campaign_id: int, extend_form: ExtendForm, status: int = 200, bulk_form=None):
    view = triage.triage(campaign_id, triage.Query.from_args(request.args))
    if view is None:
        abort(404)
    return render_template(
        "campaigns/show.html",
        view=view,
        campaign=view.campaign,
        filters=triage.STATES,
        triage=triage,
        extend_form=extend_form,
        bulk_form=bulk_form or BulkExtendForm(formdata=None),
        due_display=services.due_display(view.campaign),
        response_clocks=vendor_clock.for_assignments(
            [r.assignment for r in view.rows if r.assignment], utcnow(), only_with_clause=True
        ),
    ), status


@bp.route("/<int:campaign_id>")
def show(campaign_id: int):
    """Show a campaign with its triage table (filters and sorting in the query string)."""
    return _show(campaign_id, ExtendForm())


def _selected(campaign: Campaign) -> list[triage.Row] | None:
    form = BulkForm()
    if not form.validate_on_submit():
        flash("The form has expired; select the vendors again.", "danger")
        return None
    try:
        return triage.selected_rows(campaign, form.ids.data)
    except triage.BulkError as exc:
        flash(str(exc), "warning")
        return None


@bp.route("/<int:campaign_id>/bulk/remind", methods=["POST"])
def bulk_remind(campaign_id: int):
    """Send a reminder now to the selected vendors that have not answered."""
    campaign = _campaign_or_404(campaign_id)
    rows = _selected(campaign)
    if rows is not None:
        reminded = bulk.remind_now(campaign, rows, current_user)
        db.session.commit()
        skipped = len(rows) - reminded
        flash(bulk.reminded_message(reminded, skipped), "success" if reminded else "warning")
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.route("/<int:campaign_id>/bulk/extend", methods=["POST"])
def bulk_extend(campaign_id: int):
    """Give the selected vendors a later due date of their own."""
    campaign = _campaign_or_404(campaign_id)
    form = BulkExtendForm()
    if not form.validate_on_submit():
        return _show(campaign_id, ExtendForm(formdata=None), 400, form)
    try:
        result = deadlines.extend_selected(
            campaign,
            form.ids.data,
            form.new_due_date.data,
            form.extension_reason.data,
            current_user,
            notify=form.notify.data,
        )
    except triage.BulkError as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".show", campaign_id=campaign_id))
    except services.CampaignError as exc:
        form.new_due_date.errors.append(str(exc))
        return _show(campaign_id, ExtendForm(formdata=None), 400, form)
    db.session.commit()
    flash(deadlines.extended_message(result), "success" if result.extended else "warning")
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.route("/<int:campaign_id>/bulk/export", methods=["POST"])
def bulk_export(campaign_id: int):
    """Download the selected rows of the triage table as CSV or XLSX."""
    campaign = campaign_for_export_or_404(campaign_id)
    rows = _selected(campaign)
    if rows is None:
        return redirect(url_for(".show", campaign_id=campaign_id))
    kind = "xlsx" if request.form.get("format") == "xlsx" else "csv"
    body, mimetype, name = bulk.export(campaign, rows, kind)
    db.session.commit()
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
        },
    )


def _recipient_or_404(campaign_id: int, recipient_id: int) -> Recipient:
    recipient = db.session.get(Recipient, recipient_id)
    if recipient is None or recipient.assignment.campaign_id != campaign_id:
        abort(404)
    return recipient


@bp.route("/<int:campaign_id>/recipients/<int:recipient_id>/resend", methods=["POST"])
def resend(campaign_id: int, recipient_id: int):
    recipient = _recipient_or_404(campaign_id, recipient_id)
    try:
        services.resend(recipient, current_user)
    except services.CampaignError as exc:
        flash(str(exc), "danger")
        return redirect(url_for(".show", campaign_id=campaign_id))
    db.session.commit()
    flash(
        f"A new link is on its way to {recipient.contact.display_name}; the old one no longer "
        "works.",
        "success",
    )
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.route("/<int:campaign_id>/recipients/<int:recipient_id>/revoke", methods=["POST"])
def revoke(campaign_id: int, recipient_id: int):
    recipient = _recipient_or_404(campaign_id, recipient_id)
    services.revoke(recipient, current_user)
    db.session.commit()
    flash(f"The link of {recipient.contact.display_name} no longer works.", "success")
    return redirect(url_for(".show", campaign_id=campaign_id))


@bp.route("/<int:campaign_id>/assignments/<int:assignment_id>/workbook.xlsx")
def workbook(campaign_id: int, assignment_id: int):
    """Send an assignment's offline workbook (to e-mail to a vendor who answers in Excel)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.campaign_id != campaign_id:
        abort(404)
    data = portal_workbook.export(assignment)
    audit.record("assignment.workbook_exported", "assignment", assignment.id)
    db.session.commit()
    return send_file(
        io.BytesIO(data),
        mimetype=portal_workbook.XLSX,
        as_attachment=True,
        download_name=portal_workbook.filename_for(assignment),
    )


@bp.route("/<int:campaign_id>/assignments/<int:assignment_id>/recipients", methods=["GET", "POST"])
def add_recipient(campaign_id: int, assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.campaign_id != campaign_id:
        abort(404)
    taken = {r.contact_id for r in assignment.recipients}
    form = AddRecipientForm()
    form.contact.choices = choices(
        (c.id, f"{c.display_name} <{c.email}>")
        for c in assignment.vendor.live_contacts
        if c.email and c.id not in taken
    )
    if form.validate_on_submit():
        contact = next(c for c in assignment.vendor.live_contacts if c.id == form.contact.data)
        try:
            services.add_recipient(assignment, contact, current_user)
        except services.CampaignError as exc:
            form.contact.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{contact.display_name} is invited.", "success")
            return redirect(url_for(".show", campaign_id=campaign_id))
    return render_template("campaigns/add_recipient.html", form=form, assignment=assignment)


@bp.route("/<int:campaign_id>/extend", methods=["POST"])
def extend(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            services.extend_due_date(campaign, form.due_date.data, form.reason.data, current_user)
        except services.CampaignError as exc:
            getattr(form, exc.field or "reason").errors.append(str(exc))
        else:
            db.session.commit()
            flash("The due date is extended; links and reminders follow it.", "success")
            return redirect(url_for(".show", campaign_id=campaign_id))
    return _show(campaign_id, form, 400)
