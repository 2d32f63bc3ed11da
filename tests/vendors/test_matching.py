"""Product matching by name and alias, and which vendors use affected products and versions."""

from tests.vendors.factories import make_product, make_vendor
from vendorrisk.vendors import catalogue, services
from vendorrisk.vendors.matching import find_products, normalise_name, vendors_using


def test_names_are_folded_for_case_and_spacing():
    assert normalise_name("  Mimecast   S&R ") == normalise_name("mimecast s&r")
    assert normalise_name("Microsoft 365") == normalise_name("MICROSOFT365")
    assert normalise_name("Mimecast S&R") != normalise_name("Mimecast SR")


def test_a_product_is_found_by_an_alias_whatever_its_case_and_spacing(db_session):
    product = make_product("Mimecast Sync and Recover", "Mimecast", aliases=["Mimecast S&R"])
    assert find_products("mimecast  s&r") == [product]
    assert find_products("MIMECAST SYNC AND RECOVER") == [product]
    assert find_products("Mimecast") == []
    assert find_products("   ") == []


def test_an_alias_cannot_name_two_products(db_session):
    make_product("Mimecast Sync and Recover", "Mimecast", aliases=["Mimecast S&R"])
    try:
        make_product("Other", "X", aliases=["MIMECAST  S&R"])
    except services.VendorError as exc:
        assert "already names the product Mimecast Sync and Recover" in exc.errors["aliases"]
    else:
        raise AssertionError("a duplicate alias was accepted")


def _orion_world():
    orion = make_product("SolarWinds Orion Platform", "SolarWinds", aliases=["SolarWinds Orion"])
    affected = make_vendor("Affected Hosting")
    fixed = make_vendor("Patched Hosting")
    unknown = make_vendor("Unknown Version Ltd")
    via_msp = make_vendor("Law Firm via MSP")
    catalogue.add_product_use(affected, orion.id, "2019.4 HF 5")
    catalogue.add_product_use(fixed, orion.id, "2020.2.1 HF 2")
    catalogue.add_product_use(unknown, orion.id)
    catalogue.add_product_use(via_msp, orion.id, "2020.2 HF 1", "Keyrow Managed IT")
    return orion, affected, fixed, unknown, via_msp


def test_vendors_using_without_versions_lists_every_user_direct_or_not(db_session):
    orion, affected, fixed, unknown, via_msp = _orion_world()
    pairs = vendors_using([orion.id])
    assert {v.name for v, _ in pairs} == {affected.name, fixed.name, unknown.name, via_msp.name}
    use = next(u for v, u in pairs if v is via_msp)
    assert not use.direct and use.subcontractor == "Keyrow Managed IT"


def test_vendors_using_with_versions_keeps_affected_and_unknown_versions_only(db_session):
    orion, affected, fixed, unknown, via_msp = _orion_world()
    affected_versions = ["2019.4 hf5", "2020.2", "2020.2  HF 1"]  # spacing and case differ
    names = {v.name for v, _ in vendors_using([orion.id], affected_versions)}
    assert names == {affected.name, unknown.name, via_msp.name}
    strict = vendors_using([orion.id], affected_versions, include_unknown_versions=False)
    assert {v.name for v, _ in strict} == {affected.name, via_msp.name}


def test_vendors_using_leaves_out_offboarded_vendors_unless_asked(db_session):
    orion, affected, *_ = _orion_world()
    services.offboard_vendor(affected)
    assert affected.name not in {v.name for v, _ in vendors_using([orion.id])}
    everyone = vendors_using([orion.id], include_offboarded=True)
    assert affected.name in {v.name for v, _ in everyone}


def test_vendors_using_nothing_is_nothing(db_session):
    assert vendors_using([]) == []
