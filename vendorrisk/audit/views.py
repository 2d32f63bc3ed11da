"""The audit log page and its CSV export."""

from flask import Blueprint, Response, render_template, request

from vendorrisk.audit import queries
from vendorrisk.audit import services as audit
from vendorrisk.audit.forms import AuditFilterForm
from vendorrisk.core.pagination import window
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
    shown = window(query, PER_PAGE)
    rows = db.session.execute(shown.query).all()
    return render_template(
        "audit/log.html",
        form=form,
        rows=rows,
        page=shown.page,
        pages=shown.pages,
        total=shown.total,
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
