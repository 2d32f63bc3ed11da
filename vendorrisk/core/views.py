"""The home page and the health check."""

import hmac

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import func, select, text

from vendorrisk.core.timeutil import utcnow
from vendorrisk.dashboard.views import render_dashboard
from vendorrisk.extensions import db
from vendorrisk.mail.models import QUEUED, OutboxMessage
from vendorrisk.permissions import ADMIN, COMPLIANCE, MANAGER

bp = Blueprint("core", __name__)


@bp.route("/")
def index():
    # Vendor managers and compliance officers land on the portfolio dashboard; administrators
    # keep the overview of what they manage (the dashboard is one card away).
    if current_user.role in (MANAGER, COMPLIANCE):
        return render_dashboard()
    return render_template("core/index.html")


def _may_see_backlog() -> bool:
    """Tell whether the caller is a signed-in administrator or shows the monitoring token."""
    if current_user.is_authenticated and current_user.role == ADMIN:
        return True
    token = current_app.config.get("MONITORING_TOKEN")
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@bp.route("/healthz")
def healthz():
    # Anyone gets ok/fail; the mail backlog would tell a stranger how busy (or stuck) we are.
    detailed = _may_see_backlog()
    try:
        db.session.execute(text("SELECT 1"))
        if detailed:
            backlog, oldest = db.session.execute(
                select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.state == QUEUED
                )
            ).one()
    except Exception:  # the load balancer needs an answer, not a traceback
        db.session.rollback()
        if detailed:
            return jsonify(status="fail", database="unreachable"), 503
        return jsonify(status="fail"), 503
    if not detailed:
        return jsonify(status="ok")
    oldest_age = None
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=utcnow().tzinfo)
        oldest_age = int((utcnow() - oldest).total_seconds())
    return jsonify(
        status="ok", database="ok", outbox_backlog=backlog, oldest_unsent_seconds=oldest_age
    )
