"""The firm's regulatory clocks: settings, awareness on an impact report, deadlines."""

from datetime import datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from vendorrisk.accounts.models import User
from vendorrisk.advisories.models import Advisory
from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment
from vendorrisk.clocks import pack, regimes, services, vendor_clock
from vendorrisk.clocks.forms import AwarenessForm, MetForm, OwnerForm, SettingsForm
from vendorrisk.clocks.models import RegulatoryDeadline
from vendorrisk.clocks.regimes import ClockError
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.reports.access import advisory_campaigns_for_export, campaign_for_export_or_404

bp = Blueprint("clocks", __name__)


def _assignment_or_404(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.response is None:
        abort(404)
    return assignment


def _owner_form(deadline: RegulatoryDeadline | None = None) -> OwnerForm:
    form = OwnerForm(
        prefix=f"d{deadline.id}" if deadline else "",
        owner=(deadline.owner_id if deadline else None) or 0,
    )
    users = db.session.scalars(select(User).filter_by(active=True).order_by(User.name)).all()
    form.owner.choices = [SelectChoice(0, "No owner")] + [SelectChoice(u.id, u.name) for u in users]
    return form


def _page(assignment: Assignment, status: int = 200, **forms):
    incident = services.incident_for(assignment)
    row = services.settings()
    tz = regimes.firm_zone(row.time_zone)
    deadlines = incident.deadlines if incident else []
    response = vendor_clock.for_assignments([assignment], utcnow()).get(assignment.id)
    return render_template(
        "clocks/assignment.html",
        assignment=assignment,
        incident=incident,
        settings=row,
        tz=tz,
        now=utcnow(),
        deadlines=deadlines,
        response=response,
        stages=regimes.STAGES,
        regime_names={r.key: r.name for r in regimes.REGIMES},
        awareness_form=forms.get("awareness_form") or AwarenessForm(),
        owner_forms={d.id: _owner_form(d) for d in deadlines},
        met_forms={d.id: forms.get(f"met_{d.id}") or MetForm(prefix=f"m{d.id}") for d in deadlines},
    ), status


def _to_utc(value: datetime | None, zone: str) -> datetime | None:
    if value is None:
        return None
    return regimes.wall_time_to_utc(
        value, services.firm_zone() if zone == "firm" else regimes.UTC_ZONE
    )


@bp.route("/review/assignments/<int:assignment_id>/clocks")
def assignment(assignment_id: int):
    """Show the firm's regulatory deadlines for a vendor's impact report."""
    return _page(_assignment_or_404(assignment_id))


@bp.route("/review/assignments/<int:assignment_id>/clocks/awareness", methods=["POST"])
def record(assignment_id: int):
    """Record when the firm became aware of (and classified) the reported impact."""
    assignment = _assignment_or_404(assignment_id)
    form = AwarenessForm()
    if form.validate_on_submit():
        try:
            given = services.Awareness(
                aware_at=_to_utc(form.aware_at.data, form.zone.data),  # type: ignore[arg-type]
                classified_at=_to_utc(form.classified_at.data, form.zone.data),
                incident_at=_to_utc(form.incident_at.data, form.zone.data),
                note=form.note.data or "",
            )
            services.record_awareness(assignment, given, current_user, utcnow())
        except ClockError as exc:
            form.aware_at.errors = [*form.aware_at.errors, str(exc)]
        else:
            db.session.commit()
            flash("Awareness recorded; the deadlines are below.", "success")
            return redirect(url_for(".assignment", assignment_id=assignment.id))
    return _page(assignment, 422, awareness_form=form)


def _deadline_or_404(deadline_id: int) -> RegulatoryDeadline:
    deadline = db.session.get(RegulatoryDeadline, deadline_id)
    if deadline is None:
        abort(404)
    return deadline


@bp.route("/clocks/deadlines/<int:deadline_id>/owner", methods=["POST"])
def deadline_owner(deadline_id: int):
    """Give a deadline an owner."""
    deadline = _deadline_or_404(deadline_id)
    form = _owner_form(deadline)
    if form.validate_on_submit():
        services.set_owner(
            deadline, db.session.get(User, form.owner.data) if form.owner.data else None
        )
        db.session.commit()
        flash("Owner saved.", "success")
    else:
        flash("Choose an active user as the owner.", "danger")
    return redirect(url_for(".assignment", assignment_id=deadline.incident.assignment_id))


@bp.route("/clocks/deadlines/<int:deadline_id>/met", methods=["POST"])
def deadline_met(deadline_id: int):
    """Mark a deadline met, with when and what was filed."""
    deadline = _deadline_or_404(deadline_id)
    form = MetForm(prefix=f"m{deadline.id}")
    if form.validate_on_submit():
        try:
            met_at = _to_utc(form.met_at.data, form.zone.data)
            services.mark_met(deadline, met_at, form.reference.data, current_user, utcnow())  # type: ignore[arg-type]
        except ClockError as exc:
            form.met_at.errors = [*form.met_at.errors, str(exc)]
        else:
            db.session.commit()
            flash("Marked met.", "success")
            return redirect(url_for(".assignment", assignment_id=deadline.incident.assignment_id))
    assignment = _assignment_or_404(deadline.incident.assignment_id)
    return _page(assignment, 422, **{f"met_{deadline.id}": form})


def _pack_download(scope: pack.Scope, object_type: str, object_id: int | str, name: str):
    now = utcnow()
    body = pack.build(scope, now)
    audit.record("clocks.incident_pack", object_type, object_id)
    db.session.commit()
    return Response(
        body,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f"attachment; filename=incident-pack-{name}-{now:%Y%m%d}.zip"
        },
    )


@bp.route("/campaigns/<int:campaign_id>/incident-pack.zip")
def campaign_pack(campaign_id: int):
    """Download a campaign's incident pack (PDF, JSON and CSV files, SHA256SUMS)."""
    campaign = campaign_for_export_or_404(campaign_id)
    return _pack_download(pack.for_campaign(campaign), "campaign", campaign.id, str(campaign.id))


@bp.route("/advisories/<slug>/incident-pack.zip")
def advisory_pack(slug: str):
    """Download the incident pack of an advisory: every campaign run for it that the reader
    may export, with the advisory's publication and updates on the timeline."""
    advisory = db.session.scalar(select(Advisory).filter_by(slug=slug)) or abort(404)
    campaigns = advisory_campaigns_for_export(advisory.slug)
    return _pack_download(
        pack.for_advisory(advisory, campaigns), "advisory", advisory.slug, advisory.slug
    )


@bp.route("/settings/clocks", methods=["GET", "POST"])
def settings():
    """Choose the firm's time zone and the notification regimes it reports under."""
    row = services.settings()
    form = SettingsForm(time_zone=row.time_zone, regimes=row.regimes)
    if form.validate_on_submit():
        try:
            off = services.save_settings(
                form.time_zone.data or "", form.regimes.data or [], current_user, utcnow()
            )
        except ClockError as exc:
            form.time_zone.errors = [*form.time_zone.errors, str(exc)]
        else:
            db.session.commit()
            flash("Clock settings saved.", "success")
            if off:
                flash(
                    "Deadlines already computed under a regime switched off stay, marked.",
                    "warning",
                )
            return redirect(url_for(".settings"))
    return render_template("clocks/settings.html", form=form, regimes=regimes.REGIMES), (
        422 if form.errors else 200
    )
