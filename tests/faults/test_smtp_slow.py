"""The SMTP relay accepts the connection and then says nothing. The sender gives up after
MAIL_TIMEOUT and the message waits for a later run; meanwhile the app keeps serving (the
sender holds no database lock while it waits for the relay), and the message goes out once
the relay answers again.

No clock is read here: "the save did not wait for the sender" is shown by the save returning
while the sender is still waiting on a relay that has not said a word, and "the sender gave
up in time" by the sender returning, with a timeout recorded, from a relay that never
hangs up."""

from __future__ import annotations

import threading
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

# Long enough that only the relay hanging up ends the first test's wait.
PATIENT = 600
BOUND = 120  # how long a test waits on a thread before calling it hung


def _started_campaign(app):
    with app.app_context():
        campaign = create_campaign(approved_version(), [make_vendor("Slow relay vendor")])
        recipient = campaign.assignments[0].recipients[0]
        link, aid = portal_path(recipient), recipient.assignment_id
        address = recipient.contact.email
        db.session.commit()
    vendor = app.test_client()
    assert vendor.post(link, data={}).status_code == 302
    return vendor, aid, address


def _sending(app) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def send() -> None:
        with app.app_context():
            result["report"] = outbox.send_pending()

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    return sender, result


def test_vendors_keep_saving_while_the_sender_waits_on_a_stalled_relay(scratch_url, silent_relay):
    app = migrated_app(scratch_url, MAIL_PORT=silent_relay.port, MAIL_TIMEOUT=PATIENT)
    vendor, aid, _ = _started_campaign(app)

    sender, result = _sending(app)
    assert silent_relay.connected.wait(BOUND), "the sender never reached the relay"
    saved = save(vendor, aid, 2, {n("notes"): "Typed while the relay stalled"})
    # The relay has not said a word and the sender's timeout is far off: it is still waiting.
    assert sender.is_alive()
    assert saved.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(Response).where(Response.assignment_id == aid)).draft
        assert draft["notes"]["value"] == "Typed while the relay stalled"
        db.session.remove()

    silent_relay.hang_up()
    sender.join(BOUND)
    assert not sender.is_alive()
    assert (result["report"].sent, result["report"].retrying) == (0, 1)


def test_a_stalled_relay_is_given_up_on_after_the_timeout_and_retried_later(
    scratch_url, silent_relay, smtp_server
):
    app = migrated_app(scratch_url, MAIL_PORT=silent_relay.port, MAIL_TIMEOUT=1)
    _, _, address = _started_campaign(app)

    sender, result = _sending(app)
    sender.join(BOUND)
    # The relay never hung up: only the sender's own timeout can have ended its wait.
    assert not sender.is_alive()
    assert silent_relay.held, "the relay never held the sender's connection"
    assert (result["report"].sent, result["report"].retrying) == (0, 1)
    with app.app_context():
        row = db.session.scalar(select(OutboxMessage))
        assert row.state == QUEUED and row.attempts == 1 and "timed out" in row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
        assert row.lease_owner is None

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
