"""/api/v1/findings: findings across vendors, filtered like the findings page."""

from flask import jsonify, request

from vendorrisk.api.blueprint import bp
from vendorrisk.api.common import (
    MAX_ID,
    bool_arg,
    check,
    choice_arg,
    int_arg,
    page_args,
    paginate,
)
from vendorrisk.core.timeutil import iso, utcnow
from vendorrisk.review import queries
from vendorrisk.review.models import FINDING_STATE_LABELS, SEVERITIES, Finding

STATES = tuple(FINDING_STATE_LABELS)


def finding_json(finding: Finding) -> dict:
    """Return a finding as staff see it."""
    return {
        **finding.facts(),
        "vendor": finding.vendor.name,
        "plan_date": iso(finding.plan_date),
        "acceptance_expires_on": iso(finding.acceptance_expires_on),
    }


@bp.get("/findings")
def findings_index():
    errors: dict[str, str] = {}
    page, per_page = page_args(errors)
    filters = {
        "severity": choice_arg("severity", SEVERITIES, errors),
        "state": choice_arg("state", STATES, errors),
        "overdue": bool_arg("overdue", errors),
        "category": request.args.get("category") or None,
        "vendor_id": int_arg("vendor_id", errors, None, minimum=1, maximum=MAX_ID),
    }
    check(errors)
    query = queries.findings_query(filters, utcnow().date())
    return jsonify(paginate(query, page, per_page, finding_json))
