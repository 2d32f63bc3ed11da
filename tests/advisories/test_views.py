"""Writing advisories in the app, and who may do what."""

from sqlalchemy import select

from tests.advisories.conftest import login
from tests.advisories.helpers import SMALL, SOLARWINDS, make_advisory, make_product, sync_shipped
from tests.support.factories import make_vendor
from vendorrisk.advisories.models import Advisory, AdvisoryUpdate, Exposure
from vendorrisk.advisories.services import effective
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.permissions import PERMISSIONS, is_public

NEW = {
    "title": "Connector vendor breach",
    "slug": "",
    "publisher": "Acme",
    "published": "2021-02-01",
    "severity": "high",
    "status": "active",
    "superseded_by": "",
    "summary": "The connector's signing key leaked.",
    "body": "## Details\n\nMore soon.",
    "key_dates-0-name": "compromise_date",
    "key_dates-0-label": "Key leaked",
    "key_dates-0-date": "2021-01-30",
    "actions-0-key": "",
    "actions-0-audience": "firm",
    "actions-0-text": "Rotate our connector key",
    "actions-0-questions": "",
    "actions-1-key": "vendors-rotate",
    "actions-1-audience": "vendors",
    "actions-1-text": "Vendors rotate theirs",
    "actions-1-questions": f"{SMALL}/rotated",
    "actions-2-key": "",
    "actions-2-audience": "firm",
    "actions-2-text": "",
    "actions-2-questions": "",
    "references-0-title": "Notice",
    "references-0-url": "https://acme.example/notice",
    "templates": [SMALL],
}


def test_compliance_officers_read_advisories_but_change_nothing(app, db_session):
    advisory = make_advisory()
    vendor = make_vendor()
    client, _ = login(app, "compliance")
    assert client.get("/advisories/").status_code == 200
    assert client.get(f"/advisories/{advisory.slug}").status_code == 200
    for url in (
        "/advisories/new",
        f"/advisories/{advisory.slug}/edit",
        f"/advisories/{advisory.slug}/updates/new",
        f"/advisories/{advisory.slug}/exposure",
        f"/advisories/{advisory.slug}/actions/rotate",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={}).status_code == 403, url
    assert (
        client.post(
            f"/advisories/{advisory.slug}/exposure",
            data={"vendor": str(vendor.id), "state": "confirmed"},
        ).status_code
        == 403
    )
    assert (
        client.post(f"/advisories/{advisory.slug}/updates/1/ask-again", data={}).status_code == 403
    )
    assert db.session.scalar(select(Exposure)) is None
    page = client.get(f"/advisories/{advisory.slug}").text
    assert "Add update" not in page and "Set exposure" not in page and "Ask again" not in page


def test_the_permission_table_opens_the_feed_only_by_link_and_writes_for_managers():
    assert not is_public("advisories.feed")
    assert is_public("advisories.feed_by_link")  # the view checks the link's token
    for endpoint in (
        "advisories.new",
        "advisories.edit",
        "advisories.add_update",
        "advisories.set_exposure",
        "advisories.action_progress",
        "advisories.ask_again",
    ):
        assert PERMISSIONS[endpoint] == frozenset({"admin", "manager"})


