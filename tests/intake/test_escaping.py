"""Text from CSAF documents, SBOMs and VEX statements is data: every page that shows it escapes
it (Markdown notes are rendered and cleaned), so a script in a vendor's file never runs."""

from sqlalchemy import select

from tests.advisories.conftest import login
from tests.intake.helpers import CSAF, SBOM, VEX_CYCLONEDX, as_loaded, data
from tests.support.factories import make_vendor
from vendorrisk.extensions import db
from vendorrisk.intake.csaf_import import import_csaf
from vendorrisk.intake.models import Sbom, VexDocument
from vendorrisk.intake.sbom import upload_sbom
from vendorrisk.intake.vex import upload_vex
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.matching import find_products

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=2">'


def clean(html: str) -> None:
    assert SCRIPT not in html and IMG not in html
    assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", "")


def test_payloads_in_a_csaf_document_are_shown_as_text(app, db_session):
    document = data(CSAF)
    document["document"]["title"] = f"Advisory {SCRIPT}"
    document["document"]["notes"][0]["text"] = f"Summary {IMG} {SCRIPT}"
    document["vulnerabilities"][0]["title"] = f"Flaw {SCRIPT}"
    document["vulnerabilities"][0]["remediations"][0]["details"] = f"Update {IMG}"
    advisory = import_csaf(as_loaded(document)).advisory
    vendor = make_vendor(f"Vendor {SCRIPT}")
    [widget] = find_products("Widget Server")
    catalogue.add_product_use(vendor, widget.id, f"1.1.0 {IMG}")
    client, _ = login(app, "manager")
    page = client.get(f"/advisories/{advisory.slug}").text
    clean(page)
    assert "Flaw &lt;script&gt;" in page and "Update &lt;img" in page


def test_payloads_in_sboms_and_vex_statements_are_shown_as_text(app, db_session):
    vendor = make_vendor("Payload Holdings")
    sbom = data(SBOM)
    sbom["metadata"]["component"]["name"] = f"Portal {SCRIPT}"
    sbom["components"][2]["name"] = f"lib {IMG}"
    upload_sbom(vendor, as_loaded(sbom, "sbom.json"), None)
    vex = data(VEX_CYCLONEDX)
    vex["vulnerabilities"][0]["analysis"]["detail"] = f"Not reachable {SCRIPT}"
    upload_vex(vendor, as_loaded(vex, "vex.json"), None)
    client, _ = login(app, "compliance")
    sbom_row = db.session.scalar(select(Sbom))
    document = db.session.scalar(select(VexDocument))
    for path in (
        f"/vendors/{vendor.id}",
        f"/vendors/{vendor.id}/sboms/{sbom_row.id}",
        f"/vendors/{vendor.id}/vex/{document.id}",
    ):
        page = client.get(path)
        assert page.status_code == 200
        clean(page.text)
    assert (
        "Not reachable &lt;script&gt;" in client.get(f"/vendors/{vendor.id}/vex/{document.id}").text
    )
