"""The portfolio dashboard, its charts, and the lists behind two of its numbers."""

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from vendorrisk.campaigns.models import ImpactAlert
from vendorrisk.campaigns.services import assignment_due_day
from vendorrisk.contracts import services as contract_services
from vendorrisk.core.pagination import window
from vendorrisk.core.timeutil import utcnow
from vendorrisk.dashboard import figures, queries, services
from vendorrisk.dashboard import scope as scope_rules
from vendorrisk.dashboard.forms import HandleAlertForm
from vendorrisk.dashboard.snapshot import CORE_CATEGORIES, portfolio
from vendorrisk.extensions import db
from vendorrisk.permissions import MANAGER
from vendorrisk.reassessments import services as reassessments
from vendorrisk.review.models import SEVERITIES
from vendorrisk.vendors.risk import TIERS, tier_label

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

PER_PAGE = 50
DUE_LIMIT = 20  # reassessments listed on the card; the CLI lists them all
CHARTS = ("residual", "findings", *(f"scores-{c}" for c in CORE_CATEGORIES))


def current_scope(snapshot=None) -> tuple[queries.Scope, str | None, list[str]]:
    """Return the scope asked for (?scope=mine|all); managers start where they have work.

    The second value says why a manager is shown everyone's vendors by default (they own no
    current vendor, or campaigns they sent have work at vendors others own), the third names
    those campaigns.
    """
    wanted = request.args.get("scope")
    if wanted == queries.ALL:
        return queries.Scope(), None, []
    if wanted == queries.MINE or (wanted is None and current_user.role == MANAGER):
        if wanted is None and snapshot is not None:
            if not queries.vendor_counts(snapshot, current_user.id)[0]:
                return queries.Scope(), scope_rules.OWNS_NONE, []
            elsewhere = scope_rules.campaigns_beyond_own(current_user.id)
            if elsewhere:
                return queries.Scope(), scope_rules.CAMPAIGNS_ELSEWHERE, elsewhere
        return queries.Scope(current_user.id), None, []
    return queries.Scope(), None, []


def render_dashboard():
    """Render the dashboard (also the home page of managers and compliance officers)."""
    today = date.today()
    snapshot = portfolio(today)
    scope, fell_back, elsewhere = current_scope(snapshot)
    page = queries.dashboard(scope, today, utcnow(), snapshot)
    mine_count, all_count = queries.vendor_counts(snapshot, current_user.id)
    return render_template(
        "dashboard/index.html",
        d=page,
        fell_back=fell_back,
        elsewhere=elsewhere,
        form=HandleAlertForm(),
        mine_count=mine_count,
        all_count=all_count,
        score_bands=queries.SCORE_BANDS,
        tier_names={t: tier_label(t) for t in TIERS},
        severities=SEVERITIES,
        now_utc=utcnow(),
        contract_dates=contract_services.upcoming_dates(today, owned=scope.owned),
        reassessments=_reassessments(snapshot, scope),
    )


def _reassessments(snapshot, scope: queries.Scope) -> tuple[list, int, str | None]:
    """The first reassessments due in the coming 60 days in this scope, how many there are,
    or why none can be listed."""
    try:
        items, count = queries.reassessments_due(snapshot, scope, DUE_LIMIT)
    except reassessments.ScheduleError as exc:
        return [], 0, str(exc)
    return items, count, None


@bp.route("/")
def index():
    return render_dashboard()


@bp.route("/charts/<name>.svg")
def chart(name: str):
    if name not in CHARTS:
        abort(404)
    today = date.today()
    snapshot = portfolio(today)
    scope, _, _ = current_scope(snapshot)
    summary = queries.scope_summary(snapshot, scope.owner_id)
    if name == "residual":
        svg = figures.residual_chart(summary.tiers)
    elif name == "findings":
        svg = figures.findings_chart(queries.scope_findings(snapshot, scope))
    else:
        category = name[len("scores-") :]
        svg = figures.scores_chart(next(d for d in summary.scores if d.category == category))
    return Response(svg, mimetype="image/svg+xml")


@bp.route("/overdue")
def overdue():
    scope, _, _ = current_scope()
    now = utcnow()
    shown = window(queries.overdue_query(scope, now), PER_PAGE)
    rows = db.session.scalars(shown.query).all()
    return render_template(
        "dashboard/overdue.html",
        assignments=rows,
        total=shown.total,
        page=shown.page,
        pages=shown.pages,
        scope=scope,
        now=now,
        due_day=assignment_due_day,
    )


@bp.route("/impact")
def impact():
    scope, _, _ = current_scope()
    shown = window(queries.unhandled_alerts_query(scope), PER_PAGE)
    rows = db.session.scalars(shown.query).all()
    return render_template(
        "dashboard/impact.html",
        alerts=rows,
        total=shown.total,
        page=shown.page,
        pages=shown.pages,
        scope=scope,
        form=HandleAlertForm(return_to="impact"),
    )


@bp.route("/impact/<int:alert_id>/handle", methods=["POST"])
def impact_handle(alert_id: int):
    alert = db.session.get(ImpactAlert, alert_id) or abort(404)
    form = HandleAlertForm()
    back = {"impact": url_for(".impact"), "dashboard": url_for(".index")}.get(
        form.return_to.data, url_for("core.index")
    )
    if not form.validate_on_submit():
        flash("Say what was done about the signal before marking it handled.", "danger")
        return redirect(back)
    try:
        services.handle_alert(alert, current_user, form.note.data)
    except services.AlertError as exc:
        flash(str(exc), "warning")
        return redirect(back)
    db.session.commit()
    flash(f"The impact signal from {alert.vendor.name} is marked handled.", "success")
    return redirect(back)