def test_anonymous_visitors_get_neither_the_feed_nor_the_library(client, db_session):
    """Issue 20 item 9: advisories may be internal, so the feed needs a login or a feed link."""
    make_advisory()
    for path in ("/advisories/feed.atom", "/advisories/"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_a_manager_writes_an_advisory_in_the_app(app, db_session, small_version):
    gateway = make_product("Connector Gateway")
    client, user = login(app, "manager")
    assert client.get("/advisories/new").status_code == 200
    response = client.post(
        "/advisories/new",
        data={
            **NEW,
            "products-0-product": str(gateway.id),
            "products-0-affected": "1.0; 1.1",
            "products-0-fixed": "1.2",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    advisory = db.session.scalar(select(Advisory).where(Advisory.slug == "connector-vendor-breach"))
    assert advisory.source == "app" and advisory.created_by_id == user.id
    assert [(p.product_id, p.affected_versions, p.fixed_versions) for p in advisory.products] == [
        (gateway.id, ["1.0", "1.1"], ["1.2"])
    ]
    assert [a["id"] for a in advisory.actions] == ["rotate-our-connector-key", "vendors-rotate"]
    assert advisory.actions[1]["questions"] == [f"{SMALL}/rotated"]
    assert advisory.reference_links == [{"title": "Notice", "url": "https://acme.example/notice"}]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "advisory.created"))


def test_the_form_reports_every_problem(app, db_session, small_version):
    make_advisory(slug="taken")
    client, _ = login(app, "manager")
    response = client.post(
        "/advisories/new",
        data={
            **NEW,
            "slug": "taken",
            "actions-1-questions": f"{SMALL}/no_such_question",
            "references-0-url": "javascript:alert(1)",
            "key_dates-0-date": "",
        },
    )
    assert response.status_code == 400
    assert "Only http:// and https:// addresses." in response.text
    assert "Fill this in, or clear the whole row." in response.text
    response = client.post(
        "/advisories/new",
        data={**NEW, "slug": "taken", "actions-1-questions": f"{SMALL}/no_such_question"},
    )
    assert response.status_code == 400
    assert "the slug &#39;taken&#39; is already used" in response.text
    assert "has no question &#39;no_such_question&#39;" in response.text


def test_a_manager_edits_an_advisory_but_not_its_slug(app, db_session, small_version):
    advisory = make_advisory(title="Old title")
    client, _ = login(app, "manager")
    form = client.get(f"/advisories/{advisory.slug}/edit")
    assert form.status_code == 200 and "Old title" in form.text
    response = client.post(
        f"/advisories/{advisory.slug}/edit", data={**NEW, "title": "New title", "slug": "renamed"}
    )
    assert response.status_code == 302, response.text[:2000]
    db.session.expire_all()
    advisory = db.session.get(Advisory, advisory.id)
    assert advisory.title == "New title" and advisory.slug != "renamed"


def test_shipped_advisories_are_changed_in_their_file_but_take_updates(app, db_session):
    sync_shipped(SOLARWINDS)
    client, _ = login(app, "manager")
    response = client.get(f"/advisories/{SOLARWINDS}/edit")
    assert response.status_code == 302
    page = client.get(f"/advisories/{SOLARWINDS}").text
    assert "advisories/solarwinds-orion-supply-chain-2020.md" in page
    added = client.post(
        f"/advisories/{SOLARWINDS}/updates/new",
        data={
            "date": "2021-05-01",
            "title": "Our own note",
            "actions-0-key": "vendors-supernova",
            "actions-0-audience": "vendors",
            "actions-0-text": "Ask again about SUPERNOVA specifically.",
            "actions-0-questions": "solarwinds-orion-supply-chain-2020/supernova_checked",
            "key_dates-0-name": "our_review_date",
            "key_dates-0-label": "We reviewed it",
            "key_dates-0-date": "2021-05-01",
        },
    )
    assert added.status_code == 400  # the template is not loaded: its question is unknown
    assert "no template" in added.text
    added = client.post(
        f"/advisories/{SOLARWINDS}/updates/new",
        data={
            "date": "2021-05-01",
            "title": "Our own note",
            "actions-0-key": "check-supernova",
            "actions-0-audience": "firm",
            "actions-0-text": "Check for SUPERNOVA on every Orion server, including the MSP's.",
            "key_dates-0-name": "our_review_date",
            "key_dates-0-label": "We reviewed it",
            "key_dates-0-date": "2021-05-01",
        },
    )
    assert added.status_code == 302, added.text[:2000]
    update = db.session.scalar(select(AdvisoryUpdate).where(AdvisoryUpdate.source == "app"))
    assert update.number == 4
    db.session.expire_all()
    advisory = db.session.scalar(select(Advisory).where(Advisory.slug == SOLARWINDS))
    current = effective(advisory)
    action = next(a for a in current.actions if a.id == "check-supernova")
    assert action.text.endswith("including the MSP's.") and action.changed_in == 4
    assert current.frozen_dates()["our_review_date"] == "2021-05-01"
    # The next sync keeps the update written in the app.
    assert sync_shipped(SOLARWINDS).unchanged == [SOLARWINDS]


def test_an_update_cannot_predate_its_advisory(app, db_session):
    advisory = make_advisory()
    client, _ = login(app, "manager")
    response = client.post(
        f"/advisories/{advisory.slug}/updates/new",
        data={"date": "2020-01-01", "title": "Too early"},
    )
    assert response.status_code == 400 and "comes before" in response.text


def test_a_manager_records_exposure_through_the_page(app, db_session):
    advisory = make_advisory()
    vendor = make_vendor("Phoned Ltd")
    client, user = login(app, "manager")
    assert client.get(f"/advisories/{advisory.slug}/exposure?vendor={vendor.id}").status_code == 200
    refused = client.post(
        f"/advisories/{advisory.slug}/exposure",
        data={"vendor": str(vendor.id), "state": "ruled_out", "reason": ""},
    )
    assert refused.status_code == 400 and "Say why the vendor is ruled out." in refused.text
    response = client.post(
        f"/advisories/{advisory.slug}/exposure",
        data={"vendor": str(vendor.id), "state": "confirmed", "reason": "Their CISO told us."},
    )
    assert response.status_code == 302
    row = db.session.scalar(select(Exposure))
    assert (row.vendor_id, row.state, row.set_by_id) == (vendor.id, "confirmed", user.id)
    page = client.get(f"/advisories/{advisory.slug}").text
    assert "Phoned Ltd" in page and "Their CISO told us." in page


def test_unknown_advisories_and_updates_are_404(app, db_session):
    advisory = make_advisory()
    client, _ = login(app, "manager")
    assert client.get("/advisories/nope/edit").status_code == 404
    assert (
        client.post(f"/advisories/{advisory.slug}/updates/9/ask-again", data={}).status_code == 404
    )
