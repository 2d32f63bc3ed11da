"""Matching reads a fixed number of queries, however many vendors there are: the exposure of an
advisory is computed with the same statements at 4 vendors and at 40."""

from tests.dashboard.test_query_counts import counted
from tests.intake.helpers import CSAF, SBOM, VEX_CYCLONEDX, loaded
from tests.support.factories import make_vendor
from vendorrisk.advisories import exposure
from vendorrisk.extensions import db
from vendorrisk.intake.csaf_import import import_csaf
from vendorrisk.intake.sbom import upload_sbom
from vendorrisk.intake.vex import upload_vex
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.matching import find_products


def add_vendors(n: int, start: int) -> None:
    [widget] = find_products("Widget Server")
    [hub] = find_products("Gadget Hub")
    for i in range(start, start + n):
        vendor = make_vendor(f"Vendor {i:03}")
        kind = i % 4
        if kind == 0:
            upload_sbom(vendor, loaded(SBOM), None)
        elif kind == 1:
            upload_vex(vendor, loaded(VEX_CYCLONEDX), None)
        elif kind == 2:
            catalogue.add_product_use(vendor, widget.id, "1.1.0")
        else:
            catalogue.add_product_use(vendor, hub.id)


def queries(advisory) -> tuple[int, int]:
    db.session.expire_all()
    with counted() as seen:
        rows = exposure.vendor_rows(advisory)
        for row in rows:
            assert row.result.detail is not None
            row.result.rule_label  # noqa: B018 - what the page reads
    return len(seen), len(rows)


def test_the_exposure_of_an_advisory_takes_the_same_queries_at_4_and_40_vendors(db_session):
    advisory = import_csaf(loaded(CSAF)).advisory
    add_vendors(4, 0)
    small, small_rows = queries(advisory)
    add_vendors(36, 4)
    large, large_rows = queries(advisory)
    assert (small_rows, large_rows) == (4, 40)
    assert large == small
