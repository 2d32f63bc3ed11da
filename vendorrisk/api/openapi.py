"""The OpenAPI 3.1 document of /api/v1, kept beside the views it describes.

tests/api/test_openapi.py checks every documented response of every endpoint against these
schemas, and runs schemathesis against the running app.
"""

from typing import Any

from vendorrisk.core.http import MAX_ID
from vendorrisk.review.models import FINDING_STATE_LABELS, SEVERITIES
from vendorrisk.scoring.result import Verdict

STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
NSTR = {"type": ["string", "null"]}
NINT = {"type": ["integer", "null"]}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
NID = {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID}
DATE = {"type": ["string", "null"], "format": "date"}
TIME = {"type": ["string", "null"], "format": "date-time"}
# Scores and percentages: JSON numbers with one decimal; points and weights with four.
NUM_SCORE = {"type": ["number", "null"], "minimum": 0, "maximum": 100}
NUM_POINTS = {"type": ["number", "null"], "minimum": 0}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(props: dict, required: list[str] | None = None, extra: bool = True) -> dict:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": props,
        "required": list(props) if required is None else required,
    }
    if not extra:
        schema["additionalProperties"] = False
    return schema


def page_of(item: str) -> dict:
    return obj(
        {
            "items": {"type": "array", "items": ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
        }
    )


VENDOR_FIELDS = {
    "name": {"type": ["string", "null"], "maxLength": 200},
    "legal_name": NSTR,
    "lei": NSTR,
    "country": NSTR,
    "parent_id": NID,
    "website": NSTR,
    "criticality": NSTR,
    "data_access": NSTR,
    "owner_id": NID,
    "status": NSTR,
    "contract_start": DATE,
    "contract_end": DATE,
    "renewal_date": DATE,
}
VENDOR = obj(
    {
        "id": INT,
        **VENDOR_FIELDS,
        "name": STR,
        "criticality": STR,
        "data_access": STR,
        "status": STR,
        "risk_tier": INT,
        "created_at": TIME,
        "updated_at": TIME,
        "offboarded_at": TIME,
    }
)
VENDOR_DETAIL = {
    "allOf": [
        VENDOR,
        obj(
            {
                "description": NSTR,
                "services": NSTR,
                "notes": NSTR,
                "contacts": {
                    "type": "array",
                    "items": obj(
                        {
                            "id": INT,
                            "name": NSTR,
                            "email": NSTR,
                            "phone": NSTR,
                            "title": NSTR,
                            "kinds": {"type": "array", "items": STR},
                            "erased": BOOL,
                        }
                    ),
                },
                "products": {
                    "type": "array",
                    "items": obj(
                        {
                            "id": INT,
                            "product_id": INT,
                            "product": STR,
                            "supplier": STR,
                            "versions": {"type": "array", "items": STR},
                            "subcontractor": NSTR,
                        }
                    ),
                },
            }
        ),
    ]
}
NNUM = {"type": ["number", "null"]}
VENDOR_RECORD = obj(
    {
        "assessments": {
            "type": "array",
            "items": obj(
                {
                    "assignment_id": INT,
                    "campaign": obj({"id": INT, "name": STR}),
                    "template": STR,
                    "sent_at": TIME,
                    "due_at": TIME,
                    "extended_due_at": TIME,
                    "response_state": STR,
                    "submitted_at": TIME,
                    "revision": NINT,
                    "overall": NNUM,
                    "band": NSTR,
                    "band_label": NSTR,
                    "not_exposed": BOOL,
                    "impact": BOOL,
                    "categories": {"type": "object", "additionalProperties": NNUM},
                    "decision": NSTR,
                    "reviewer": NSTR,
                    "decided_at": TIME,
                    "open_findings": INT,
                }
            ),
        },
        "findings": obj(
            {
                "open": INT,
                "closed": INT,
                "items": {
                    "type": "array",
                    "items": obj(
                        {
                            "id": INT,
                            "title": STR,
                            "category": NSTR,
                            "severity": STR,
                            "state": STR,
                            "source": STR,
                            "internal": BOOL,
                            "assignment_id": NINT,
                            "due_date": DATE,
                            "created_at": TIME,
                            "closed_at": TIME,
                        }
                    ),
                },
            }
        ),
        "exposure": {
            "type": "array",
            "items": obj({"advisory": STR, "title": STR, "state": STR, "how": STR, "reason": NSTR}),
        },
        "evidence": {
            "type": "array",
            "items": obj(
                {
                    "filename": STR,
                    "sha256": STR,
                    "size": INT,
                    "question_id": STR,
                    "assignment_id": INT,
                    "uploaded_at": TIME,
                }
            ),
        },
        "latest_report": {
            "oneOf": [
                {"type": "null"},
                obj(
                    {
                        "job_id": INT,
                        "document_id": STR,
                        "finished_at": TIME,
                        "pages": NINT,
                        "size": NINT,
                        "sha256": NSTR,
                    }
                ),
            ]
        },
        "score_history": {
            "type": "array",
            "items": obj(
                {
                    "category": STR,
                    "title": STR,
                    "points": {
                        "type": "array",
                        "items": obj(
                            {"submitted_at": TIME, "campaign": STR, "score": {"type": "number"}}
                        ),
                    },
                }
            ),
        },
        "activity": {
            "type": "array",
            "items": obj(
                {
                    "at": TIME,
                    "action": STR,
                    "who": STR,
                    "object_type": NSTR,
                    "object_id": NSTR,
                }
            ),
        },
    }
)
VENDOR_INPUT = obj(
    {
        **VENDOR_FIELDS,
        "description": NSTR,
        "services": NSTR,
        "notes": NSTR,
        "name": {"type": ["string", "null"]},
    },
    required=[],
    extra=False,
)
VENDOR_CREATE = {**VENDOR_INPUT, "required": ["name", "criticality", "data_access"]}

SCHEMAS: dict[str, Any] = {
    "Problem": obj(
        {
            "type": STR,
            "title": STR,
            "status": INT,
            "detail": STR,
            "errors": {
                "type": "object",
                "additionalProperties": STR,
                "description": "Each bad field, with what is wrong with it.",
            },
        },
        required=["type", "title", "status", "detail"],
    ),
    "Vendor": VENDOR,
    "VendorDetail": VENDOR_DETAIL,
    "VendorRecord": VENDOR_RECORD,
    "VendorWithRecord": {"allOf": [VENDOR_DETAIL, obj({"record": ref("VendorRecord")})]},
    "VendorCreate": VENDOR_CREATE,
    "VendorUpdate": VENDOR_INPUT,
    "VendorPage": page_of("Vendor"),
    "Product": obj(
        {
            "id": INT,
            "name": STR,
            "supplier": STR,
            "supplier_vendor_id": NINT,
            "known_versions": {"type": "array", "items": STR},
            "aliases": {"type": "array", "items": STR},
        }
    ),
    "ProductPage": page_of("Product"),
    "Template": obj(
        {
            "id": INT,
            "slug": STR,
            "title": STR,
            "kind": STR,
            "archived": BOOL,
            "current_version_id": NINT,
            "versions": {
                "type": "array",
                "items": obj(
                    {
                        "id": INT,
                        "number": INT,
                        "status": STR,
                        "content_hash": STR,
                        "created_at": TIME,
                        "reviewed_at": TIME,
                    }
                ),
            },
        }
    ),
    "TemplatePage": page_of("Template"),
    "Advisory": obj(
        {
            "slug": STR,
            "title": STR,
            "publisher": STR,
            "published_on": DATE,
            "severity": STR,
            "status": STR,
            "superseded_by": NSTR,
            "summary": STR,
            "templates": {"type": "array", "items": STR},
        }
    ),
    "AdvisoryPage": page_of("Advisory"),
    "AdvisoryDetail": {
        "allOf": [
            ref("Advisory"),
            obj(
                {
                    "body": STR,
                    "updates": {
                        "type": "array",
                        "items": obj(
                            {
                                "number": INT,
                                "published_on": DATE,
                                "title": STR,
                                "body": STR,
                            }
                        ),
                    },
                    "exposure": {
                        "type": "array",
                        "items": obj(
                            {
                                "vendor_id": INT,
                                "vendor": STR,
                                "state": {
                                    "type": "string",
                                    "enum": ["confirmed", "suspected", "unknown", "ruled_out"],
                                },
                                "how": STR,
                                "reason": NSTR,
                                "asked": STR,
                            }
                        ),
                    },
                }
            ),
        ]
    },
    "CampaignCreate": obj(
        {
            "name": {"type": "string", "maxLength": 200},
            "template": {
                "type": "string",
                "description": "Template slug (its current "
                "approved version is sent). Give this or template_version_id.",
            },
            "template_version_id": ID,
            "vendor_ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 5000},
            "due_date": {"type": "string", "format": "date"},
            "timezone": {"type": "string", "description": "IANA time zone of the due date."},
            "advisory": {"type": "string", "description": "Advisory slug."},
            "message": {"type": "string", "maxLength": 10000},
        },
        required=["vendor_ids", "due_date", "timezone"],
        extra=False,
    ),
    "Campaign": obj(
        {
            "id": INT,
            "name": STR,
            "template": STR,
            "template_version_id": INT,
            "advisory": NSTR,
            "due_date": DATE,
            "timezone": STR,
            "due_at": TIME,
            "created_at": TIME,
            "sent_at": TIME,
            "created_by_id": INT,
            "assignments": {
                "type": "array",
                "items": obj(
                    {
                        "id": INT,
                        "vendor_id": INT,
                        "vendor": STR,
                        "response_state": STR,
                        "review_state": STR,
                        "overdue": BOOL,
                        "due_at": TIME,
                        "extended_due_at": TIME,
                        "started_at": TIME,
                        "submitted_at": TIME,
                        "recipients": {
                            "type": "array",
                            "items": obj(
                                {
                                    "id": INT,
                                    "contact_id": INT,
                                    "delivery_state": STR,
                                    "revoked": BOOL,
                                    "first_opened_at": TIME,
                                    "expires_at": TIME,
                                }
                            ),
                        },
                    }
                ),
            },
        }
    ),
    "ResultCategory": obj(
        {
            "id": STR,
            "title": STR,
            "weight": NUM_POINTS,
            "possible": NUM_POINTS,
            "earned": NUM_POINTS,
            "score": NUM_SCORE,
        }
    ),
    "ResultOverride": obj(
        {
            "question_id": STR,
            "percent": {**NUM_SCORE, "description": "The reviewer's percentage (to)."},
            "computed_percent": {
                **NUM_SCORE,
                "description": "The engine's percentage for the question (from).",
            },
            "justification": STR,
            "by": {**NSTR, "description": "The reviewer's name."},
            "at": TIME,
        }
    ),
    "ReviewFlag": obj(
        {
            "kind": {
                "type": "string",
                "description": "contradiction, exclusive, uncertain, date, certificate, ...",
            },
            "question_ids": {"type": "array", "items": STR},
            "reason": STR,
        }
    ),
    "Result": obj(
        {
            "assignment_id": INT,
            "vendor_id": INT,
            "campaign_id": INT,
            "revision": INT,
            "submitted_at": TIME,
            "late": BOOL,
            "verdict": {"type": "string", "enum": [v.value for v in Verdict]},
            "overall": {
                **NUM_SCORE,
                "description": "The effective overall score (overrides applied), 0 to 100 with "
                "one decimal; null when the vendor is not exposed or nothing was scored.",
            },
            "band": {**NSTR, "description": "Null when the vendor is not exposed."},
            "band_label": NSTR,
            "uncapped_band": NSTR,
            "capped_by": {"type": "array", "items": STR},
            "not_exposed": BOOL,
            "not_exposed_reason": {
                **NSTR,
                "description": "Which answers rule exposure out, when `not_exposed`.",
            },
            "review_flags": {"type": "array", "items": ref("ReviewFlag")},
            "categories": {"type": "array", "items": ref("ResultCategory")},
            "impact_signals": {"type": "array", "items": {"type": "object"}},
            "findings": {"type": "array", "items": {"type": "object"}},
            "completeness": {"type": "object"},
            "trace": {"type": "array", "items": {"type": "object"}},
            "computed": obj(
                {
                    "overall": NUM_SCORE,
                    "band": NSTR,
                    "band_label": NSTR,
                    "categories": {"type": "array", "items": ref("ResultCategory")},
                }
            ),
            "overrides": {"type": "array", "items": ref("ResultOverride")},
            "engine_version": NSTR,
            "template_hash": NSTR,
        }
    ),
    "Finding": obj(
        {
            "id": INT,
            "vendor_id": INT,
            "vendor": STR,
            "assignment_id": NINT,
            "revision_id": NINT,
            "question_id": NSTR,
            "source": STR,
            "title": STR,
            "detail": NSTR,
            "category": NSTR,
            "severity": {"type": "string", "enum": SEVERITIES},
            "state": {"type": "string", "enum": list(FINDING_STATE_LABELS)},
            "internal": BOOL,
            "remediation": NSTR,
            "frameworks": {"type": "array", "items": STR},
            "due_date": DATE,
            "plan_date": DATE,
            "acceptance_expires_on": DATE,
            "created_at": TIME,
            "closed_at": TIME,
        }
    ),
    "FindingPage": page_of("Finding"),
}


def problem(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": ref("Problem")}},
    }


def ok(schema: str, description: str = "OK", headers: dict | None = None) -> dict:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ref(schema)}},
    }
    if headers:
        response["headers"] = headers
    return response


