"""/api/v1/vendors and /api/v1/products, /api/v1/templates: reads, writes and pagination."""

import pytest

from tests.advisories.helpers import make_product
from tests.api.conftest import assert_problem
from tests.support.factories import approved_version, make_vendor
from vendorrisk.extensions import db
from vendorrisk.vendors.models import ProductUse

READ_PATHS = ("/vendors", "/vendors/{id}", "/products", "/templates", "/advisories", "/findings")


@pytest.mark.parametrize("role", ["admin", "manager", "compliance"])
@pytest.mark.parametrize("path", READ_PATHS)
def test_every_role_reads(api, db_session, role, path):
    vendor = make_vendor()
    response = api.get(path.format(id=vendor.id), api.token(role))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"


@pytest.mark.parametrize("role,status", [("admin", 201), ("manager", 201), ("compliance", 403)])
def test_who_may_add_a_vendor(api, db_session, role, status):
    response = api.post(
        "/vendors",
        api.token(role),
        json={
            "name": f"Acme {role}",
            "criticality": "high",
            "data_access": "confidential",
            "contract_start": "2026-01-01",
            "country": "de",
        },
    )
    assert response.status_code == status
    if status == 201:
        body = response.get_json()
        assert body["country"] == "DE" and body["contract_start"] == "2026-01-01"
        assert response.headers["Location"].endswith(f"/api/v1/vendors/{body['id']}")
        assert body["risk_tier"] in (1, 2, 3, 4)


@pytest.mark.parametrize("role,status", [("admin", 200), ("manager", 200), ("compliance", 403)])
def test_who_may_change_a_vendor(api, db_session, role, status):
    vendor = make_vendor()
    response = api.patch(f"/vendors/{vendor.id}", api.token(role), json={"notes": "Checked."})
    assert response.status_code == status
    if status == 200:
        assert response.get_json()["notes"] == "Checked."
        assert response.get_json()["name"] == vendor.name  # fields not sent stay


def test_service_validation_names_each_bad_field(api, db_session):
    make_vendor("Taken Ltd")
    response = api.post(
        "/vendors",
        api.token(),
        json={
            "name": "taken ltd",
            "criticality": "extreme",
            "data_access": "none",
        },
    )
    assert_problem(response, 422, "name", "criticality")


def test_a_missing_required_field_is_named(api):
    assert_problem(
        api.post("/vendors", api.token(), json={}), 422, "name", "criticality", "data_access"
    )


@pytest.mark.parametrize(
    ("dates", "fields"),
    [
        ({"contract_start": "2026-05-01", "contract_end": "2026-01-01"}, ["contract_end"]),
        (
            {"renewal_date": "9999-12-31", "contract_start": "0001-01-01"},
            ["renewal_date", "contract_start"],
        ),
    ],
    ids=["end-before-start", "outside-1900-to-2199"],
)
def test_patch_refuses_impossible_contract_dates(api, db_session, dates, fields):
    vendor = make_vendor()
    response = api.patch(f"/vendors/{vendor.id}", api.token(), json=dates)
    assert_problem(response, 422, *fields)


def test_a_vendor_shows_its_contacts_and_products(api, db_session):
    vendor = make_vendor()
    product = make_product("Gateway", versions=["1.0"])
    db.session.add(ProductUse(vendor_id=vendor.id, product_id=product.id, versions=["1.0"]))
    db.session.flush()
    body = api.get(f"/vendors/{vendor.id}", api.token("compliance")).get_json()
    assert len(body["contacts"]) == 2
    assert {"primary"} in [set(c["kinds"]) for c in body["contacts"]]
    assert body["products"][0]["product"] == "Gateway"
    assert body["products"][0]["versions"] == ["1.0"]


def test_pagination_edges(api, db_session):
    for n in range(5):
        make_vendor(f"Paged {n}")
    token = api.token()
    first = api.get("/vendors?per_page=2", token).get_json()
    assert first["page"] == 1 and first["per_page"] == 2 and first["total"] == 5
    assert [v["name"] for v in first["items"]] == ["Paged 0", "Paged 1"]
    last = api.get("/vendors?per_page=2&page=3", token).get_json()
    assert [v["name"] for v in last["items"]] == ["Paged 4"]
    beyond = api.get("/vendors?per_page=2&page=4", token).get_json()
    assert beyond["items"] == [] and beyond["total"] == 5
    everything = api.get("/vendors?per_page=100", token).get_json()
    assert len(everything["items"]) == 5


def test_products_and_templates_are_listed(api, db_session):
    make_product("Listed widget", aliases=["LW"])
    version = approved_version()
    token = api.token("compliance")
    products = api.get("/products", token).get_json()["items"]
    assert products[0]["name"] == "Listed widget" and products[0]["aliases"] == ["LW"]
    templates = api.get("/templates", token).get_json()["items"]
    assert templates[0]["current_version_id"] == version.id
    assert templates[0]["versions"][0]["status"] == "approved"
