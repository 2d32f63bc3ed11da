"""/api/v1/findings: findings across vendors, filtered like the findings page."""

from flask import jsonify, request

from vendorrisk.api.blueprint import bp
from vendorrisk.api.common import (
    MAX_ID,
    bool_arg,
    check,
    choice_arg,
    int_arg,
    iso,
    page_args,
    paginate,
)
from vendorrisk.core.timeutil import utcnow
from vendorrisk.review import queries
from vendorrisk.review.models import FINDING_STATE_LABELS, SEVERITIES, Finding

STATES = tuple(FINDING_STATE_LABELS)


def finding_json(finding: Finding) -> dict:
    """Return a finding as staff see it."""
    return {
        "id": finding.id,
        "vendor_id": finding.vendor_id,
        "vendor": finding.vendor.name,
        "assignment_id": finding.assignment_id,
        "revision_id": finding.revision_id,
        "question_id": finding.question_id,
        "source": finding.source,
        "title": finding.title,
        "detail": finding.detail,
        "category": finding.category,
        "severity": finding.severity,
        "state": finding.state,
        "internal": finding.internal,
        "remediation": finding.remediation,
        "frameworks": list(finding.frameworks or []),
        "due_date": iso(finding.due_date),
        "plan_date": iso(finding.plan_date),
        "acceptance_expires_on": iso(finding.acceptance_expires_on),
        "created_at": iso(finding.created_at),
        "closed_at": iso(finding.closed_at),
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
