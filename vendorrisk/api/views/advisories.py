"""/api/v1/advisories: the advisory library, each advisory's updates and vendor exposure."""

from flask import jsonify
from sqlalchemy import select

from vendorrisk.advisories import exposure, services
from vendorrisk.advisories.models import Advisory
from vendorrisk.api.blueprint import bp
from vendorrisk.api.common import check, page_args, paginate
from vendorrisk.core.timeutil import iso


def advisory_summary(advisory: Advisory) -> dict:
    """Return the fields every advisory listing shows."""
    return {
        "slug": advisory.slug,
        "title": advisory.title,
        "publisher": advisory.publisher,
        "published_on": iso(advisory.published_on),
        "severity": advisory.severity,
        "status": advisory.status,
        "superseded_by": advisory.superseded_by,
        "summary": advisory.summary,
        "templates": list(advisory.templates or []),
    }


@bp.get("/advisories")
def advisories_index():
    errors: dict[str, str] = {}
    page, per_page = page_args(errors)
    check(errors)
    query = select(Advisory).order_by(Advisory.published_on.desc(), Advisory.slug)
    return jsonify(paginate(query, page, per_page, advisory_summary))


@bp.get("/advisories/<slug>")
def advisories_show(slug: str):
    advisory = services.get_advisory_or_404(slug)
    data = advisory_summary(advisory)
    data["body"] = advisory.body
    data["updates"] = [
        {
            "number": u.number,
            "published_on": iso(u.published_on),
            "title": u.title,
            "body": u.body,
        }
        for u in services.timeline(advisory)
    ]
    data["exposure"] = [
        {
            "vendor_id": row.vendor.id,
            "vendor": row.vendor.name,
            "state": row.state,
            "how": row.how,
            "reason": row.reason,
            "asked": row.ask_state,
        }
        for row in exposure.vendor_rows(advisory)
    ]
    return jsonify(data)
