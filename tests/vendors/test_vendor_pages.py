"""Vendor pages: who may do what, validation beside the field, offboarding, list and export."""

import csv
import io

import pytest
from sqlalchemy import event, func, select

from tests.conftest import make_user
from tests.vendors.factories import make_contact, make_product, make_vendor, vendor_form
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.models import Vendor


def _vendor_count() -> int:
    return db.session.scalar(select(func.count(Vendor.id)))


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/vendors/", "/vendors/new", "/vendors/import", "/products/", "/vendors/export.csv"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.location


def test_a_compliance_officer_reads_and_exports_but_changes_nothing(client, auth, db_session):
    vendor = make_vendor("Readonly Ltd")
    contact = make_contact(vendor)
    product = make_product("Widget", "Widgets Inc")
    auth.login("compliance")
    for path in (
        "/vendors/",
        f"/vendors/{vendor.id}",
        "/vendors/export.csv",
        "/products/",
        f"/products/{product.id}",
    ):
        assert client.get(path).status_code == 200, path
    page = client.get(f"/vendors/{vendor.id}").text
    assert "Edit</a>" not in page and "Add contact" not in page
    refused = [
        ("get", "/vendors/new"),
        ("post", "/vendors/new"),
        ("post", f"/vendors/{vendor.id}/edit"),
        ("post", f"/vendors/{vendor.id}/offboard"),
        ("post", f"/vendors/{vendor.id}/contacts/new"),
        ("post", f"/vendors/{vendor.id}/contacts/{contact.id}/edit"),
        ("post", f"/vendors/{vendor.id}/contacts/{contact.id}/erase"),
        ("post", f"/vendors/{vendor.id}/products/new"),
        ("get", "/vendors/import"),
        ("post", "/vendors/import/confirm"),
        ("post", "/products/new"),
        ("post", f"/products/{product.id}/edit"),
    ]
    for method, path in refused:
        data = vendor_form(name="Sneaky") if method == "post" else None
        assert getattr(client, method)(path, data=data).status_code == 403, path
    assert services_unchanged(vendor)


def services_unchanged(vendor) -> bool:
    db.session.expire_all()
    return vendor.name == "Readonly Ltd" and vendor.status == "active"


def test_a_manager_creates_a_vendor_and_sees_its_tier(client, auth, db_session):
    owner = make_user("manager")
    auth.login("manager")
    response = client.post("/vendors/new", data=vendor_form(owner_id=str(owner.id)))
    assert response.status_code == 302
    vendor = db.session.scalar(select(Vendor).where(Vendor.name == "Acme Payroll"))
    assert vendor.risk_tier == 1 and vendor.owner_id == owner.id
    page = client.get(response.location).text
    assert "Tier 1 · Critical" in page and "Total 6 points" in page
    entry = _audit("vendor.created")[-1]
    assert entry.object_id == str(vendor.id) and "name" in entry.details["fields"]


