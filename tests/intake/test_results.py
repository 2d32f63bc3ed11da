"""Exposure result per vendor and advisory: affected, not affected (with the VEX justification)
or unknown, decided by the strongest source: VEX, SBOM, catalogue CPE, purl + range, name or
alias, then a person; a campaign from the advisory goes to affected and unknown vendors."""

import pytest

from tests.conftest import make_user
from tests.intake.helpers import CSAF, SBOM, VEX_CSAF, VEX_CYCLONEDX, as_loaded, data, loaded
from tests.support.factories import make_vendor
from vendorrisk.advisories import exposure
from vendorrisk.advisories.launch import launch_context
from vendorrisk.advisories.models import CONFIRMED
from vendorrisk.intake.csaf_import import import_csaf
from vendorrisk.intake.publishing import publish
from vendorrisk.intake.sbom import upload_sbom
from vendorrisk.intake.vex import upload_vex
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.matching import find_products


def sbom_with(version: str) -> dict:
    document = data(SBOM)
    nested = document["components"][0]["components"][0]
    nested["version"], nested["purl"] = version, f"pkg:npm/acme-widget-server@{version}"
    del document["components"][1]  # no Gadget Hub
    return document


def product(name):
    [found] = find_products(name)
    return found


@pytest.fixture
def scene(db_session):
    """An imported advisory and one vendor per source and outcome."""
    advisory = import_csaf(loaded(CSAF)).advisory
    v = {
        name: make_vendor(name)
        for name in (
            "vex not affected",
            "vex affected",
            "sbom affected",
            "sbom fixed",
            "sbom pre-release",
            "cpe",
            "purl",
            "name",
            "no version",
            "person",
            "fixed in catalogue",
            "unrelated",
        )
    }
    upload_sbom(v["vex not affected"], loaded(SBOM), None)
    upload_vex(v["vex not affected"], loaded(VEX_CYCLONEDX), None)
    upload_vex(v["vex affected"], loaded(VEX_CSAF), None)
    upload_sbom(v["sbom affected"], loaded(SBOM), None)
    upload_sbom(v["sbom fixed"], as_loaded(sbom_with("1.2.5")), None)
    upload_sbom(v["sbom pre-release"], as_loaded(sbom_with("1.2.5-rc.1")), None)
    catalogue.add_product_use(v["cpe"], product("Gadget Hub").id, "3.1")
    catalogue.add_product_use(v["purl"], product("Widget Server").id, "1.0.0")
    catalogue.add_product_use(v["name"], product("Relay Agent").id, "4.1")
    catalogue.add_product_use(v["no version"], product("Relay Agent").id)
    catalogue.add_product_use(v["fixed in catalogue"], product("Gadget Hub").id, "3.2")
    manager = make_user("manager")
    exposure.set_exposure(advisory, v["person"], CONFIRMED, "Told us on the phone.", manager)
    return advisory, v


def results(advisory):
    return {r.vendor.name: r.result for r in exposure.vendor_rows(advisory)}


def test_each_vendor_gets_its_result_and_the_rule_that_decided_it(scene):
    advisory, _ = scene
    got = {name: (r.outcome, r.rule_label) for name, r in results(advisory).items()}
    assert got == {
        "vex not affected": ("not_affected", "VEX"),
        "vex affected": ("affected", "VEX"),
        "sbom affected": ("affected", "SBOM"),
        "sbom fixed": ("not_affected", "SBOM"),
        "sbom pre-release": ("affected", "SBOM"),
        "cpe": ("affected", "CPE"),
        "purl": ("affected", "purl + range"),
        "name": ("affected", "name/alias"),
        "no version": ("unknown", "name/alias"),
        "person": ("affected", "person"),
    }


def test_vex_beats_the_sbom_and_shows_its_justification_and_evidence(scene):
    advisory, _ = scene
    result = results(advisory)["vex not affected"]
    assert result.justification == "code_not_reachable"
    assert "CVE-2099-0001 not affected for Payroll Portal 5.2" in result.detail
    assert len(result.evidence) == 64


def test_the_sbom_rule_names_the_component_and_the_range(scene):
    advisory, _ = scene
    detail = results(advisory)["sbom affected"].detail
    assert "acme-widget-server 1.1.0 in the SBOM of Payroll Portal" in detail
    assert "vers:npm/>=1.0.0|<1.2.5" in detail


def test_a_replaced_sbom_no_longer_counts(scene):
    advisory, v = scene
    upload_sbom(v["sbom affected"], as_loaded(sbom_with("1.2.5")), None)
    assert results(advisory)["sbom affected"].outcome == "not_affected"


def test_the_page_shows_each_result_with_its_rule(app, scene):
    from tests.advisories.conftest import login

    advisory, _ = scene
    client, _ = login(app, "compliance")
    page = client.get(f"/advisories/{advisory.slug}").text
    assert 'id="results-table"' in page
    assert "code_not_reachable" in page and "purl + range" in page and "name/alias" in page


def test_a_campaign_goes_to_affected_and_unknown_vendors_by_default(scene):
    advisory, v = scene
    publish(advisory, make_user("manager"))
    context = launch_context(advisory.slug)
    chosen = sorted(context.vendor_names)
    assert chosen == sorted(
        [
            "vex affected",
            "sbom affected",
            "sbom pre-release",
            "cpe",
            "purl",
            "name",
            "no version",
            "person",
        ]
    )
