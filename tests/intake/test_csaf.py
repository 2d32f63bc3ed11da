"""Reading CSAF 2.0: the schema (offline, with its CVSS schemas), each product status, the
product tree with its relationships and groups, vendor categories, and every bad document
refused with its JSON path."""

import copy

import pytest

from tests.intake.helpers import CSAF, as_loaded, data, loaded
from vendorrisk.intake import csaf
from vendorrisk.intake.jsonfile import IntakeError


@pytest.fixture(scope="module")
def doc():
    return csaf.read_csaf(loaded(CSAF))


def paths(exc: IntakeError) -> dict[str, str]:
    return {p.path: p.reason for p in exc.problems}


def refused(document: dict) -> dict[str, str]:
    with pytest.raises(IntakeError) as caught:
        csaf.read_csaf(as_loaded(document, "bad.json"))
    assert all(p.file == "bad.json" for p in caught.value.problems)
    return paths(caught.value)


def test_tracking_publisher_and_a_vendor_category_read_as_the_base_profile(doc):
    assert doc.key == "https://psirt.acme-fictional.example ACME-2099-001"
    assert doc.category == "acme_security_notice"
    assert doc.version == "1" and [r.number for r in doc.revisions] == ["1"]
    assert doc.severity() == "critical"
    assert doc.cves == ["CVE-2099-0001", "CVE-2099-0002"]


def test_the_product_tree_gives_vendor_name_version_range_and_identifiers(doc):
    ws = doc.products["WS-RANGE"]
    assert (ws.vendor, ws.product_name, ws.range) == (
        "Acme Fictional",
        "Widget Server",
        "vers:npm/>=1.0.0|<1.2.5",
    )
    assert ws.purl.key == "pkg:npm/acme-widget-server"
    gh = doc.products["GH-3.1"]
    assert gh.cpe.key == "cpe:2.3:a:acme_fictional:gadget_hub" and gh.version == "3.1"
    assert doc.products["RA-4.0-4.1"].range == "vers:acme/>=4.0|<4.2"


def test_a_relationship_names_the_component_wherever_it_is_installed(doc):
    shipped = doc.products["WS-ON-AOS-7"]
    assert shipped.name == "Widget Server as shipped with Appliance OS 7"
    assert shipped.product_name == "Widget Server" and shipped.range == "vers:npm/>=1.0.0|<1.2.5"


def test_each_product_status_is_kept(doc):
    first = doc.vulnerabilities[0]
    assert set(first.product_status) == {
        "known_affected",
        "fixed",
        "known_not_affected",
        "under_investigation",
    }
    assert first.max_score == 10.0 and first.cwe.startswith("CWE-94")
    assert first.remediations[0]["products"] == ["Gadget Hub 3.2", "Widget Server 1.2.5"]


def test_first_and_last_affected_first_fixed_and_recommended_read_as_statuses():
    assert csaf.STATUS_MAP["first_affected"] == csaf.STATUS_MAP["last_affected"] == "affected"
    assert csaf.STATUS_MAP["first_fixed"] == "fixed"
    assert csaf.STATUS_MAP["recommended"] == "not_affected"
    document = data(CSAF)
    document["vulnerabilities"][1]["product_status"] = {
        "first_affected": ["GH-3.1"],
        "first_fixed": ["GH-3.2"],
        "recommended": ["GH-3.2"],
        "last_affected": ["GH-3.1"],
    }
    read = csaf.read_csaf(as_loaded(document))
    assert set(read.vulnerabilities[1].product_status) == {
        "first_affected",
        "first_fixed",
        "recommended",
        "last_affected",
    }


def test_an_unknown_csaf_version_is_refused_at_its_path():
    document = data(CSAF)
    document["document"]["csaf_version"] = "2.1"
    assert "only 2.0" in refused(document)["$.document.csaf_version"]


def test_a_document_breaking_the_schema_says_where_and_why():
    document = data(CSAF)
    del document["document"]["tracking"]["id"]
    document["document"]["title"] = 7
    problems = refused(document)
    assert "'id' is a required property" in problems["$.document.tracking"]
    assert "is not of type 'string'" in problems["$.document.title"]


def test_a_bad_cvss_object_is_checked_against_the_cvss_schema_offline():
    document = data(CSAF)
    document["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseSeverity"] = "APOCALYPTIC"
    problems = refused(document)
    [path] = [p for p in problems if p.startswith("$.vulnerabilities[0].scores[0]")]
    assert "APOCALYPTIC" in problems[path]


def test_a_purl_that_does_not_parse_is_refused_at_its_path():
    document = data(CSAF)
    branch = document["product_tree"]["branches"][0]["branches"][0]["branches"][1]
    branch["product"]["product_identification_helper"]["purl"] = "pkg:npm/"
    problems = refused(document)
    assert any(p.endswith("product_identification_helper.purl") for p in problems)


def test_a_cpe_that_does_not_parse_is_refused_at_its_path():
    document = data(CSAF)
    branch = document["product_tree"]["branches"][0]["branches"][1]["branches"][0]
    branch["product"]["product_identification_helper"]["cpe"] = "cpe:2.3:a:acme_fictional"
    problems = refused(document)
    assert any(p.endswith("product_identification_helper.cpe") for p in problems)


def test_a_version_range_that_cannot_be_compared_is_refused_at_its_branch():
    document = data(CSAF)
    branch = document["product_tree"]["branches"][0]["branches"][0]["branches"][0]
    branch["name"] = "vers:npm/>=one|<two"
    problems = refused(document)
    path = "$.product_tree.branches[0].branches[0].branches[0].name"
    assert "cannot be compared" in problems[path]


def test_a_status_naming_an_undefined_product_is_refused():
    document = data(CSAF)
    document["vulnerabilities"][0]["product_status"]["fixed"].append("NO-SUCH-PRODUCT")
    problems = refused(document)
    assert "not defined" in problems["$.vulnerabilities[0].product_status.fixed[2]"]


def test_a_range_in_the_vendors_own_words_is_kept_and_compares_as_unknown():
    document = data(CSAF)
    branch = document["product_tree"]["branches"][0]["branches"][2]["branches"][0]
    branch["name"] = "all versions before 4.2"
    read = csaf.read_csaf(as_loaded(document))
    assert read.products["RA-4.0-4.1"].range == "all versions before 4.2"


def test_a_document_of_about_a_megabyte_with_hundreds_of_vulnerabilities_is_read():
    document = data(CSAF)
    template = document["vulnerabilities"][0]
    document["vulnerabilities"] = []
    for n in range(600):
        vuln = copy.deepcopy(template)
        vuln["cve"] = f"CVE-2099-{10000 + n}"
        vuln["notes"][0]["text"] = "Details of the flaw. " * 60
        document["vulnerabilities"].append(vuln)
    loaded_doc = as_loaded(document, "big.json")
    assert len(loaded_doc.text) > 1_000_000
    read = csaf.read_csaf(loaded_doc)
    assert len(read.vulnerabilities) == 600 and len(set(read.cves)) == 600
