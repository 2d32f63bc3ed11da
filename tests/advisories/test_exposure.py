"""Which vendors an advisory concerns: product matches by alias, version and subcontractor,
what people record, what vendors answer, and the page that lists them."""

from sqlalchemy import event, select

from tests.advisories.conftest import login
from tests.advisories.helpers import (
    advisory_campaign,
    make_advisory,
    make_product,
)
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import make_vendor
from vendorrisk.advisories import exposure, sync
from vendorrisk.advisories.models import CONFIRMED, RULED_OUT, SUSPECTED, UNKNOWN, Advisory
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.vendors import catalogue


def use(vendor, product, versions="", subcontractor=""):
    return catalogue.add_product_use(vendor, product.id, versions, subcontractor)


def states(advisory) -> dict[str, str]:
    return {row.vendor.name: row.state for row in exposure.vendor_rows(advisory)}


def test_a_vendor_is_suspected_when_it_uses_an_affected_version_or_an_unknown_one(db_session):
    orion = make_product("Orion Platform X", versions=["2019.4 HF 5", "2019.4 HF 6"])
    affected = make_vendor("On HF5")
    folded = make_vendor("On hf5 written differently")
    fixed = make_vendor("On HF6")
    unknown = make_vendor("Version not recorded")
    use(affected, orion, "2019.4 HF 5")
    use(folded, orion, "2019.4 hf5")
    use(fixed, orion, "2019.4 HF 6")
    use(unknown, orion)
    advisory = make_advisory([(orion, ["2019.4 HF 5", "2020.2"], ["2019.4 HF 6"])])
    assert states(advisory) == {
        "On HF5": SUSPECTED,
        "On hf5 written differently": SUSPECTED,
        "Version not recorded": SUSPECTED,
    }


def test_a_vendor_on_a_fixed_version_is_not_suspected(db_session):
    log4j = make_product("Logging Lib")
    use(make_vendor("Old"), log4j, "2.14.1")
    use(make_vendor("Patched"), log4j, "2.17.1")
    use(make_vendor("Patched twice"), log4j, "2.17.1; 2.12.4")
    advisory = make_advisory([(log4j, [], ["2.17.1", "2.12.4"])])
    assert states(advisory) == {"Old": SUSPECTED}


def test_a_vendor_using_the_product_through_a_subcontractor_is_suspected(db_session):
    product = make_product("Mail Archive")
    vendor = make_vendor("Law Firm")
    use(vendor, product, subcontractor="Keyrow Managed IT")
    advisory = make_advisory([(product, [], [])])
    [row] = exposure.vendor_rows(advisory)
    assert row.state == SUSPECTED and row.how == "match"
    assert "through Keyrow Managed IT" in row.reason


def test_a_product_named_by_its_alias_in_a_file_matches_the_catalogue_entry(db_session, tmp_path):
    product = make_product("Connector Suite", supplier="Acme", aliases=["Acme CS"])
    vendor = make_vendor("Uses the suite")
    use(vendor, product)
    folder = tmp_path / "advisories"
    folder.mkdir()
    (folder / "alias-check.md").write_text(
        "---\nslug: alias-check\ntitle: Alias check\npublisher: Acme\npublished: 2021-01-12\n"
        "severity: low\nsummary: Named by alias.\naffected_products:\n"
        "  - supplier: Acme\n    name: Acme CS\n---\n",
        encoding="utf-8",
    )
    report = sync.sync_directory(folder)
    assert report.products == []  # found by alias, not created
    advisory = db.session.scalar(select(Advisory).where(Advisory.slug == "alias-check"))
    assert [p.product_id for p in advisory.products] == [product.id]
    assert states(advisory) == {"Uses the suite": SUSPECTED}


def test_people_record_exposure_and_it_is_audited(db_session):
    from tests.conftest import make_user

    actor = make_user("manager")
    product = make_product()
    vendor = make_vendor("Checked by phone")
    use(vendor, product)
    advisory = make_advisory([(product, [], [])])
    exposure.set_exposure(
        advisory, vendor, RULED_OUT, "Moved off it in 2019, per their CISO.", actor
    )
    [row] = exposure.vendor_rows(advisory)
    assert (row.state, row.how, row.reason) == (
        RULED_OUT,
        "person",
        "Moved off it in 2019, per their CISO.",
    )
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "advisory.exposure_set")
    )
    assert entry.actor_id == actor.id and entry.details["to"] == RULED_OUT
    assert entry.details["advisory"] == advisory.slug


def test_ruling_a_vendor_out_needs_a_reason(db_session):
    import pytest

    from tests.conftest import make_user

    vendor = make_vendor()
    advisory = make_advisory()
    with pytest.raises(exposure.ExposureError, match="Say why"):
        exposure.set_exposure(advisory, vendor, RULED_OUT, "  ", make_user("manager"))


