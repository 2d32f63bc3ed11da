"""An SMTP outage while invitations go out loses nothing: they wait in the outbox and each
arrives exactly once when the relay is back, with a link that works."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update

from tests.conftest import links_in
from tests.mail.helpers import use_relay
from tests.support.factories import create_campaign, make_vendor
from tests.support.smtp import SMTPServer, free_port
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
