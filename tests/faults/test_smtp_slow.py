"""The SMTP relay accepts the connection and then says nothing for longer than MAIL_TIMEOUT.
The sender gives up within the timeout and the message waits for a later run; meanwhile the
app keeps serving (the sender holds no database lock while it waits for the relay), and the
message goes out once the relay answers again."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import select

from tests.faults.conftest import migrated_app
from tests.portal.helpers import n, save
from tests.support.factories import approved_version, create_campaign, make_vendor, portal_path
from vendorrisk.campaigns.models import Response
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import QUEUED, SENT, OutboxMessage

TIMEOUT = 2


def test_a_stalled_relay_is_given_up_on_in_time_and_vendors_keep_saving(
    scratch_url, silent_relay, smtp_server
):
    app = migrated_app(scratch_url, MAIL_PORT=silent_relay.port, MAIL_TIMEOUT=TIMEOUT)
    with app.app_context():
        campaign = create_campaign(approved_version(), [make_vendor("Slow relay vendor")])
        recipient = campaign.assignments[0].recipients[0]
        link, aid = portal_path(recipient), recipient.assignment_id
        address = recipient.contact.email
        db.session.commit()
    vendor = app.test_client()
    assert vendor.post(link, data={}).status_code == 302

    result: dict = {}

    def send() -> None:
        with app.app_context():
            started = time.monotonic()
            result["report"] = outbox.send_pending()
            result["elapsed"] = time.monotonic() - started

    sender = threading.Thread(target=send)
    sender.start()
    try:
        time.sleep(0.5)  # the sender is connected and waiting for the relay's greeting
        assert sender.is_alive()
        started = time.monotonic()
        saved = save(vendor, aid, 2, {n("notes"): "Typed while the relay stalled"})
        took = time.monotonic() - started
    finally:
        sender.join(TIMEOUT + 10)

    assert saved.status_code == 302
    assert took < TIMEOUT / 2, f"the save waited {took:.1f} s for the sender"
    assert result["elapsed"] < TIMEOUT + 1.5
    assert (result["report"].sent, result["report"].retrying) == (0, 1)
    with app.app_context():
        row = db.session.scalar(select(OutboxMessage))
        assert row.state == QUEUED and row.attempts == 1 and "timed out" in row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
        assert row.lease_owner is None
        draft = db.session.scalar(select(Response).where(Response.assignment_id == aid)).draft
        assert draft["notes"]["value"] == "Typed while the relay stalled"

        # The relay answers again: the message goes out on the next run once it is due.
        app.config["MAIL_PORT"] = app.extensions["mail"].port = smtp_server.port
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert outbox.send_pending().sent == 1
        db.session.refresh(row)
        assert row.state == SENT and row.attempts == 2
        db.session.remove()
        db.engine.dispose()
    got = smtp_server.wait_for(lambda m: m["Message-ID"] == row.message_id)
    assert got["To"] == address
