"""The SMTP relay is down: a campaign sent meanwhile loses nothing. The manager's page answers
at once with the campaign and its delivery state (never a 500), the invitations wait in the
outbox with a growing backoff, and each arrives exactly once, with a link that works, when the
relay is back."""

from __future__ import annotations

import time
from datetime import date, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update

from tests.conftest import links_in
from tests.mail.helpers import use_relay
from tests.support.factories import create_campaign, make_vendor
from tests.support.smtp import SMTPServer, free_port
from vendorrisk.campaigns.models import Campaign
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import QUEUED, SENT, OutboxMessage


def test_invitations_queued_during_an_outage_each_arrive_once_when_the_relay_returns(
    app, monkeypatch, version, owner, vendor_client
):
    port = free_port()
    use_relay(app, monkeypatch, port)
    vendors = [make_vendor(f"Outage {i}", owner=owner) for i in range(3)]
    campaign = create_campaign(version, vendors)
    db.session.commit()  # the invitations are safely in the outbox

    report = outbox.send_pending()
    assert (report.sent, report.retrying) == (0, 3)
    waiting = db.session.scalars(select(OutboxMessage)).all()
    assert all(m.state == QUEUED and m.attempts == 1 and m.last_error for m in waiting)
    assert outbox.send_pending().claimed == 0  # backing off, not hammering the relay

    server = SMTPServer(port=port)
    server.start()
    try:
        db.session.execute(
            update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        report = outbox.send_pending()
        assert report.sent == 3
        assert outbox.send_pending().claimed == 0
        expected = sorted(a.recipients[0].contact.email for a in campaign.assignments)
        server.wait_for(lambda _m: len(server.messages) >= 3)
        time.sleep(0.2)
        assert sorted(m["To"] for m in server.messages) == expected
        db.session.expire_all()
        assert {m.state for m in db.session.scalars(select(OutboxMessage))} == {SENT}
        for message in server.messages:
            link = next(u for u in links_in(SMTPServer.text_of(message)) if "/p/" in u)
            assert vendor_client.get(urlsplit(link).path).status_code == 200
    finally:
        server.stop()


def test_the_manager_who_sends_a_campaign_during_an_outage_gets_a_clear_page_not_an_error(
    app, client, auth, monkeypatch, version, owner, runner
):
    port = free_port()
    use_relay(app, monkeypatch, port)
    monkeypatch.setitem(app.config, "OUTBOX_SEND_AFTER_REQUEST", True)  # as in production
    vendors = [make_vendor(f"Outage page {i}", owner=owner) for i in range(2)]
    auth.login("manager")
    before = utcnow()

    response = client.post(
        "/campaigns/new",
        data={
            "name": "Sent while the relay is down",
            "template_version": str(version.id),
            "vendors": [str(v.id) for v in vendors],
            "due_date": (date.today() + timedelta(days=14)).isoformat(),
            "timezone": "UTC",
            "action": "send",
        },
    )
    response.close()  # what the server does once the page is out: the outbox tries to send

    assert response.status_code == 302
    page = client.get(response.location)
    assert page.status_code == 200
    assert "Sent to 2 vendors." in page.text
    assert page.text.count(">queued</span>") == 2  # each recipient's delivery state is shown
    campaign = db.session.scalar(select(Campaign).where(Campaign.name.like("Sent while%")))
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "invitation")
    ).all()
    assert len(rows) == 2  # nothing lost
    for row in rows:
        db.session.refresh(row)
        assert row.state == QUEUED and row.attempts == 1, "the sender tried once after the page"
        assert "Connection refused" in row.last_error
        assert row.next_attempt_at >= before + timedelta(seconds=29)  # backoff
        assert row.lease_owner is None
    # Administrators see why the messages wait.
    auth.logout()
    auth.login("admin")
    outbox_page = client.get("/admin/outbox/?state=queued")
    assert outbox_page.status_code == 200 and "Connection refused" in outbox_page.text

    server = SMTPServer(port=port)
    server.start()
    try:
        for row in rows:
            row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.flush()
        result = runner.invoke(args=["outbox", "send"])
        assert "sent 2, waiting to retry 0, failed 0" in result.output
        server.wait_for(lambda _m: len(server.messages) >= 2)
        time.sleep(0.2)
        received = sorted(m["Message-ID"] for m in server.messages)
        assert received == sorted(r.message_id for r in rows)
    finally:
        server.stop()
    assert {r.contact.email for a in campaign.assignments for r in a.recipients} == {
        m["To"] for m in server.messages
    }
