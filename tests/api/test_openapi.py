"""The OpenAPI document matches the behaviour: schemathesis fuzzes every operation in process,
and each documented response of a seeded database validates against its schema (with
jsonschema_rs, which schemathesis brings)."""

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from tests.support.factories import approved_version, make_vendor
from vendorrisk.api.openapi import document

SCHEMA = schemathesis.openapi.from_dict(document("http://localhost/api/v1"))
OPERATIONS = [op.ok() for op in SCHEMA.get_all_operations()]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_document_is_public_and_openapi_3_1(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"][0]["url"].endswith("/api/v1")


def test_every_api_route_is_documented(app):
    documented = {
        (path, method.upper())
        for path, item in document()["paths"].items()
        for method in item
        if method != "parameters"
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.removeprefix("/api/v1")
            path = path.replace("<int:", "{").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method))
    assert routes == documented


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_schemathesis_finds_no_mismatch(api, db_session, operation, mode):
    """Generated requests (valid and not) get documented statuses, types and bodies, never a
    500."""
    if mode is GenerationMode.NEGATIVE and operation.label == "GET /openapi.json":
        pytest.skip("nothing in this request can be made invalid")
    approved_version()
    make_vendor()
    token = api.token("manager")

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        kwargs = case.as_transport_kwargs(base_url="http://localhost/api/v1")
        headers = {
            k: v for k, v in kwargs["headers"].items() if k in ("Content-Type", "Idempotency-Key")
        }
        if "Authorization" in kwargs["headers"]:
            # A generated bearer value is replaced by a real token; a case that leaves the
            # header out (a negative case) goes without.
            headers["Authorization"] = f"Bearer {token}"
        response = api.client.open(
            kwargs["url"].removeprefix("http://localhost"),
            method=kwargs["method"],
            query_string=kwargs.get("params"),
            json=kwargs.get("json"),
            headers=headers,
        )
        checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
        case.validate_response(response, checks=checks)

    run()


def _validator(name: str) -> jsonschema_rs.Draft202012Validator:
    doc = document()
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def test_seeded_responses_validate_against_their_schemas(api, submitted):
    """Every 200 body of a database with a submitted assignment and findings matches."""
    from tests.advisories.helpers import add_update, make_advisory

    advisory = make_advisory()
    add_update(advisory)
    token = api.token("compliance")
    cases = {
        "/vendors": "VendorPage",
        f"/vendors/{submitted.vendor_id}": "VendorDetail",
        "/products": "ProductPage",
        "/templates": "TemplatePage",
        "/advisories": "AdvisoryPage",
        f"/advisories/{advisory.slug}": "AdvisoryDetail",
        f"/campaigns/{submitted.campaign_id}": "Campaign",
        f"/assignments/{submitted.id}/result": "Result",
        "/findings": "FindingPage",
        "/nope": "Problem",
    }
    for path, name in cases.items():
        body = api.get(path, token).get_json()
        errors = [e.message for e in _validator(name).iter_errors(body)]
        assert errors == [], (path, errors)
