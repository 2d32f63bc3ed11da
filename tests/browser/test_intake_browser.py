"""Breach intake in a real Chromium: a vendor manager imports a CSAF file, sees each vendor's
exposure result with the rule that decided it, cannot publish the draft herself; a second
manager publishes it and launches the campaign, which goes to the affected and unknown vendors.
"""

from __future__ import annotations

import re

from tests.browser.test_journeys import sign_in, vendor_box
from tests.conftest import make_user
from tests.intake.helpers import CSAF, SBOM, VEX_CYCLONEDX, loaded
from tests.support.factories import approved_version, make_vendor

BY_CPE = "Hubbard Logistics"  # uses Gadget Hub 3.1, a CPE in the catalogue
BY_SBOM = "Sable Payroll"  # its SBOM has acme-widget-server 1.1.0
UNKNOWN = "Umber Couriers"  # uses Relay Agent, version not recorded
CLEARED = "Vexley Insurance"  # its SBOM matches, but its VEX says not affected
UNRELATED = "Quill Stationers"


def _seed():
    from vendorrisk.intake.sbom import upload_sbom
    from vendorrisk.intake.vex import upload_vex
    from vendorrisk.vendors import catalogue

    importer = make_user("manager", name="Ida Importer")
    publisher = make_user("manager", name="Pat Publisher")
    approved_version()
    hub = catalogue.create_product(
        {
            "supplier": "Acme Fictional",
            "name": "Hub Appliance",
            "cpes": "cpe:2.3:a:acme_fictional:gadget_hub:*:*:*:*:*:*:*:*",
        }
    )
    relay = catalogue.create_product({"supplier": "Acme Fictional", "name": "Relay Agent"})
    catalogue.add_product_use(make_vendor(BY_CPE, owner=importer), hub.id, "3.1")
    catalogue.add_product_use(make_vendor(UNKNOWN, owner=importer), relay.id)
    upload_sbom(make_vendor(BY_SBOM, owner=importer), loaded(SBOM), importer)
    cleared = make_vendor(CLEARED, owner=importer)
    upload_sbom(cleared, loaded(SBOM), importer)
    upload_vex(cleared, loaded(VEX_CYCLONEDX), importer)
    make_vendor(UNRELATED, owner=importer)
    return importer.email, publisher.email


def row(page, name: str):
    return page.locator("#results-table").get_by_role("row").filter(has_text=name)


def test_import_a_csaf_file_publish_it_and_launch_to_affected_and_unknown_vendors(
    page, seed, shoot, accessible
):
    importer, publisher = seed(_seed)

    sign_in(page, importer)
    page.get_by_role("link", name="Advisories").click()
    page.get_by_role("link", name="Import CSAF").click()
    accessible("import")
    page.get_by_label("CSAF 2.0 document (JSON)").set_input_files(str(CSAF))
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_url(re.compile(r".*/advisories/acme-2099-001$"))
    assert page.locator("#draft-banner").is_visible()
    assert page.get_by_role("button", name="Publish").count() == 0  # not by the importer
    assert page.get_by_role("link", name="Launch campaign").count() == 0
    assert "CVE-2099-0001" in page.locator("#vulnerabilities").inner_text()

    assert "Affected" in row(page, BY_CPE).inner_text()
    assert row(page, BY_CPE).locator(".rule").inner_text() == "CPE"
    assert row(page, BY_SBOM).locator(".rule").inner_text() == "SBOM"
    assert "acme-widget-server 1.1.0" in row(page, BY_SBOM).inner_text()
    assert "Unknown" in row(page, UNKNOWN).inner_text()
    assert row(page, UNKNOWN).locator(".rule").inner_text() == "name/alias"
    cleared = row(page, CLEARED).inner_text()
    assert "Not affected" in cleared and "code_not_reachable" in cleared
    assert row(page, CLEARED).locator(".rule").inner_text() == "VEX"
    assert row(page, UNRELATED).count() == 0
    shoot("draft")
    accessible("draft")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, publisher)
    page.goto("/advisories/acme-2099-001")
    page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("The advisory is published.").is_visible()
    assert page.locator("#draft-banner").count() == 0
    page.get_by_role("link", name="Launch campaign").click()
    page.wait_for_url(re.compile(r".*/campaigns/new\?advisory=acme-2099-001$"))
    for name in (BY_CPE, BY_SBOM, UNKNOWN):
        assert vendor_box(page, name).is_checked(), name
    assert not vendor_box(page, CLEARED).is_checked()
    assert not vendor_box(page, UNRELATED).is_checked()
    ours = {vendor_box(page, name).get_attribute("id") for name in (BY_CPE, BY_SBOM, UNKNOWN)}
    for box in page.locator("input[name=vendors]:checked").all():
        if box.get_attribute("id") not in ours:
            box.uncheck()  # vendors other tests exposed stay out of this campaign
    questionnaire = page.get_by_label("Questionnaire")
    value = questionnaire.locator("option", has_text="Connector breach check").first
    questionnaire.select_option(value.get_attribute("value"))
    page.get_by_label("Due date", exact=True).fill("2099-12-31")
    shoot("launch")
    accessible("launch")
    page.get_by_role("button", name="Preview recipients").click()
    page.get_by_role("button", name="Send to 3 vendors").click()
    page.wait_for_url(re.compile(r".*/campaigns/\d+$"))
    assert page.get_by_text("Sent to 3 vendors.").is_visible()
