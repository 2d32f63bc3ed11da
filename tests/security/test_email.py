"""SECURITY.md items 18-19: e-mail.

No user-supplied header goes out unchecked, the relay gets a short timeout, the sender comes
from configuration; the outbox is written with the change, leased, committed message by message,
and loses nothing in an outage.
"""

import threading
import uuid
from datetime import timedelta

import pytest
from flask_mail import Connection
from sqlalchemy import delete

from tests.mail.helpers import outbox_count, queue_message, received_by, settle
from vendorrisk.config import build_config
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import QUEUED, SENT, OutboxMessage


@pytest.mark.parametrize(
    "address",
    [
        "victim@vendor.example\r\nBcc: everyone@evil.example",
        "victim@vendor.example\nBcc: everyone@evil.example",
        "victim@vendor.example\rX-Injected: yes",
        "victim@vendor.example\x00",
    ],
)
def test_item_18_a_recipient_with_a_line_break_is_refused_before_anything_is_stored(
    db_session, address
):
    """Item 18: "Nothing user-supplied goes into headers unchecked." """
    before = outbox_count()
    with pytest.raises(outbox.MailAddressError, match="line break"):
        queue_message(address)
    assert outbox_count() == before


def test_item_18_a_subject_line_break_cannot_inject_a_header_in_the_sent_message(db_session, relay):
    """Item 18: "a CR/LF there injects headers" - not in a message this app sends."""
    queue_message("inject@vendor.example", subject="Hi\r\nBcc: everyone@evil.example")
    outbox.send_pending()
    got = relay.wait_for(lambda m: m["To"] == "inject@vendor.example")
    assert got["Bcc"] is None
    assert len(relay.messages) == 1


def test_item_18_the_smtp_timeout_is_never_above_10_seconds(tmp_path, monkeypatch, app):
    """Item 18: "SMTP timeout <= 10 s." """
    monkeypatch.setenv("MAIL_TIMEOUT", "60")
    assert build_config(tmp_path)["MAIL_TIMEOUT"] == 10
    monkeypatch.delenv("MAIL_TIMEOUT")
    assert build_config(tmp_path)["MAIL_TIMEOUT"] <= 10
    assert app.config["MAIL_TIMEOUT"] <= 10


def test_item_18_from_and_reply_to_come_from_configuration(app, db_session, relay, monkeypatch):
    """Item 18: "From and Reply-To come from configuration." """
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "VendorRisk <noreply@firm.example>")
    monkeypatch.setitem(app.config, "MAIL_REPLY_TO", "security@firm.example")
    queue_message("headers@vendor.example")
    outbox.send_pending()
    got = relay.wait_for(lambda m: m["To"] == "headers@vendor.example")
    assert got["From"] == "VendorRisk <noreply@firm.example>"
    assert got["Reply-To"] == "security@firm.example"
    assert got["Auto-Submitted"] == "auto-generated"


def test_item_19_a_message_queued_in_a_transaction_that_rolls_back_is_never_sent(db_session, relay):
    """Item 19: "the message row is written in the same transaction as the change that caused it." """
    before = outbox_count()
    queue_message("rolled.back@vendor.example")
    assert outbox_count() == before + 1
    db.session.rollback()

    assert outbox_count() == before
    report = outbox.send_pending()
    assert report.sent == 0
    assert relay.messages == []


def test_item_19_two_senders_running_at_once_never_claim_the_same_row(app):
    """Item 19: "Senders claim rows with a lease so two senders never send the same row."

    Real concurrency: two threads, each with its own connection, claim committed rows."""
    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        ids = [queue_message(f"race{n}-{tag}@vendor.example").id for n in range(20)]
        db.session.commit()
    barrier = threading.Barrier(2)
    results: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def sender(owner: str) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=5)
                results[owner] = outbox._claim(owner, 100, utcnow())
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(f"racer-{n}-{tag}",)) for n in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        first, second = (set(results[f"racer-{n}-{tag}"]) & set(ids) for n in range(2))
        assert first.isdisjoint(second)
        assert first | second == set(ids)
    finally:
        with app.app_context():
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
            db.session.commit()


def test_item_19_each_message_is_marked_sent_in_its_own_commit_once_the_relay_accepts_it(
    db_session, relay, monkeypatch
):
    """Item 19: "each message is marked sent in its own commit right after the relay accepts
    it." """
    messages = [queue_message(f"own-commit{n}@vendor.example") for n in range(2)]
    events = []
    real_commit, real_send = db.session.commit, Connection.send

    def commit():
        events.append(("commit", tuple(m.state for m in messages)))
        return real_commit()

    def send(self, message, *args, **kwargs):
        events.append(("send", message.recipients[0]))
        return real_send(self, message, *args, **kwargs)

    monkeypatch.setattr(db.session, "commit", commit)
    monkeypatch.setattr(Connection, "send", send)
    assert outbox.send_pending().sent == 2
    first, second = (i for i, event in enumerate(events) if event[0] == "send")
    assert events[first] == ("send", messages[0].recipient)
    assert events[first + 1] == ("commit", (SENT, QUEUED))
    assert events[second + 1] == ("commit", (SENT, SENT))


def test_item_19_a_crash_after_the_relay_accepted_resends_once_with_the_same_message_id(
    db_session, relay
):
    """Item 19: "a crash in between can resend it once, with the same Message-ID."

    If the 'sent' commit is lost, the next run sends again: same Message-ID, so it dedupes."""
    message = queue_message("crash@vendor.example")
    outbox.send_pending()
    message.state, message.sent_at = QUEUED, None  # as if the commit after sending never happened
    db.session.flush()

    outbox.send_pending()

    settle(relay, 2)
    got = received_by(relay, "crash@vendor.example")
    assert len(got) == 2
    assert got[0]["Message-ID"] == got[1]["Message-ID"] == message.message_id


def test_item_19_when_the_relay_is_unreachable_messages_wait_with_backoff_and_nothing_is_lost(
    db_session, no_relay
):
    """Item 19: "An SMTP outage loses nothing: rows wait and are retried with backoff." """
    messages = [queue_message(f"outage{n}@vendor.example") for n in range(3)]
    before = utcnow()

    report = outbox.send_pending()

    assert (report.sent, report.retrying, report.failed) == (0, 3, 0)
    for message in messages:
        db.session.refresh(message)
        assert message.state == QUEUED
        assert message.attempts == 1
        assert message.last_error and "Connection" in message.last_error
        assert message.next_attempt_at >= before + timedelta(seconds=29)
        assert message.lease_owner is None and message.lease_until is None
    # Not due yet: a run straight away leaves them alone.
    assert outbox.send_pending().claimed == 0