AUTH_ERRORS = {
    "401": problem("No token, an unknown or revoked token, or a disabled account."),
    "403": problem("The token's user's role may not do this."),
}
READ_ERRORS = {**AUTH_ERRORS, "422": problem("A query parameter is invalid.")}
WRITE_ERRORS = {
    **AUTH_ERRORS,
    "400": problem("The body is not valid JSON."),
    "415": problem("The body is not sent as application/json."),
    "422": problem("Fields are missing or invalid; `errors` names each one."),
}
PAGE_PARAMS = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
    },
]
NOT_FOUND = {"404": problem("No such resource.")}


def id_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def listing(summary: str, page: str, params: list | None = None) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": PAGE_PARAMS + (params or []),
            "responses": {"200": ok(page), **READ_ERRORS},
        }
    }


def download(media_type: str, summary: str, param: str, extra: dict | None = None) -> dict:
    return {
        "parameters": [id_param(param)],
        "get": {
            "summary": summary,
            "responses": {
                "200": {
                    "description": "The file, as an attachment.",
                    "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
                },
                **AUTH_ERRORS,
                "403": problem(
                    "Your role may not export, or a vendor manager asked for a "
                    "vendor they do not own or a campaign they did not create."
                ),
                **NOT_FOUND,
                **(extra or {}),
            },
        },
    }


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OSCAL_DESCRIPTION = (
    "An OSCAL 1.x `assessment-results` document (JSON), built and validated with "
    "compliance-trestle's models: one result per assessment (the effective overall score, "
    "band and verdict as props), an observation per submitted answer with its evidence files' "
    "SHA-256 in back-matter resources, a finding per finding with its state, and a risk per "
    "finding whose status follows it (risk accepted: `deviation-approved`, with who accepted "
    "it, why and until when in the risk log). UUIDs are derived from our ids, so repeated "
    "exports name the same things. See docs/api.md."
)


