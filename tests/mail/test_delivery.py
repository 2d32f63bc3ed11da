"""Delivering the outbox over real SMTP: once each, stable Message-IDs, nothing lost in outages."""

import socket
import time
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import make_user
from tests.mail.helpers import queue_message, received_by, settle, use_relay
from vendorrisk.accounts import services as accounts
from vendorrisk.accounts.models import PasswordResetToken
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import FAILED, QUEUED, SENT, OutboxMessage


def test_each_queued_message_is_delivered_once_with_its_stored_message_id(db_session, relay):
    messages = [queue_message(f"deliver{n}@vendor.example", f"Subject {n}") for n in range(3)]

    report = outbox.send_pending()

    assert (report.claimed, report.sent, report.retrying, report.failed) == (3, 3, 0, 0)
    settle(relay, 3)
    for message in messages:
        got = received_by(relay, message.recipient)
        assert len(got) == 1
        assert got[0]["Message-ID"] == message.message_id
        assert got[0]["Subject"] == message.subject
        db.session.refresh(message)
        assert message.state == SENT and message.sent_at is not None
        assert message.attempts == 1 and message.lease_owner is None

    assert outbox.send_pending().claimed == 0
    time.sleep(0.1)
    assert len(relay.messages) == 3


def test_a_message_has_a_plain_text_and_an_html_part(db_session, relay):
    queue_message("parts@vendor.example", user_name="Pat Parts")
    outbox.send_pending()
    got = relay.wait_for(lambda m: m["To"] == "parts@vendor.example")
    assert "Hello Pat Parts" in relay.text_of(got)
    assert "Pat Parts" in got.get_body(preferencelist=("html",)).get_content()


def test_after_an_outage_each_message_arrives_exactly_once_when_it_is_due(
    app, db_session, smtp_server, monkeypatch
):
    messages = [queue_message(f"later{n}@vendor.example") for n in range(3)]
    use_relay(app, monkeypatch, 1)
    outbox.send_pending()
    outbox.send_pending()

    use_relay(app, monkeypatch, smtp_server.port)
    assert outbox.send_pending().claimed == 0  # the relay is back, but the backoff has not passed
    for message in messages:
        message.next_attempt_at = utcnow()
    db.session.flush()

    report = outbox.send_pending()
    outbox.send_pending()

    assert report.sent == 3
    settle(smtp_server, 3)
    for message in messages:
        assert len(received_by(smtp_server, message.recipient)) == 1
        db.session.refresh(message)
        assert message.state == SENT and message.attempts == 2 and message.last_error is None
    assert len(smtp_server.messages) == 3


def test_the_backoff_grows_with_each_failure_up_to_an_hour(db_session, no_relay):
    message = queue_message("backoff@vendor.example")
    waits = []
    for _ in range(7):
        message.next_attempt_at = utcnow()
        db.session.flush()
        start = utcnow()
        outbox.send_pending()
        db.session.refresh(message)
        waits.append(round((message.next_attempt_at - start).total_seconds() / 30))
    assert waits == [1, 2, 4, 8, 16, 32, 64]
    assert outbox._backoff(20) == timedelta(hours=1)


def test_a_message_that_keeps_failing_is_marked_failed_after_the_last_attempt(
    app, db_session, no_relay
):
    message = queue_message("doomed@vendor.example")
    for _ in range(app.config["OUTBOX_MAX_ATTEMPTS"]):
        message.next_attempt_at = utcnow()
        db.session.flush()
        outbox.send_pending()
        db.session.refresh(message)
    assert message.state == FAILED
    assert message.attempts == app.config["OUTBOX_MAX_ATTEMPTS"]
    assert outbox.send_pending().claimed == 0


def test_a_relay_that_never_answers_does_not_hang_the_sender(app, db_session, monkeypatch):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts the TCP connection but never says a word
    try:
        use_relay(app, monkeypatch, silent.getsockname()[1])
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 0.5)
        message = queue_message("silent@vendor.example")
        # The relay never hangs up: the call returning at all is the timeout at work.
        report = outbox.send_pending()
    finally:
        silent.close()
    assert report.retrying == 1
    db.session.refresh(message)
    assert message.state == QUEUED and "timed out" in message.last_error


def test_a_message_whose_link_was_retired_is_held_back_while_the_others_go(
    client, db_session, relay
):
    user = make_user("manager")
    client.post("/password/forgot", data={"email": user.email})
    other = queue_message("unrelated@vendor.example")
    token = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)
    )
    token.used_at = utcnow()
    db.session.flush()

    report = outbox.send_pending()

    assert report.sent == 1 and report.retrying == 1
    settle(relay, 1)
    assert received_by(relay, user.email) == []
    assert len(received_by(relay, other.recipient)) == 1
    held = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert held.state == QUEUED and "LookupError" in held.last_error


def test_the_link_is_filled_in_only_in_the_message_that_goes_out(client, db_session, relay):
    user = make_user("manager")
    client.post("/password/forgot", data={"email": user.email})
    outbox.send_pending()
    got = relay.wait_for(lambda m: m["To"] == user.email)
    html = got.get_body(preferencelist=("html",)).get_content()
    assert outbox.LINK_MARKER_PREFIX not in relay.text_of(got) + html
    assert "/password/reset/" in relay.text_of(got) and "/password/reset/" in html
    stored = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    db.session.refresh(stored)
    assert stored.link_marker in stored.body_text
    assert accounts.RESET_PURPOSE == stored.link_purpose


def test_the_console_transport_prints_instead_of_sending(app, db_session, monkeypatch, capsys):
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "console")
    message = queue_message("console@vendor.example", "Printed")
    assert outbox.send_pending().sent == 1
    assert "e-mail to console@vendor.example: Printed" in capsys.readouterr().out
    db.session.refresh(message)
    assert message.state == SENT
