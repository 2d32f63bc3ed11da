"""Queueing in the caller's transaction, header safety, and leases that keep senders apart."""

from datetime import timedelta

import pytest

from tests.mail.helpers import outbox_count, queue_message
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import FAILED, QUEUED, SENT


def test_a_queued_message_is_rendered_and_waits_for_the_sender(db_session):
    message = queue_message("waiting@vendor.example", "Hello", user_name="Wanda Wait")
    assert message.state == QUEUED and message.attempts == 0
    assert message.next_attempt_at <= utcnow()
    assert "Hello Wanda Wait" in message.body_text
    assert "Hello Wanda Wait" in message.body_html
    assert message.message_id.startswith("<") and message.message_id.endswith(">")


@pytest.mark.parametrize("address", ["not an address", "a@b@vendor.example", "", "@vendor.example"])
def test_an_invalid_recipient_is_refused_before_anything_is_stored(db_session, address):
    before = outbox_count()
    with pytest.raises(outbox.MailAddressError):
        queue_message(address)
    assert outbox_count() == before


def test_a_subject_with_line_breaks_is_flattened_to_one_line(db_session):
    message = queue_message(subject="Hello\r\nBcc: everyone@evil.example\n  there")
    assert message.subject == "Hello Bcc: everyone@evil.example there"
    assert "\r" not in message.subject and "\n" not in message.subject


def test_the_address_is_stored_normalised(db_session):
    assert queue_message("Someone@Vendor.EXAMPLE").recipient == "Someone@vendor.example"


def _now():
    return utcnow()


def test_a_second_claim_gets_none_of_the_rows_the_first_one_holds(db_session):
    ids = {queue_message(f"claim{n}@vendor.example").id for n in range(3)}
    first = outbox._claim("sender-a", 100, _now())
    second = outbox._claim("sender-b", 100, _now())
    assert ids <= set(first)
    assert ids.isdisjoint(second)


def test_a_claim_respects_the_batch_limit_and_leaves_the_rest_for_another_sender(db_session):
    ids = [queue_message(f"limit{n}@vendor.example").id for n in range(4)]
    first = outbox._claim("sender-a", 2, _now())
    second = outbox._claim("sender-b", 100, _now())
    assert first == ids[:2]
    assert second == ids[2:]


def test_a_row_leased_by_another_sender_is_not_claimed_or_sent(db_session, relay):
    message = queue_message("leased@vendor.example")
    message.lease_owner = "another-sender"
    message.lease_until = utcnow() + timedelta(minutes=2)
    db.session.flush()

    assert message.id not in outbox._claim("sender-b", 100, _now())
    outbox.send_pending()
    assert not [m for m in relay.messages if m["To"] == "leased@vendor.example"]
    db.session.refresh(message)
    assert message.state == QUEUED and message.lease_owner == "another-sender"


def test_a_lease_that_has_run_out_can_be_claimed_again(db_session):
    """A sender that died mid-batch does not hold its rows for ever."""
    message = queue_message("stale@vendor.example")
    message.lease_owner = "crashed-sender"
    message.lease_until = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert message.id in outbox._claim("sender-b", 100, _now())


def test_messages_not_yet_due_sent_or_failed_are_not_claimed(db_session):
    later = queue_message("later@vendor.example")
    later.next_attempt_at = utcnow() + timedelta(minutes=5)
    sent = queue_message("sent@vendor.example")
    sent.state = SENT
    failed = queue_message("failed@vendor.example")
    failed.state = FAILED
    db.session.flush()
    claimed = outbox._claim("sender-a", 100, _now())
    assert {later.id, sent.id, failed.id}.isdisjoint(claimed)
