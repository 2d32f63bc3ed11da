"""CPE names and package URLs in the catalogue: parsed by their libraries, keyed for matching,
and refused with the reason when they do not parse."""

import pytest

from tests.advisories.helpers import make_product
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.identifiers import (
    IdentifierError,
    parse_cpe,
    parse_identifier,
    parse_purl,
)
from vendorrisk.vendors.services import VendorError


def test_a_purl_keys_on_type_namespace_and_name_and_keeps_its_version():
    ident = parse_purl("pkg:maven/org.example.logging/logkit-core@2.14.1?type=jar")
    assert ident.key == "pkg:maven/org.example.logging/logkit-core"
    assert ident.version == "2.14.1" and ident.scheme == "maven"
    assert parse_purl("pkg:npm/%40acme/widget@1.0.0").key == "pkg:npm/%40acme/widget"


def test_a_purl_of_a_type_univers_does_not_know_compares_as_generic():
    assert parse_purl("pkg:generic/acme/thing@1.0").scheme == "generic"


def test_a_cpe_keys_on_part_vendor_and_product_whatever_the_case():
    ident = parse_cpe("cpe:2.3:a:Acme:Widget_Server:3.1.4:*:*:*:*:*:*:*")
    assert ident.key == "cpe:2.3:a:acme:widget_server"
    assert ident.version == "3.1.4"
    assert parse_cpe("cpe:2.3:a:acme:widget_server:*:*:*:*:*:*:*:*").version is None


def test_a_cpe_2_2_uri_is_read_as_its_2_3_name():
    ident = parse_cpe("cpe:/a:acme:widget_server:3.1")
    assert ident.key == "cpe:2.3:a:acme:widget_server" and ident.version == "3.1"


@pytest.mark.parametrize(
    "text",
    ["cpe:2.3:a:acme", "cpe:2.3:q:acme:widget:*:*:*:*:*:*:*:*", "cpe:2.3:a:*:*:*:*:*:*:*:*:*:*"],
)
def test_a_cpe_that_does_not_parse_is_refused_with_its_text(text):
    with pytest.raises(IdentifierError, match="acme|no vendor"):
        parse_cpe(text)


@pytest.mark.parametrize("text", ["pkg:", "pkg:npm", "notapurl", "pkg:/x@1"])
def test_a_purl_that_does_not_parse_is_refused(text):
    with pytest.raises(IdentifierError):
        parse_purl(text)


def test_an_identifier_is_told_apart_by_its_prefix():
    assert parse_identifier(" pkg:pypi/widget@1.0 ").kind == "purl"
    assert parse_identifier("cpe:2.3:a:acme:w:*:*:*:*:*:*:*:*").kind == "cpe"
    with pytest.raises(IdentifierError, match="neither a CPE"):
        parse_identifier("widget 1.0")


def test_catalogue_products_carry_cpes_and_purls_and_refuse_bad_ones(db_session):
    product = make_product("Widget Server")
    changed = catalogue.update_product(
        product,
        {
            "cpes": "cpe:2.3:a:acme:widget_server:*:*:*:*:*:*:*:*",
            "purls": "pkg:maven/com.acme/widget-server\npkg:npm/widget-server",
        },
    )
    assert changed == ["identifiers"]
    assert product.cpes == ["cpe:2.3:a:acme:widget_server:*:*:*:*:*:*:*:*"]
    assert product.purls == ["pkg:maven/com.acme/widget-server", "pkg:npm/widget-server"]
    assert {i.key for i in product.identifiers} == {
        "cpe:2.3:a:acme:widget_server",
        "pkg:maven/com.acme/widget-server",
        "pkg:npm/widget-server",
    }
    with pytest.raises(VendorError) as refused:
        catalogue.update_product(product, {"purls": "pkg:npm"})
    assert "purls" in refused.value.errors
    assert len(product.identifiers) == 3


def test_the_product_form_saves_identifiers_and_shows_an_error_beside_the_field(app, db_session):
    from tests.advisories.conftest import login

    product = make_product("Gadget")
    client, _ = login(app, "manager")
    form = {
        "supplier": "Acme",
        "name": "Gadget",
        "supplier_vendor_id": "",
        "aliases": "",
        "known_versions": "",
        "cpes": "cpe:2.3:a:acme:gadget:*:*:*:*:*:*:*:*",
        "purls": "not a purl",
    }
    bad = client.post(f"/products/{product.id}/edit", data=form)
    assert bad.status_code == 200 and "is not a valid purl" in bad.text
    assert product.identifiers == []
    ok = client.post(f"/products/{product.id}/edit", data={**form, "purls": "pkg:npm/gadget"})
    assert ok.status_code == 302
    page = client.get(f"/products/{product.id}")
    assert "cpe:2.3:a:acme:gadget:*:*:*:*:*:*:*:*" in page.text and "pkg:npm/gadget" in page.text


def test_an_identifier_too_long_to_key_is_refused_rather_than_cut():
    with pytest.raises(IdentifierError, match="over 500 characters"):
        parse_purl("pkg:npm/" + "a" * 600)
    with pytest.raises(IdentifierError, match="over 500 characters"):
        parse_cpe(f"cpe:2.3:a:{'v' * 300}:{'p' * 300}:*:*:*:*:*:*:*:*")
