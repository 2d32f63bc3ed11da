"""`flask outbox send` and the administrators' outbox page."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.mail.helpers import queue_message
from vendorrisk.audit.models import AuditEntry
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail.models import FAILED, QUEUED, SENT


def test_flask_outbox_send_delivers_what_is_due(runner, relay):
    messages = [queue_message(f"cli{n}@vendor.example") for n in range(3)]
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 3, waiting to retry 0, failed 0" in result.output
    relay.wait_for(lambda _m: len(relay.messages) >= 3, timeout=5)
    for message in messages:
        db.session.refresh(message)
        assert message.state == SENT


def test_flask_outbox_send_works_through_batches(runner, relay):
    for n in range(5):
        queue_message(f"batch{n}@vendor.example")
    result = runner.invoke(args=["outbox", "send", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "sent 5," in result.output
    time.sleep(0.1)
    assert len(relay.messages) == 5


def test_flask_outbox_send_reports_an_outage_and_keeps_the_messages(runner, no_relay):
    message = queue_message("cli-outage@vendor.example")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 0, waiting to retry 1, failed 0" in result.output
    db.session.refresh(message)
    assert message.state == QUEUED and message.attempts == 1


def test_flask_outbox_send_with_nothing_to_do(runner):
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0
    assert "sent 0, waiting to retry 0, failed 0" in result.output


def _failed_message(to="failed@vendor.example"):
    message = queue_message(to, "It failed")
    message.state = FAILED
    message.attempts = 8
    message.last_error = "SMTPRecipientsRefused: mailbox unavailable"
    message.next_attempt_at = utcnow() - timedelta(days=1)
    db.session.flush()
    return message


def test_the_outbox_page_lists_messages_with_their_state(client, auth):
    auth.login("admin")
    queue_message("listed@vendor.example", "Listed subject")
    _failed_message()
    page = client.get("/admin/outbox/")
    assert page.status_code == 200
    assert "listed@vendor.example" in page.text and "Listed subject" in page.text
    assert "failed@vendor.example" in page.text
    assert "SMTPRecipientsRefused: mailbox unavailable" in page.text
    assert "Retry now" in page.text

    failed_only = client.get("/admin/outbox/?state=failed").text
    assert "failed@vendor.example" in failed_only
    assert "listed@vendor.example" not in failed_only


def test_the_outbox_page_shows_no_secret_link(client, auth):
    from tests.conftest import make_user

    auth.login("admin")
    user = make_user("manager")
    client.post("/password/forgot", data={"email": user.email})
    page = client.get("/admin/outbox/").text
    assert user.email in page
    assert "/password/reset/" not in page


def test_retry_now_requeues_a_failed_message_for_the_next_run(client, auth, relay):
    admin = auth.login("admin")
    message = _failed_message()

    response = client.post(f"/admin/outbox/{message.id}/retry", data={})

    assert response.status_code == 302 and response.location.endswith("/admin/outbox/")
    assert "The message will be sent on the next run." in client.get("/admin/outbox/").text
    db.session.refresh(message)
    assert message.state == QUEUED
    assert message.next_attempt_at <= utcnow()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.retry"))
    assert entry.actor_id == admin.id and entry.object_id == str(message.id)

    from vendorrisk.mail.services import send_pending

    assert send_pending().sent == 1
    relay.wait_for(lambda m: m["To"] == "failed@vendor.example", timeout=5)


def test_retry_now_does_not_resend_a_sent_message(client, auth):
    auth.login("admin")
    message = queue_message("done@vendor.example")
    message.state = SENT
    message.sent_at = utcnow()
    db.session.flush()
    client.post(f"/admin/outbox/{message.id}/retry", data={})
    assert "That message was already sent." in client.get("/admin/outbox/").text
    db.session.refresh(message)
    assert message.state == SENT


def test_retry_now_for_an_unknown_message_is_a_404(client, auth):
    auth.login("admin")
    assert client.post("/admin/outbox/999999/retry", data={}).status_code == 404


def test_retry_now_needs_a_csrf_token(client, auth):
    auth.login("admin")
    message = _failed_message()
    response = client.post(f"/admin/outbox/{message.id}/retry", data={}, csrf=False)
    assert response.status_code == 400
    db.session.refresh(message)
    assert message.state == FAILED


@pytest.mark.parametrize("role", ["manager", "compliance"])
def test_only_admins_see_the_outbox_or_retry(client, auth, role):
    auth.login(role)
    message = _failed_message()
    assert client.get("/admin/outbox/").status_code == 403
    assert client.post(f"/admin/outbox/{message.id}/retry", data={}).status_code == 403
    db.session.refresh(message)
    assert message.state == FAILED
