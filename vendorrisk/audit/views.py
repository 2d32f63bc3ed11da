"""The audit log page and its CSV export."""

from flask import Blueprint, Response, render_template, request
from sqlalchemy import func, select

from vendorrisk.audit import queries
from vendorrisk.audit import services as audit
from vendorrisk.audit.forms import AuditFilterForm
from vendorrisk.core.spreadsheet import csv_text
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")

PER_PAGE = 50


def _filters(form: AuditFilterForm) -> dict:
    return form.data if form.validate() else {}


@bp.route("/")
def log():
    form = AuditFilterForm(request.args)
    query = queries.filtered(_filters(form))
    page = max(1, request.args.get("page", 1, type=int))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    return render_template(
        "audit/log.html", form=form, rows=rows, page=page, pages=pages, total=total
    )


@bp.route("/export.csv")
def export():
    form = AuditFilterForm(request.args)
    filters = _filters(form)
    rows = db.session.execute(queries.filtered(filters)).all()
    body = csv_text(
        [
            "id",
            "at_utc",
            "actor_type",
            "actor",
            "action",
            "object_type",
            "object_id",
            "outcome",
            "ip",
            "details",
        ],
        (
            [
                e.id,
                e.at.strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_type,
                email or e.actor_ref or "",
                e.action,
                e.object_type,
                e.object_id,
                e.outcome,
                e.ip,
                e.details,
            ]
            for e, email in rows
        ),
    )
    audit.record(
        "export.audit_log",
        details={"rows": len(rows), "filters": sorted(k for k, v in filters.items() if v)},
    )
    db.session.commit()
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"'},
    )
