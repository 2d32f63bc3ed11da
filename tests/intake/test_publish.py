"""Four-eyes publishing of imported advisories, like template uploads: the importer may not
publish; a second manager does; drafts stay out of the public feed and out of campaigns."""

from sqlalchemy import select

from tests.advisories.conftest import login
from tests.intake.helpers import CSAF
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.intake.models import AdvisorySource


def upload(client, path=CSAF):
    with path.open("rb") as handle:
        return client.post(
            "/advisories/import",
            data={"file": (handle, path.name)},
            content_type="multipart/form-data",
        )


def test_the_importer_cannot_publish_and_a_second_manager_can(app, db_session):
    first, importer = login(app, "manager")
    imported = upload(first)
    assert imported.status_code == 302 and imported.location.endswith("/advisories/acme-2099-001")
    page = first.get("/advisories/acme-2099-001")
    assert 'id="draft-banner"' in page.text and "Publish</button>" not in page.text
    assert "Launch campaign" not in page.text
    refused = first.post("/advisories/acme-2099-001/publish", data={})
    assert refused.status_code == 302
    source = db.session.scalar(select(AdvisorySource))
    assert source.draft and source.imported_by_id == importer.id
    denied = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "advisory.publish", AuditEntry.outcome == "denied"
        )
    )
    assert denied is not None and denied.actor_id == importer.id

    assert "Draft</span>" in first.get("/advisories/").text
    second, publisher = login(app, "manager")
    page = second.get("/advisories/acme-2099-001")
    assert "Publish</button>" in page.text
    assert second.post("/advisories/acme-2099-001/publish", data={}).status_code == 302
    db.session.refresh(source)
    assert not source.draft and source.published_by_id == publisher.id
    page = second.get("/advisories/acme-2099-001")
    assert 'id="draft-banner"' not in page.text and "Launch campaign" in page.text
    assert "Draft</span>" not in second.get("/advisories/").text
    assert second.post("/advisories/acme-2099-001/publish", data={}).status_code == 302
    assert not db.session.scalar(select(AdvisorySource.draft))


def test_a_draft_is_not_in_the_feed_until_published(app, db_session):
    client, _ = login(app, "manager")
    upload(client)
    assert "acme-2099-001" not in client.get("/advisories/feed.atom").text
    other, _ = login(app, "manager")
    other.post("/advisories/acme-2099-001/publish", data={})
    assert "acme-2099-001" in client.get("/advisories/feed.atom").text


def test_no_campaign_is_launched_from_a_draft(app, db_session):
    client, _ = login(app, "manager")
    upload(client)
    assert client.get("/campaigns/new?advisory=acme-2099-001").status_code == 404


def test_compliance_officers_can_neither_import_nor_publish(app, db_session):
    manager, _ = login(app, "manager")
    upload(manager)
    officer, _ = login(app, "compliance")
    assert officer.get("/advisories/import").status_code == 403
    assert officer.post("/advisories/acme-2099-001/publish", data={}).status_code == 403
    assert db.session.scalar(select(AdvisorySource.draft))