def test_a_manager_edits_a_vendor_and_the_change_is_audited_by_field_name(client, auth, db_session):
    vendor = make_vendor("Editable Ltd")
    auth.login("manager")
    response = client.post(
        f"/vendors/{vendor.id}/edit",
        data=vendor_form(name="Editable Ltd", criticality="low", data_access="none", country="DE"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert vendor.country == "DE" and vendor.risk_tier == 4
    fields = _audit("vendor.updated")[-1].details["fields"]
    assert {"country", "criticality", "data_access", "risk_tier"} <= set(fields)


def test_a_manager_cannot_erase_contacts_only_an_admin_can(client, auth, db_session):
    vendor = make_vendor()
    contact = make_contact(vendor)
    auth.login("manager")
    assert (
        client.post(f"/vendors/{vendor.id}/contacts/{contact.id}/erase", data={}).status_code == 403
    )


# --- validation beside the field, nothing changed --------------------------------------------


def _refused(client, url, data, field, words):
    before = _vendor_count()
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.text, response.text[:2000]
    error = response.text.split(f'id="{field}-error">', 1)[1].split("</div>", 1)[0]
    assert words in error
    assert "Nothing was saved" in response.text
    assert _vendor_count() == before


def test_a_duplicate_name_is_refused_whatever_its_case(client, auth, db_session):
    make_vendor("Harbourline Payroll")
    auth.login("manager")
    _refused(
        client,
        "/vendors/new",
        vendor_form(name="  HARBOURLINE   payroll "),
        "name",
        "already exists",
    )


def test_an_lei_with_a_bad_check_digit_is_refused(client, auth, db_session):
    auth.login("manager")
    _refused(
        client,
        "/vendors/new",
        vendor_form(lei="5493001KJTIIGC8Y1R13"),
        "lei",
        "check digits are wrong",
    )


def test_a_valid_lei_is_stored_normalised(client, auth, db_session):
    auth.login("manager")
    client.post("/vendors/new", data=vendor_form(lei="5493001kjtiigc8y1r12"))
    vendor = db.session.scalar(select(Vendor).where(Vendor.name == "Acme Payroll"))
    assert vendor.lei == "5493001KJTIIGC8Y1R12"


def test_a_contract_cannot_end_before_it_starts(client, auth, db_session):
    auth.login("manager")
    _refused(
        client,
        "/vendors/new",
        vendor_form(contract_start="2024-05-01", contract_end="2024-04-30"),
        "contract_end",
        "cannot end before it starts",
    )


def test_a_parent_company_cycle_is_refused(client, auth, db_session):
    group = make_vendor("Group Holdings")
    subsidiary = make_vendor("Subsidiary Ltd", parent_id=group.id)
    grandchild = make_vendor("Grandchild Ltd", parent_id=subsidiary.id)
    auth.login("manager")
    _refused(
        client,
        f"/vendors/{group.id}/edit",
        vendor_form(name="Group Holdings", parent_id=str(grandchild.id)),
        "parent_id",
        "would make a cycle",
    )
    db.session.expire_all()
    assert group.parent_id is None


def test_an_unknown_country_code_is_refused(client, auth, db_session):
    auth.login("manager")
    response = client.post("/vendors/new", data=vendor_form(country="XX"))
    assert 'id="country-error"' in response.text
    assert _vendor_count() == 0


def test_a_javascript_website_is_refused(client, auth, db_session):
    auth.login("manager")
    _refused(
        client,
        "/vendors/new",
        vendor_form(website="javascript:alert(1)"),
        "website",
        "Enter a domain",
    )


# --- offboarding ----------------------------------------------------------------------------


def test_deleting_a_vendor_offboards_it_and_keeps_its_record(client, auth, db_session):
    vendor = make_vendor("Leaving Ltd")
    make_contact(vendor)
    auth.login("manager")
    assert (
        "is marked <strong>offboarded</strong>" in client.get(f"/vendors/{vendor.id}/offboard").text
    )
    response = client.post(f"/vendors/{vendor.id}/offboard", data={})
    assert response.status_code == 302
    assert "is offboarded. Its record and history are kept." in client.get(response.location).text
    db.session.expire_all()
    assert vendor.status == "offboarded" and vendor.offboarded_at is not None
    assert len(vendor.contacts) == 1
    assert _audit("vendor.offboarded")[-1].object_id == str(vendor.id)
    assert "Leaving Ltd" not in client.get("/vendors/").text
    assert "Leaving Ltd" in client.get("/vendors/?status=any").text


# --- list -----------------------------------------------------------------------------------


def test_the_list_searches_name_legal_name_and_domain(client, auth, db_session):
    make_vendor("Alpha Payroll", legal_name="Alpha Payroll Holdings Ltd")
    make_vendor("Beta Backup", website="betabackup.example")
    make_vendor("Gamma Law", legal_name="Gamma & Partners LLP")
    auth.login("compliance")
    assert _names(client, "q=holdings") == ["Alpha Payroll"]
    assert _names(client, "q=BETABACKUP") == ["Beta Backup"]
    assert _names(client, "q=%26 partners") == ["Gamma Law"]
    assert _names(client, "q=%25") == []  # a wildcard character is searched for literally


def _names(client, query: str) -> list[str]:
    body = client.get("/vendors/export.csv?" + query).text
    return [row["name"] for row in csv.DictReader(io.StringIO(body))]


def test_the_list_filters_by_tier_access_status_owner_country_and_product(client, auth, db_session):
    owner = make_user("manager")
    orion = make_product("SolarWinds Orion Platform", "SolarWinds")
    a = make_vendor(
        "A Critical",
        criticality="critical",
        data_access="regulated",
        country="GB",
        owner_id=owner.id,
    )
    b = make_vendor(
        "B Low", criticality="low", data_access="none", country="DE", status="onboarding"
    )
    make_vendor("C Gone", status="offboarded", country="GB")
    catalogue.add_product_use(b, orion.id, "2020.2")
    auth.login("compliance")
    assert _names(client, "tier=1") == ["A Critical"]
    assert _names(client, "data_access=none") == ["B Low"]
    assert _names(client, "status=onboarding") == ["B Low"]
    assert _names(client, "status=offboarded") == ["C Gone"]
    assert _names(client, f"owner={owner.id}") == ["A Critical"]
    assert _names(client, "country=GB") == ["A Critical"]
    assert _names(client, "country=GB&status=any") == ["A Critical", "C Gone"]
    assert _names(client, f"product={orion.id}") == ["B Low"]
    page = client.get(f"/vendors/?product={orion.id}").text
    assert "B Low" in page and "A Critical" not in page
    assert a.id


def test_the_list_sorts_by_tier_criticality_status_and_renewal(client, auth, db_session):
    from datetime import date

    make_vendor(
        "Zed",
        criticality="critical",
        data_access="regulated",
        renewal_date=date(2027, 1, 1),
        status="onboarding",
    )
    make_vendor("Amy", criticality="low", data_access="none", renewal_date=date(2026, 1, 1))
    make_vendor("Mo", criticality="moderate", data_access="internal")
    auth.login("manager")
    assert _names(client, "sort=name") == ["Amy", "Mo", "Zed"]
    assert _names(client, "sort=-name") == ["Zed", "Mo", "Amy"]
    assert _names(client, "sort=tier") == ["Zed", "Mo", "Amy"]
    assert _names(client, "sort=-tier") == ["Amy", "Mo", "Zed"]
    assert _names(client, "sort=criticality") == ["Zed", "Mo", "Amy"]
    assert _names(client, "sort=status") == ["Zed", "Amy", "Mo"]
    assert _names(client, "sort=renewal") == ["Amy", "Zed", "Mo"]  # no date last
    assert _names(client, "sort=-renewal") == ["Zed", "Amy", "Mo"]
    assert _names(client, "sort=bogus") == ["Amy", "Mo", "Zed"]


def test_the_list_is_paginated(client, auth, db_session):
    for i in range(55):
        make_vendor(f"Vendor {i:03d}")
    auth.login("manager")
    first = client.get("/vendors/").text
    assert "Vendor 000" in first and "Vendor 049" in first and "Vendor 050" not in first
    assert "Page 1 of 2" in first
    second = client.get("/vendors/?page=2").text
    assert "Vendor 050" in second and "Vendor 049" not in second


def _queries_for(client, url: str) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _add_vendors(n: int, owner, product, parent) -> None:
    for _ in range(n):
        vendor = make_vendor(owner_id=owner.id, parent_id=parent.id)
        make_contact(vendor)
        catalogue.add_product_use(vendor, product.id, "1.0")


def test_the_list_query_count_does_not_grow_with_rows(client, auth, db_session):
    owner = make_user("manager")
    product = make_product("Microsoft 365", "Microsoft")
    parent = make_vendor("Parent Group")
    _add_vendors(4, owner, product, parent)
    auth.login("manager")
    client.get("/vendors/")  # warm-up: session bookkeeping on the first request
    at_5 = _queries_for(client, "/vendors/")
    _add_vendors(45, owner, product, parent)
    at_50 = _queries_for(client, "/vendors/")
    assert _vendor_count() == 50
    assert at_50 == at_5, (at_5, at_50)
    export_5 = _queries_for(client, "/vendors/export.csv")
    _add_vendors(10, owner, product, parent)
    assert _queries_for(client, "/vendors/export.csv") == export_5


# --- export ---------------------------------------------------------------------------------


def test_the_export_is_formula_safe_filtered_and_audited(client, auth, db_session):
    make_vendor('=HYPERLINK("http://evil.example","x")', criticality="low", data_access="none")
    make_vendor("@SUM(1)", notes="-2+3", criticality="critical", data_access="regulated")
    auth.login("compliance")
    response = client.get("/vendors/export.csv?tier=4")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["name"] for r in rows] == ['\'=HYPERLINK("http://evil.example","x")']
    assert rows[0]["risk_tier"] == "4"
    entry = _audit("export.vendors")[-1]
    assert entry.details == {"rows": 1, "filters": ["tier"]}
    everything = client.get("/vendors/export.csv").text
    assert "'@SUM(1)" in everything
