"""/api/v1/campaigns and /api/v1/assignments: send campaigns, follow them, read results.

POST /campaigns honours an `Idempotency-Key` header: the key, the user and a hash of the body
are stored with the campaign in the same transaction, so a retried request answers the first
campaign again and sends nothing twice; the same key with another body is refused.
"""

import hashlib
import json
from zoneinfo import available_timezones

import pydantic
from flask import abort, g, jsonify, request, url_for
from sqlalchemy import select

from vendorrisk.advisories import services as advisories
from vendorrisk.api.blueprint import bp
from vendorrisk.api.common import Body, Day, Id, parse_body
from vendorrisk.api.errors import ApiProblem, validation_error
from vendorrisk.api.models import IdempotencyKey
from vendorrisk.campaigns import services as campaigns
from vendorrisk.campaigns.models import Assignment, Campaign
from vendorrisk.core.timeutil import iso
from vendorrisk.extensions import db
from vendorrisk.questionnaires import services as questionnaires
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.reports import record
from vendorrisk.review import effective
from vendorrisk.vendors.models import Vendor

MAX_KEY = 200
FIELD_OF = {"template": "template", "due_date": "due_date", "vendors": "vendor_ids"}


class CampaignBody(Body):
    """What a client sends to launch a campaign."""

    name: str | None = pydantic.Field(default=None, max_length=200)
    template: str | None = None
    template_version_id: Id | None = None
    vendor_ids: list[Id] = pydantic.Field(min_length=1, max_length=5000)
    due_date: Day
    timezone: str
    advisory: str | None = None
    message: str | None = pydantic.Field(default=None, max_length=10_000)


def _version(body: CampaignBody, errors: dict[str, str]) -> TemplateVersion | None:
    if (body.template is None) == (body.template_version_id is None):
        errors["template"] = "Give either `template` (a slug) or `template_version_id`."
        return None
    if body.template is not None:
        template = questionnaires.template_by_slug(body.template)
        version = questionnaires.current_version(template) if template else None
        if template is None:
            errors["template"] = "No template with this slug."
        elif version is None:
            errors["template"] = "This template has no approved version."
        return version
    version = db.session.get(TemplateVersion, body.template_version_id)
    if version is None:
        errors["template_version_id"] = "No template version with this id."
    elif version.status != "approved":
        errors["template_version_id"] = "This template version is not approved."
        return None
    return version


def _check(body: CampaignBody) -> TemplateVersion:
    errors: dict[str, str] = {}
    version = _version(body, errors)
    ids = set(body.vendor_ids)
    known = set(db.session.scalars(select(Vendor.id).where(Vendor.id.in_(ids))))
    if ids - known:
        errors["vendor_ids"] = (
            "Unknown vendor ids: " + ", ".join(str(i) for i in sorted(ids - known)) + "."
        )
    if body.timezone not in available_timezones():
        errors["timezone"] = "Give an IANA time zone, e.g. Europe/London."
    if body.advisory is not None and advisories.advisory_by_slug(body.advisory) is None:
        errors["advisory"] = "No advisory with this slug."
    if errors:
        raise validation_error(errors)
    assert version is not None  # noqa: S101  (an error was raised otherwise)
    return version


def campaign_json(campaign: Campaign) -> dict:
    """Return a campaign with each assignment's states and recipients."""
    version = campaign.template_version
    return {
        "id": campaign.id,
        "name": campaign.name,
        "template": version.template.slug,
        "template_version_id": version.id,
        "advisory": campaign.advisory_slug,
        "due_date": iso(campaign.due_date),
        "timezone": campaign.timezone,
        "due_at": iso(campaign.due_at),
        "created_at": iso(campaign.created_at),
        "sent_at": iso(campaign.sent_at),
        "created_by_id": campaign.created_by_id,
        "assignments": [
            {
                "id": a.id,
                "vendor_id": a.vendor_id,
                "vendor": a.vendor.name,
                "response_state": a.response_state,
                "review_state": a.review_state,
                "overdue": a.is_overdue(),
                "due_at": iso(a.effective_due_at),
                "extended_due_at": iso(a.extended_due_at),
                "started_at": iso(a.started_at),
                "submitted_at": iso(a.submitted_at),
                "recipients": [
                    {
                        "id": r.id,
                        "contact_id": r.contact_id,
                        "delivery_state": r.delivery_state,
                        "revoked": r.revoked_at is not None,
                        "first_opened_at": iso(r.first_opened_at),
                        "expires_at": iso(r.expires_at),
                    }
                    for r in a.recipients
                ],
            }
            for a in campaign.assignments
        ],
    }


def _created(campaign_id: int, status: int, replayed: bool = False):
    campaign = campaigns.campaign_page_data(campaign_id) or abort(404)
    response = jsonify(campaign_json(campaign))
    response.status_code = status
    response.headers["Location"] = url_for(".campaigns_show", campaign_id=campaign_id)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.post("/campaigns")
def campaigns_create():
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= MAX_KEY:
        raise validation_error({"Idempotency-Key": f"Use 1 to {MAX_KEY} characters."})
    body, raw = parse_body(CampaignBody)
    user = g._login_user
    digest = hashlib.sha256(
        json.dumps(raw, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    if key is not None:
        seen = db.session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user.id, IdempotencyKey.key == key
            )
        )
        if seen is not None:
            if seen.request_hash != digest:
                raise ApiProblem(
                    422,
                    "This Idempotency-Key was used with another body.",
                    kind="idempotency-key-reused",
                    errors={"Idempotency-Key": "Already used for another request."},
                )
            return _created(seen.campaign_id, 200, replayed=True)
    version = _check(body)
    parsed = questionnaires.parsed_version(version)
    try:
        campaign = campaigns.create_campaign(
            name=body.name or f"{version.template.title} ({body.due_date.isoformat()})",
            template_version=version,
            vendor_ids=body.vendor_ids,
            due_date=body.due_date,
            tz_name=body.timezone,
            message=body.message,
            reference_dates=campaigns.default_reference_dates(parsed),
            actor=user,
            advisory_slug=body.advisory,
        )
    except campaigns.CampaignError as exc:
        raise validation_error({FIELD_OF.get(exc.field or "", "body"): str(exc)}) from None
    if key is not None:
        db.session.add(
            IdempotencyKey(user_id=user.id, key=key, request_hash=digest, campaign_id=campaign.id)
        )
    db.session.commit()
    return _created(campaign.id, 201)


@bp.get("/campaigns/<int:campaign_id>")
def campaigns_show(campaign_id: int):
    campaign = campaigns.campaign_page_data(campaign_id)
    if campaign is None:
        raise ApiProblem(404, "No campaign with this id.", kind="not-found", title="Not found")
    return jsonify(campaign_json(campaign))


@bp.get("/assignments/<int:assignment_id>/result")
def assignments_result(assignment_id: int):
    """Return the effective result of an assignment's latest submitted answers."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        raise ApiProblem(404, "No assignment with this id.", kind="not-found", title="Not found")
    revision = assignment.response.latest_submitted if assignment.response else None
    result = effective.for_revision(revision) if revision is not None else None
    if revision is None or result is None:
        raise ApiProblem(
            404,
            "This assignment has no submitted, scored answers yet.",
            kind="no-result",
            title="Not found",
        )
    return jsonify(record.result_json(assignment, revision, result))
