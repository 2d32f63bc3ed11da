"""Importing CSAF documents: a draft advisory with its products matched to the catalogue by CPE,
purl and name, CVEs with scores and remediations, revisions as dated updates; a newer revision
adds an update, the same one changes nothing, an older one is refused; one transaction per
document, from the CLI too."""

import json

from sqlalchemy import func, select

from tests.advisories.helpers import make_product
from tests.intake.helpers import CSAF, CSAF_REV2, as_loaded, data, loaded
from vendorrisk.advisories.models import Advisory, AdvisoryUpdate
from vendorrisk.extensions import db
from vendorrisk.intake.csaf_import import CREATED, UNCHANGED, UPDATED, import_csaf
from vendorrisk.intake.jsonfile import IntakeError
from vendorrisk.intake.models import AdvisorySource, AdvisoryVulnerability
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.models import Product


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_csaf_document_becomes_a_draft_advisory(db_session):
    report = import_csaf(loaded(CSAF))
    advisory = report.advisory
    assert report.outcome == CREATED and advisory.slug == "acme-2099-001"
    assert advisory.title.startswith("Acme Fictional: remote code execution")
    assert advisory.publisher == "Acme Fictional PSIRT" and advisory.severity == "critical"
    assert advisory.summary.startswith("Widget Server before 1.2.5")
    assert "### Who should act" in advisory.body
    assert [d["name"] for d in advisory.key_dates] == ["initial_release"]
    assert advisory.reference_links[0]["url"].endswith("ACME-2099-001")
    source = db.session.scalar(select(AdvisorySource))
    assert source.draft and source.kind == "csaf" and source.revision == "1"
    assert [u.title for u in advisory.updates] == ["Revision 1"]


def test_cves_scores_and_remediations_are_kept(db_session):
    advisory = import_csaf(loaded(CSAF)).advisory
    vulns = db.session.scalars(
        select(AdvisoryVulnerability)
        .where(AdvisoryVulnerability.advisory_id == advisory.id)
        .order_by(AdvisoryVulnerability.position)
    ).all()
    assert [v.cve for v in vulns] == ["CVE-2099-0001", "CVE-2099-0002"]
    assert vulns[0].max_score == 10.0 and vulns[0].scores[0]["severity"] == "CRITICAL"
    assert vulns[1].scores[0]["version"] == "3.0"
    assert vulns[0].remediations[1]["category"] == "workaround"
    assert vulns[0].product_status["under_investigation"] == ["Widget Server 2.0.0-beta.1"]


def test_each_product_status_becomes_a_spec_of_the_catalogue_product(db_session):
    advisory = import_csaf(loaded(CSAF)).advisory
    rows = {row.product.name: row for row in advisory.products}
    assert set(rows) == {"Widget Server", "Gadget Hub", "Relay Agent", "Acme Legacy Console"}
    widget = rows["Widget Server"]
    assert widget.ranges == [
        {"status": "affected", "vers": "vers:npm/>=1.0.0|<1.2.5"},
        {"status": "fixed", "version": "1.2.5"},
        {"status": "not_affected", "version": "0.9.0"},
        {"status": "under_investigation", "version": "2.0.0-beta.1"},
    ]
    assert widget.identifiers[0]["key"] == "pkg:npm/acme-widget-server"
    assert widget.matched_by == "purl" and widget.cves == ["CVE-2099-0001"]
    assert rows["Gadget Hub"].matched_by == "cpe"
    assert rows["Gadget Hub"].cves == ["CVE-2099-0001", "CVE-2099-0002"]
    assert rows["Relay Agent"].matched_by == "name"
    assert rows["Acme Legacy Console"].ranges == [{"status": "not_affected"}]


def test_products_already_in_the_catalogue_are_found_by_cpe_purl_or_alias(db_session):
    by_cpe = make_product("Hub Appliance", supplier="Acme Fictional")
    catalogue.update_product(
        by_cpe, {"cpes": "cpe:2.3:a:acme_fictional:gadget_hub:*:*:*:*:*:*:*:*"}
    )
    by_purl = make_product("WS", supplier="Acme Fictional")
    catalogue.update_product(by_purl, {"purls": "pkg:npm/acme-widget-server"})
    by_alias = make_product("Relay", supplier="Acme Fictional", aliases=["Relay Agent"])
    report = import_csaf(loaded(CSAF))
    rows = {row.product_id: row.matched_by for row in report.advisory.products}
    assert rows[by_cpe.id] == "cpe" and rows[by_purl.id] == "purl" and rows[by_alias.id] == "name"
    assert report.products_created == ["Acme Legacy Console"]


