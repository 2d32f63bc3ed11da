"""The home page and the health check."""

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import func, select, text

from vendorrisk.core.timeutil import utcnow
from vendorrisk.dashboard.views import render_dashboard
from vendorrisk.extensions import db
from vendorrisk.mail.models import QUEUED, OutboxMessage
from vendorrisk.permissions import COMPLIANCE, MANAGER

bp = Blueprint("core", __name__)


@bp.route("/")
def index():
    # Vendor managers and compliance officers land on the portfolio dashboard; administrators
    # keep the overview of what they manage (the dashboard is one card away).
    if current_user.role in (MANAGER, COMPLIANCE):
        return render_dashboard()
    return render_template("core/index.html")


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        backlog, oldest = db.session.execute(
            select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(
                OutboxMessage.state == QUEUED
            )
        ).one()
    except Exception:  # the load balancer needs an answer, not a traceback
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    oldest_age = None
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=utcnow().tzinfo)
        oldest_age = int((utcnow() - oldest).total_seconds())
    return jsonify(
        status="ok", database="ok", outbox_backlog=backlog, oldest_unsent_seconds=oldest_age
    )