def test_an_answer_marked_not_exposed_rules_the_vendor_out(db_session, small_version):
    product = make_product()
    vendor = make_vendor("Answered no")
    use(vendor, product)
    advisory = make_advisory([(product, [], [])])
    campaign = advisory_campaign(small_version, [vendor], advisory)
    assert states(advisory) == {"Answered no": SUSPECTED}
    answers = {
        "uses_connector": Answer("no"),
        "data_accessed": Answer("no"),
        "notify_hours": Answer(24),
        "soc2_report": Answer(None, na=True, comment="None."),
    }
    revision = submit(campaign.assignments[0], answers)
    assert revision.not_exposed
    [row] = exposure.vendor_rows(advisory)
    assert (row.state, row.how) == (RULED_OUT, "answer")
    assert "Answered not exposed" in row.reason and row.ask_state == exposure.SUBMITTED


def test_a_later_record_by_a_person_wins_over_an_earlier_answer(db_session, small_version):
    from tests.conftest import make_user

    vendor = make_vendor("Asked, no product match")
    advisory = make_advisory()
    campaign = advisory_campaign(small_version, [vendor], advisory)
    assert states(advisory) == {"Asked, no product match": UNKNOWN}
    submit(campaign.assignments[0], {**WEAK_ANSWERS, "uses_connector": Answer("no")})
    assert states(advisory) == {"Asked, no product match": RULED_OUT}
    exposure.set_exposure(
        advisory,
        vendor,
        CONFIRMED,
        "Their SOC found the connector after all.",
        make_user("manager"),
    )
    assert states(advisory) == {"Asked, no product match": CONFIRMED}


def _count_queries(app, client, url) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def _exposed_vendors(product, advisory, version, n):
    vendors = []
    for i in range(n):
        vendor = make_vendor(f"Exposed {advisory.slug} {i}")
        use(vendor, product, subcontractor="MSP" if i % 2 else "")
        vendors.append(vendor)
    campaign = advisory_campaign(version, vendors, advisory)
    for assignment in campaign.assignments[: n // 2]:
        submit(assignment, WEAK_ANSWERS)
    return vendors


def test_the_page_lists_vendors_without_a_query_per_vendor(app, db_session, small_version):
    """The query count does not grow with the number of vendors."""
    small = make_advisory([(make_product(), [], [])])
    large = make_advisory([(make_product(), [], [])])
    _exposed_vendors(small.products[0].product, small, small_version, 2)
    _exposed_vendors(large.products[0].product, large, small_version, 8)
    client, _ = login(app, "compliance")
    few = _count_queries(app, client, f"/advisories/{small.slug}")
    many = _count_queries(app, client, f"/advisories/{large.slug}")
    assert many == few


def test_the_page_shows_tier_risk_exposure_and_questionnaire_state(app, db_session, small_version):
    product = make_product("Connector Pro")
    asked = make_vendor("Asked Ltd", criticality="critical", data_access="regulated")
    quiet = make_vendor("Not Asked Ltd", criticality="low", data_access="internal")
    use(asked, product, "1.0")
    use(quiet, product)
    advisory = make_advisory([(product, [], [])])
    campaign = advisory_campaign(small_version, [asked], advisory)
    submit(campaign.assignments[0], WEAK_ANSWERS)
    client, _ = login(app, "compliance")
    page = client.get(f"/advisories/{advisory.slug}").text
    table = page.split('id="exposure-table"')[1].split("</table>")[0]
    assert "Asked Ltd" in table and "Not Asked Ltd" in table
    assert "Tier 1 · Critical" in table
    assert "Criticality critical; data access regulated or personal data" in table
    assert "Submitted" in table and "Band " in table and "Not asked" in table
    assert "Connector Pro 1.0" in table


def test_the_page_shows_the_band_after_a_reviewers_override(app, db_session, small_version):
    """The questionnaire column shows the effective band, the one the review page signs."""
    from tests.conftest import make_user
    from vendorrisk.review import effective
    from vendorrisk.review import services as review

    product = make_product("Override Connector")
    vendor = make_vendor("Overridden Ltd")
    use(vendor, product, "1.0")
    advisory = make_advisory([(product, [], [])])
    campaign = advisory_campaign(small_version, [vendor], advisory)
    assignment = campaign.assignments[0]
    revision = submit(assignment, WEAK_ANSWERS)
    computed = revision.band
    reviewer = make_user("manager")
    for question_id in ("rotated", "credentials_reset", "notify_hours"):
        review.override_points(revision, question_id, 100, "Seen on a call.", reviewer, None)
    db.session.commit()
    band = effective.for_assignment(assignment).band
    assert band != computed
    client, _ = login(app, "compliance")
    page = client.get(f"/advisories/{advisory.slug}").text
    table = page.split('id="exposure-table"')[1].split("</table>")[0]
    assert f"Band {band}" in table and f"Band {computed}" not in table