def test_the_same_revision_again_changes_nothing(db_session):
    import_csaf(loaded(CSAF))
    before = (count(Advisory), count(AdvisoryUpdate), count(AdvisoryVulnerability), count(Product))
    again = import_csaf(loaded(CSAF))
    assert again.outcome == UNCHANGED
    after = (count(Advisory), count(AdvisoryUpdate), count(AdvisoryVulnerability), count(Product))
    assert after == before


def test_the_same_revision_reformatted_is_still_the_same_revision(db_session):
    import_csaf(loaded(CSAF))
    reformatted = as_loaded(data(CSAF))  # other bytes, same tracking version and date
    assert import_csaf(reformatted).outcome == UNCHANGED


def test_a_newer_revision_adds_an_update_never_a_duplicate(db_session):
    first = import_csaf(loaded(CSAF)).advisory
    report = import_csaf(loaded(CSAF_REV2))
    assert report.outcome == UPDATED and report.advisory.id == first.id
    assert count(Advisory) == 1
    assert [(u.number, u.title) for u in first.updates] == [(1, "Revision 1"), (2, "Revision 2")]
    assert "3.1.1" in first.updates[1].body
    relay = next(r for r in first.products if r.product.name == "Relay Agent")
    assert relay.ranges == [{"status": "affected", "vers": "vers:acme/>=4.0|<4.1"}]
    assert [d["name"] for d in first.key_dates] == ["initial_release", "current_release"]
    source = db.session.scalar(select(AdvisorySource))
    assert source.revision == "2" and source.revisions == ["1", "2"] and source.draft


def test_an_older_revision_is_refused(db_session):
    import_csaf(loaded(CSAF_REV2))
    try:
        import_csaf(loaded(CSAF))
    except IntakeError as exc:
        [problem] = exc.problems
        assert problem.path == "$.document.tracking.current_release_date"
        assert "older than revision 2" in problem.reason
    else:
        raise AssertionError("an older revision was imported")


def test_the_cli_imports_each_document_in_its_own_transaction(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"document": {"csaf_version": "1.2"}}))
    result = runner.invoke(args=["advisories", "import-csaf", str(bad), str(CSAF)])
    assert result.exit_code == 1
    assert f"{bad}: $.document.csaf_version: CSAF version" in result.output
    assert "acme-2099-001 created (revision 1)" in result.output
    assert "1 of 2 document(s) refused" in result.output
    assert db.session.scalar(select(Advisory.slug)) == "acme-2099-001"
    again = runner.invoke(args=["advisories", "import-csaf", str(CSAF)])
    assert again.exit_code == 0 and "unchanged" in again.output


def test_a_refused_document_leaves_nothing_half_imported(runner, tmp_path):
    document = data(CSAF)
    document["vulnerabilities"][1]["product_status"]["fixed"] = ["UNDEFINED"]
    bad = tmp_path / "half.json"
    bad.write_text(json.dumps(document))
    result = runner.invoke(args=["advisories", "import-csaf", str(bad)])
    assert result.exit_code == 1 and "is not defined in the product tree" in result.output
    assert (count(Advisory), count(Product), count(AdvisorySource)) == (0, 0, 0)


def test_the_cli_names_the_importer_who_then_cannot_publish(runner):
    from tests.conftest import make_user

    user = make_user("manager")
    result = runner.invoke(args=["advisories", "import-csaf", "--by", user.email, str(CSAF)])
    assert result.exit_code == 0
    assert db.session.scalar(select(AdvisorySource.imported_by_id)) == user.id
    unknown = runner.invoke(args=["advisories", "import-csaf", "--by", "x@y.example", str(CSAF)])
    assert unknown.exit_code != 0 and "No user" in unknown.output