def oscal(summary: str, param: str, not_found: str) -> dict:
    return {
        "parameters": [id_param(param)],
        "get": {
            "summary": summary,
            "description": OSCAL_DESCRIPTION,
            "responses": {
                "200": {
                    "description": "The assessment results.",
                    "content": {
                        "application/oscal+json": {
                            "schema": obj({"assessment-results": {"type": "object"}})
                        }
                    },
                },
                **AUTH_ERRORS,
                "403": problem(
                    "Your role may not export, or a vendor manager asked for a "
                    "vendor they do not own or a campaign they did not create."
                ),
                "404": problem(not_found),
            },
        },
    }


PATHS: dict[str, Any] = {
    "/openapi.json": {
        "get": {
            "summary": "This document.",
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/vendors": {
        **listing("List vendors by name.", "VendorPage"),
        "post": {
            "summary": "Add a vendor (managers and admins).",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("VendorCreate")}},
            },
            "responses": {"201": ok("VendorDetail", "Created."), **WRITE_ERRORS},
        },
    },
    "/vendors/{vendor_id}": {
        "parameters": [id_param("vendor_id")],
        "get": {
            "summary": (
                "A vendor with its contacts, the products it uses and its record: every "
                "assessment with its effective score, band and decision, findings, advisory "
                "exposure, evidence received, the latest report and recent activity."
            ),
            "responses": {"200": ok("VendorWithRecord"), **AUTH_ERRORS, **NOT_FOUND},
        },
        "patch": {
            "summary": "Change some of a vendor's fields (managers and admins).",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("VendorUpdate")}},
            },
            "responses": {"200": ok("VendorDetail"), **WRITE_ERRORS, **NOT_FOUND},
        },
    },
    "/products": listing("List the product catalogue.", "ProductPage"),
    "/templates": listing("List questionnaire templates with their versions.", "TemplatePage"),
    "/advisories": listing("List advisories, newest first.", "AdvisoryPage"),
    "/advisories/{slug}": {
        "parameters": [{"name": "slug", "in": "path", "required": True, "schema": STR}],
        "get": {
            "summary": "An advisory with its updates and each vendor's exposure.",
            "responses": {"200": ok("AdvisoryDetail"), **AUTH_ERRORS, **NOT_FOUND},
        },
    },
    "/campaigns": {
        "post": {
            "summary": "Send a campaign (managers and admins).",
            "description": "Send `Idempotency-Key` so a retry sends nothing twice: the same key "
            "and body answer the first campaign (200, `Idempotent-Replayed: true`); "
            "the same key with another body is refused (422).",
            "parameters": [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("CampaignCreate")}},
            },
            "responses": {
                "201": ok("Campaign", "Created and sent."),
                "200": ok("Campaign", "Replayed: this key and body already created it."),
                "409": problem("A request with the same key is being handled at this moment."),
                **WRITE_ERRORS,
            },
        }
    },
    "/campaigns/{campaign_id}": {
        "parameters": [id_param("campaign_id")],
        "get": {
            "summary": "A campaign with each assignment's states.",
            "responses": {"200": ok("Campaign"), **AUTH_ERRORS, **NOT_FOUND},
        },
    },
    "/assignments/{assignment_id}/result": {
        "parameters": [id_param("assignment_id")],
        "get": {
            "summary": "The effective result of the latest submitted answers.",
            "description": "The score a person sees: the engine's result with the reviewer's "
            "active overrides applied, the same figures as the review page, the PDFs and the "
            "exports. `computed` holds the engine's own figures and `overrides` each change "
            "(who, when, question, from and to, why). Numbers are JSON numbers; `overall` and "
            "`band` are null when the vendor is not exposed, with `not_exposed_reason`.",
            "responses": {
                "200": ok("Result"),
                **AUTH_ERRORS,
                "404": problem("No such assignment, or nothing submitted yet."),
            },
        },
    },
    "/vendors/{vendor_id}/export.xlsx": download(XLSX, "A vendor's workbook.", "vendor_id"),
    "/vendors/{vendor_id}/report.pdf": download(
        "application/pdf",
        "A vendor's due-diligence report, built within the request.",
        "vendor_id",
        {"503": problem("The report could not be built (time or size bound).")},
    ),
    "/campaigns/{campaign_id}/export.xlsx": download(XLSX, "A campaign's workbook.", "campaign_id"),
    "/campaigns/{campaign_id}/oscal": oscal(
        "A campaign's assessments as OSCAL assessment results.",
        "campaign_id",
        "No such campaign.",
    ),
    "/vendors/{vendor_id}/oscal": oscal(
        "Every assessment of a vendor as OSCAL assessment results.",
        "vendor_id",
        "No such vendor, or it was never sent a questionnaire.",
    ),
    "/findings": listing(
        "List findings, most severe first.",
        "FindingPage",
        [
            {"name": "severity", "in": "query", "schema": {"type": "string", "enum": SEVERITIES}},
            {
                "name": "state",
                "in": "query",
                "schema": {"type": "string", "enum": list(FINDING_STATE_LABELS)},
                "description": "`open` includes planned findings and expired risk acceptances.",
            },
            {"name": "overdue", "in": "query", "schema": {"type": "boolean"}},
            {"name": "category", "in": "query", "schema": STR},
            {"name": "vendor_id", "in": "query", "schema": ID},
        ],
    ),
}


def document(server_url: str = "/api/v1") -> dict:
    """Return the OpenAPI document with the given server URL."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "VendorRisk API",
            "version": "1.0.0",
            "description": "Vendor inventory, campaigns, results, findings and advisories. "
            "Authenticate with a personal API token from your profile page: "
            "`Authorization: Bearer <token>`. Errors are "
            "application/problem+json (RFC 9457).",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
