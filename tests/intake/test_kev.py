"""The CISA KEV catalogue: entries whose vendor and product name a catalogue product become
draft advisories flagged with the vendors they match, one per CVE; running it again changes
nothing; the dashboard lists the new matches."""

import json

from sqlalchemy import func, select

from tests.advisories.helpers import make_product
from tests.intake.helpers import CSAF, KEV, data
from tests.support.factories import make_vendor
from vendorrisk.advisories.models import Advisory
from vendorrisk.extensions import db
from vendorrisk.intake.csaf_import import import_csaf
from vendorrisk.intake.jsonfile import load_json
from vendorrisk.intake.models import AdvisorySource
from vendorrisk.vendors import catalogue

DASHBOARD = "/dashboard/"


def catalogue_with_users():
    widget = make_product("Widget Server", supplier="Acme Fictional", aliases=["WS Classic"])
    for name in ("First user", "Second user"):
        catalogue.add_product_use(make_vendor(name), widget.id)
    return widget


def test_matching_entries_become_drafts_flagged_with_their_vendors(runner):
    catalogue_with_users()
    result = runner.invoke(args=["advisories", "import-kev", str(KEV)])
    assert result.exit_code == 0, result.output
    assert (
        "CVE-2099-1001: kev-cve-2099-1001 created as a draft, matches 2 vendor(s)" in result.output
    )
    assert (
        "CVE-2099-1002: kev-cve-2099-1002 created as a draft, matches 2 vendor(s)" in result.output
    )
    assert (
        "2 draft(s) created, 1 unchanged, 0 already in the library, 1 entries matching no"
        in result.output
    )
    sources = db.session.scalars(select(AdvisorySource).order_by(AdvisorySource.key)).all()
    assert [(s.key, s.kind, s.draft, s.matched_vendors) for s in sources] == [
        ("CVE-2099-1001", "kev", True, 2),
        ("CVE-2099-1002", "kev", True, 2),
    ]
    advisory = db.session.scalar(select(Advisory).where(Advisory.slug == "kev-cve-2099-1001"))
    assert advisory.publisher.startswith("CISA") and "Known" in advisory.body
    assert [d["name"] for d in advisory.key_dates] == ["kev_date_added", "kev_due_date"]
    assert advisory.reference_links[0]["url"] == (
        "https://psirt.acme-fictional.example/advisories/ACME-2099-009"
    )


def test_running_it_again_is_idempotent(runner):
    catalogue_with_users()
    runner.invoke(args=["advisories", "import-kev", str(KEV)])
    again = runner.invoke(args=["advisories", "import-kev", str(KEV)])
    assert again.exit_code == 0 and "0 draft(s) created, 3 unchanged" in again.output
    assert db.session.scalar(select(func.count()).select_from(Advisory)) == 2


def test_a_cve_another_advisory_already_covers_is_not_duplicated(runner, tmp_path):
    catalogue_with_users()
    import_csaf(load_json(CSAF.read_bytes(), CSAF.name))
    kev = data(KEV)
    kev["vulnerabilities"][0]["cveID"] = "CVE-2099-0001"  # already in the CSAF advisory
    path = tmp_path / "kev-dup.json"
    path.write_text(json.dumps(kev))
    result = runner.invoke(args=["advisories", "import-kev", str(path)])
    assert "CVE-2099-0001: already in the advisory library" in result.output


def test_a_bad_catalogue_is_refused_with_its_path(runner, tmp_path):
    kev = data(KEV)
    kev["vulnerabilities"][2]["dueDate"] = "soon"
    del kev["vulnerabilities"][1]["cveID"]
    path = tmp_path / "kev.json"
    path.write_text(json.dumps(kev))
    result = runner.invoke(args=["advisories", "import-kev", str(path)])
    assert result.exit_code == 1
    assert f"{path}: $.vulnerabilities[1]: 'cveID' is a required property" in result.output
    assert f"{path}: $.vulnerabilities[2].dueDate: 'soon' does not match" in result.output
    assert db.session.scalar(select(func.count()).select_from(Advisory)) == 0


def test_the_dashboard_lists_new_kev_matches(app, runner):
    from tests.advisories.conftest import login

    catalogue_with_users()
    runner.invoke(args=["advisories", "import-kev", str(KEV)])
    client, _ = login(app, "manager")
    page = client.get(DASHBOARD).text
    assert 'id="kev-matches"' in page
    assert "CVE-2099-1001: Acme Fictional Widget Server Template Injection" in page
    assert "matches 2 vendors" in page
