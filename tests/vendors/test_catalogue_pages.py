"""Product catalogue pages and the products a vendor uses."""

from sqlalchemy import select

from tests.vendors.factories import make_product, make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.models import Product


def _error_beside(response, field: str) -> str:
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.text, response.text[:3000]
    return response.text.split(f'id="{field}-error">', 1)[1].split("</div>", 1)[0]


def test_a_manager_adds_a_product_with_aliases_and_versions(client, auth, db_session):
    auth.login("manager")
    response = client.post(
        "/products/new",
        data={
            "supplier": "Mimecast",
            "supplier_vendor_id": "",
            "name": "Mimecast Sync and Recover",
            "aliases": "Mimecast S&R\nMimecast Sync & Recover\nmimecast s&r",
            "known_versions": "",
        },
    )
    assert response.status_code == 302
    product = db.session.scalar(select(Product))
    assert product.alias_names == ["Mimecast S&R", "Mimecast Sync & Recover"]
    page = client.get(response.location).text
    assert "Mimecast S&amp;R" in page
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "product.created"))


def test_a_product_name_already_used_as_an_alias_is_refused(client, auth, db_session):
    make_product("Microsoft 365", "Microsoft", aliases=["Office 365"])
    auth.login("manager")
    response = client.post(
        "/products/new",
        data={
            "supplier": "Microsoft",
            "supplier_vendor_id": "",
            "name": "office  365",
            "aliases": "",
            "known_versions": "",
        },
    )
    assert "already used by the product Microsoft 365" in _error_beside(response, "name")


def test_editing_a_product_replaces_its_aliases(client, auth, db_session):
    product = make_product(
        "SolarWinds Orion Platform", "SolarWinds", aliases=["Orion"], versions=["2020.2"]
    )
    auth.login("manager")
    form = client.get(f"/products/{product.id}/edit").text
    assert "Orion</textarea>" in form
    response = client.post(
        f"/products/{product.id}/edit",
        data={
            "supplier": "SolarWinds",
            "supplier_vendor_id": "",
            "name": "SolarWinds Orion Platform",
            "aliases": "SolarWinds Orion\nOrion Platform",
            "known_versions": "2020.2\n2020.2 HF 1",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert product.alias_names == ["SolarWinds Orion", "Orion Platform"]
    assert product.known_versions == ["2020.2", "2020.2 HF 1"]
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "product.updated")
    ).all()[-1]
    assert set(entry.details["fields"]) == {"aliases", "known_versions"}


def test_the_catalogue_search_finds_aliases_whatever_the_spacing(client, auth, db_session):
    make_product("Mimecast Sync and Recover", "Mimecast", aliases=["Mimecast S&R"])
    make_product("Microsoft 365", "Microsoft")
    auth.login("compliance")
    page = client.get("/products/?q=mimecast%20%20s%26r").text
    assert "Mimecast Sync and Recover" in page and "Microsoft 365" not in page


def test_a_vendor_records_a_product_used_through_a_subcontractor(client, auth, db_session):
    vendor = make_vendor("Law Firm")
    product = make_product("Mimecast Secure Email Gateway", "Mimecast")
    auth.login("manager")
    response = client.post(
        f"/vendors/{vendor.id}/products/new",
        data={"product_id": str(product.id), "versions": "", "subcontractor": "Keyrow Managed IT"},
    )
    assert response.status_code == 302
    page = client.get(f"/vendors/{vendor.id}").text
    assert "through Keyrow Managed IT" in page
    assert "through Keyrow Managed IT" in client.get(f"/products/{product.id}").text
    again = client.post(
        f"/vendors/{vendor.id}/products/new",
        data={"product_id": str(product.id), "versions": "", "subcontractor": "keyrow  managed it"},
    )
    assert "already uses" in _error_beside(again, "product_id")


def test_removing_a_product_use_is_audited(client, auth, db_session):
    vendor = make_vendor()
    product = make_product("Widget", "Widgets")
    use_id = catalogue.add_product_use(vendor, product.id, "1.0").id
    auth.login("manager")
    response = client.post(f"/vendors/{vendor.id}/products/{use_id}/remove", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert vendor.product_uses == []
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "product_use.removed")
    ).all()[-1]
    assert entry.details == {"product_id": product.id, "use_id": use_id}


def test_another_vendors_product_use_cannot_be_removed(client, auth, db_session):
    vendor, other = make_vendor(), make_vendor()
    product = make_product("Widget", "Widgets")
    use = catalogue.add_product_use(other, product.id)
    auth.login("manager")
    assert client.post(f"/vendors/{vendor.id}/products/{use.id}/remove", data={}).status_code == 404
