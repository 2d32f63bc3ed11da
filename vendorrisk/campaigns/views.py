"""Launching campaigns and following them: recipients, links, due dates, results."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.advisories.launch import launch_context
from vendorrisk.campaigns import pages, services
from vendorrisk.campaigns.forms import AddRecipientForm, CampaignForm, ExtendForm, choices
from vendorrisk.campaigns.models import Assignment, Campaign, Recipient
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.questionnaires.services import parsed_version
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


@bp.route("/new", methods=["GET", "POST"])
def new():
    # ?advisory=<slug>: launched from an advisory, which pre-selects vendors and template and
    # freezes its key dates (as of its latest update) into the campaign.
    advisory = launch_context(request.args.get("advisory"))
    if request.args.get("advisory") and advisory is None:
        abort(404)
    form = _campaign_form(request.form if request.method == "POST" else None)
    if request.method == "GET" and advisory is not None:
        form.name.data = advisory.name
        form.vendors.data = advisory.vendor_ids
        if advisory.template_version is not None:
            form.template_version.data = advisory.template_version.id
    action = request.form.get("action")
    if request.method == "POST" and action == "filter":
        form.vendors.data = services.vendors_matching(
            form.filter_tier.data, form.filter_data_access.data, form.filter_product.data
        )
        form.vendors.errors = []
        if not form.vendors.data:
            flash("No vendor matches these filters.", "warning")
        return render_template("campaigns/new.html", form=form, advisory=advisory)
    if action == "edit":
        return render_template("campaigns/new.html", form=form, advisory=advisory)
    if request.method == "POST" and form.validate():
        version = db.session.get(TemplateVersion, form.template_version.data) or abort(404)
        parsed = parsed_version(version)
        references = services.default_reference_dates(parsed)
        labels = {ref.name: ref.label for ref in parsed.reference_dates}
        if advisory is not None:
            references = advisory.reference_dates(references)
            labels = {**advisory.key_date_labels, **labels}
        if action == "send":
            try:
                campaign = services.create_campaign(
                    name=form.name.data,
                    template_version=version,
                    vendor_ids=form.vendors.data,
                    due_date=form.due_date.data,
                    tz_name=form.timezone.data,
                    message=form.message.data,
                    reference_dates=references,
                    actor=current_user,
                    advisory_slug=advisory.advisory.slug if advisory else None,
                )
            except services.CampaignError as exc:
                getattr(form, exc.field or "name").errors.append(str(exc))
            else:
                db.session.commit()
                flash(f"Sent to {len(campaign.assignments)} vendors.", "success")
                return redirect(url_for(".show", campaign_id=campaign.id))
        else:
            planned = services.plan(form.vendors.data)
            return render_template(
                "campaigns/preview.html",
                form=form,
                planned=planned,
                version=version,
                parsed=parsed,
                references=references,
                reference_labels=labels,
                advisory=advisory,
                due_at=services.due_at_for(form.due_date.data, form.timezone.data),
            )
    return render_template("campaigns/new.html", form=form, advisory=advisory)


def _campaign_or_404(campaign_id: int) -> Campaign:
    return services.campaign_page_data(campaign_id) or abort(404)


def _show(campaign_id: int, extend_form: ExtendForm, status: int = 200):
    view = pages.campaign_page(
        campaign_id, request.args.get("state", ""), request.args.get("page", 1, type=int)
    )
    if view is None:
        abort(404)
    return render_template(
        "campaigns/show.html",
        view=view,
        campaign=view.campaign,
        filters=pages.FILTERS,
        extend_form=extend_form,
        due_display=services.due_display(view.campaign),
    ), status


@bp.route("/<int:campaign_id>")
def show(campaign_id: int):
    return _show(campaign_id, ExtendForm())


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
