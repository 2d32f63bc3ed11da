"""Vendors' CycloneDX SBOMs: nested components become products the vendor uses via SBOM, with
the SBOM's date and SHA-256; a newer SBOM of the same product replaces the older one, which
stays on record; bad SBOMs are refused with their path."""

import hashlib

import pytest
from sqlalchemy import select

from tests.intake.helpers import SBOM, as_loaded, data, loaded
from tests.support.factories import make_vendor
from vendorrisk.extensions import db
from vendorrisk.intake.jsonfile import IntakeError
from vendorrisk.intake.models import Sbom, SbomComponent
from vendorrisk.intake.sbom import upload_sbom


def components(sbom) -> dict[str, tuple]:
    rows = db.session.scalars(select(SbomComponent).where(SbomComponent.sbom_id == sbom.id))
    return {c.name: (c.version, c.purl_key, c.cpe_key) for c in rows}


def test_nested_components_are_kept_with_purl_cpe_and_version(db_session):
    vendor = make_vendor("Northwind Payroll")
    sbom = upload_sbom(vendor, loaded(SBOM), None)
    assert (sbom.subject, sbom.subject_version, sbom.spec_version) == (
        "Payroll Portal",
        "5.2",
        "1.5",
    )
    assert sbom.sha256 == hashlib.sha256(SBOM.read_bytes()).hexdigest()
    assert sbom.sbom_date.isoformat().startswith("2099-01-05T08:30")
    assert sbom.component_count == 5
    assert components(sbom) == {
        "portal-web": ("5.2.0", "pkg:npm/portal-web", None),
        "acme-widget-server": ("1.1.0", "pkg:npm/acme-widget-server", None),
        "left-pad": ("1.3.0", "pkg:npm/left-pad", None),
        "Gadget Hub": ("3.2", None, "cpe:2.3:a:acme_fictional:gadget_hub"),
        "no-identifiers": ("0.1", None, None),
    }


def test_a_new_sbom_of_the_same_product_replaces_the_old_one_which_stays(db_session):
    vendor = make_vendor()
    old = upload_sbom(vendor, loaded(SBOM), None)
    document = data(SBOM)
    document["components"] = document["components"][1:]
    new = upload_sbom(vendor, as_loaded(document), None)
    db.session.refresh(old)
    assert old.replaced_at is not None and old.replaced_by_id == new.id
    assert new.replaced_at is None and new.component_count == 2
    assert len(components(old)) == 5  # history kept


def test_sboms_of_different_products_live_side_by_side(db_session):
    vendor = make_vendor()
    upload_sbom(vendor, loaded(SBOM), None)
    upload_sbom(vendor, loaded(SBOM), None, product="Timesheets")
    current = db.session.scalars(select(Sbom).where(Sbom.replaced_at.is_(None))).all()
    assert sorted(s.subject for s in current) == ["Payroll Portal", "Timesheets"]


def test_an_sbom_that_names_no_product_must_be_told_which(db_session):
    document = data(SBOM)
    del document["metadata"]["component"]
    with pytest.raises(IntakeError, match="say which product"):
        upload_sbom(make_vendor(), as_loaded(document), None)


@pytest.mark.parametrize(
    ("change", "path", "reason"),
    [
        (lambda d: d.update(bomFormat="SPDX"), "$.bomFormat", "not a CycloneDX document"),
        (lambda d: d.update(specVersion="9.9"), "$.specVersion", "is not read here"),
        (
            lambda d: d["components"][0].update(type="spaceship"),
            "$.components[0].type",
            "spaceship",
        ),
        (
            lambda d: d["components"][0]["components"][0].update(purl="pkg:npm/"),
            "$.components[0].components[0].purl",
            "not a valid purl",
        ),
        (
            lambda d: d["components"][1].update(cpe="cpe:2.3:a:acme_fictional"),
            "$.components[1].cpe",
            "not a valid CPE",
        ),
    ],
)
def test_a_bad_sbom_is_refused_at_its_path_and_nothing_is_kept(db_session, change, path, reason):
    document = data(SBOM)
    change(document)
    with pytest.raises(IntakeError) as refused:
        upload_sbom(make_vendor(), as_loaded(document, "vendor-sbom.json"), None)
    [problem] = refused.value.problems
    assert (problem.file, problem.path) == ("vendor-sbom.json", path)
    assert reason in problem.reason


def test_staff_upload_an_sbom_on_the_vendor_page(app, db_session):
    from tests.advisories.conftest import login

    vendor = make_vendor("Uploads Ltd")
    client, _ = login(app, "manager")
    with SBOM.open("rb") as handle:
        answer = client.post(
            f"/vendors/{vendor.id}/sboms",
            data={"sbom-file": (handle, "portal.cdx.json"), "sbom-product": ""},
            content_type="multipart/form-data",
        )
    assert answer.status_code == 302 and answer.location.endswith(f"/vendors/{vendor.id}#intake")
    page = client.get(f"/vendors/{vendor.id}")
    assert (
        "Payroll Portal" in page.text and hashlib.sha256(SBOM.read_bytes()).hexdigest() in page.text
    )
    sbom = db.session.scalar(select(Sbom))
    detail = client.get(f"/vendors/{vendor.id}/sboms/{sbom.id}")
    assert "pkg:npm/acme-widget-server@1.1.0" in detail.text
    other = make_vendor("Someone else")
    assert client.get(f"/vendors/{other.id}/sboms/{sbom.id}").status_code == 404


def test_a_bad_sbom_upload_says_why_on_the_vendor_page(app, db_session):
    from io import BytesIO

    from tests.advisories.conftest import login

    vendor = make_vendor()
    client, _ = login(app, "manager")
    answer = client.post(
        f"/vendors/{vendor.id}/sboms",
        data={"sbom-file": (BytesIO(b"[1, 2"), "broken.json")},
        content_type="multipart/form-data",
    )
    page = client.get(answer.location)
    assert "SBOM refused, nothing kept: broken.json: $: not valid JSON" in page.text
    assert db.session.scalar(select(Sbom)) is None
