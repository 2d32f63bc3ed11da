"""Typed text is never read as a link placeholder: only the random marker a template put in a
message is replaced by its secret link, so no name, message, answer or title a person typed can
hold a message back, pull a link into the wrong place, or change what the message says.

Every field a person types that reaches a mail body is tried here, end to end over SMTP."""

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, links_in, make_user
from tests.mail.helpers import use_relay
from tests.portal.helpers import answer_everything, open_portal
from tests.portal.helpers import submit as portal_submit
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import (
    SMALL_TEMPLATE,
    approved_version,
    create_campaign,
    make_contact,
    make_vendor,
)
from vendorrisk.campaigns import services as campaigns
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import SENT, OutboxMessage

# The old fixed placeholder, a string shaped like a marker, and template syntax.
TYPED = "[[secure-link]] [[secure-link:0123456789abcdef0123456789abcdef]] {{ link }}"
PORTAL = "http://vendorrisk.test/p/"


@pytest.fixture
def relay(app, monkeypatch, smtp_server):
    use_relay(app, monkeypatch, smtp_server.port)
    return smtp_server


def _deliver_all() -> None:
    """Send everything queued; every message must go out (none held back)."""
    report = outbox.send_pending()
    assert report.retrying == 0 and report.failed == 0, db.session.scalars(
        select(OutboxMessage.last_error).where(OutboxMessage.last_error.is_not(None))
    ).all()


def _bodies(relay, address: str, subject_part: str) -> tuple[str, str]:
    message = relay.wait_for(lambda m: m["To"] == address and subject_part in m["Subject"])
    html = message.get_body(preferencelist=("html",)).get_content()
    return relay.text_of(message), html


def _assert_typed_text_intact(body: str, fields: int) -> None:
    """Each field typed arrives exactly as typed, and no placeholder was touched."""
    assert body.count(TYPED) >= fields, body
    assert body.count("[[secure-link]]") == body.count(TYPED), body
    assert body.count("{{ link }}") == body.count(TYPED), body


def test_a_vendor_whose_attestation_names_the_placeholder_still_gets_its_receipt(
    app, relay, owner_named_typed
):
    """The reported case: name and title of the attestation, typed into the portal."""
    version = approved_version()
    vendor = make_vendor(TYPED, owner=owner_named_typed)
    campaign = create_campaign(version, [vendor])
    recipient = campaign.assignments[0].recipients[0]
    vendor_client = app.test_client()
    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    assert portal_submit(vendor_client, aid, name=TYPED, title=TYPED).status_code == 302

    _deliver_all()

    text, html = _bodies(relay, recipient.contact.email, "Receipt")
    _assert_typed_text_intact(text, fields=3)  # vendor name, attestation name and title
    _assert_typed_text_intact(html, fields=3)
    assert links_in(text) == []
    notice, _ = _bodies(relay, owner_named_typed.email, "submitted")
    _assert_typed_text_intact(notice, fields=2)  # the owner's name, the vendor's name


@pytest.fixture
def owner_named_typed(db_session):
    return make_user("manager", name=TYPED)


@pytest.mark.parametrize("template", ["invitation", "reminder", "overdue"])
def test_vendor_campaign_and_people_names_leave_the_portal_link_where_the_template_put_it(
    app, relay, owner_named_typed, template
):
    """Vendor, contact, campaign and sender names and the campaign's message."""
    version = approved_version()
    vendor = make_vendor(TYPED, contacts=[])
    contact = make_contact(vendor, ("security",), name=TYPED)
    campaign = create_campaign(
        version, [vendor], actor=owner_named_typed, name=TYPED, message=TYPED
    )
    recipient = campaign.assignments[0].recipients[0]
    assert recipient.contact_id == contact.id
    if template != "invitation":
        campaigns.queue_message(recipient, template)
        db.session.flush()

    _deliver_all()

    subject = {"invitation": "Due-diligence", "reminder": "Reminder", "overdue": "Overdue"}
    text, html = _bodies(relay, contact.email, subject[template])
    fields = {"invitation": 5, "reminder": 3, "overdue": 3}[template]
    _assert_typed_text_intact(text, fields)
    _assert_typed_text_intact(html, fields)
    found = [link for link in links_in(text) if link.startswith(PORTAL)]
    assert len(found) == 1  # once, where the template put it
    assert app.test_client().get(found[0][len("http://vendorrisk.test") :]).status_code == 200


HOSTILE_TEMPLATE = (
    SMALL_TEMPLATE.replace("id: connector-breach-check", "id: typed-text-check")
    .replace("text: Did you use the affected connector?", f'text: "Did you use it? {TYPED}"')
    .replace(
        "text: Was any data you hold for us accessed by the attacker?",
        f'text: "{TYPED} Was any data accessed?"',
    )
    .replace('label: "Yes, some of it"', f'label: "Yes {TYPED}"')
)


def test_question_texts_answer_labels_and_reviewer_comments_reach_the_vendor_and_staff_intact(
    app, relay, db_session
):
    """A template's texts (typed by whoever uploaded it) and a reviewer's clarification note."""
    from vendorrisk.questionnaires.answers import Answer
    from vendorrisk.questionnaires.services import parsed_version
    from vendorrisk.review import services as review

    compliance = make_user("compliance", name=TYPED)
    version = approved_version(HOSTILE_TEMPLATE)
    vendor = make_vendor("Plain Vendor Ltd", owner=make_user("manager"))
    assignment = create_campaign(version, [vendor]).assignments[0]
    submit(assignment, {**WEAK_ANSWERS, "data_accessed": Answer("yes")})
    review.request_clarification(
        assignment,
        make_user("manager"),
        {"uses_connector": TYPED, "data_accessed": TYPED},
        parsed_version(version),
    )
    db.session.flush()

    _deliver_all()

    alert, alert_html = _bodies(relay, compliance.email, "Impact signal")
    _assert_typed_text_intact(alert, fields=3)  # name, question text, answer label
    _assert_typed_text_intact(alert_html, fields=3)
    email = assignment.recipients[0].contact.email
    text, html = _bodies(relay, email, "Clarification")
    _assert_typed_text_intact(text, fields=4)  # two question texts, two comments
    _assert_typed_text_intact(html, fields=4)
    assert len([link for link in links_in(text) if link.startswith(PORTAL)]) == 1


def test_advisory_and_update_titles_in_a_follow_up_leave_the_link_alone(app, relay, db_session):
    from tests.advisories.helpers import SMALL, add_update, advisory_campaign, make_advisory
    from vendorrisk.advisories import followup

    manager = make_user("manager")
    advisory = make_advisory(title=TYPED)
    vendor = make_vendor("Answered Early Ltd")
    assignment = advisory_campaign(approved_version(), [vendor], advisory).assignments[0]
    submit(assignment, WEAK_ANSWERS)
    update = add_update(advisory, manager, title=TYPED, affected_questions=[f"{SMALL}/rotated"])
    followup.ask_again(advisory, update, [assignment], manager)
    db.session.flush()

    _deliver_all()

    text, html = _bodies(relay, assignment.recipients[0].contact.email, "Please review")
    _assert_typed_text_intact(text, fields=2)
    _assert_typed_text_intact(html, fields=2)
    assert len([link for link in links_in(text) if link.startswith(PORTAL)]) == 1


def test_a_staff_name_in_a_reset_mail_and_token_names_in_the_revocation_mail(app, client, relay):
    from urllib.parse import urlsplit

    from vendorrisk.api.tokens import create_token

    user = make_user("manager", name=TYPED)
    create_token(user, TYPED)
    client.post("/password/forgot", data={"email": user.email})
    _deliver_all()
    text, html = _bodies(relay, user.email, "Reset your")
    _assert_typed_text_intact(text, fields=1)
    _assert_typed_text_intact(html, fields=1)
    (link,) = [li for li in links_in(text) if "/password/reset/" in li]
    new = "Fresh-lilac-meadow-2040"
    assert (
        client.post(urlsplit(link).path, data={"password": new, "confirm": new}).status_code == 302
    )

    _deliver_all()
    text, html = _bodies(relay, user.email, "API tokens")
    _assert_typed_text_intact(text, fields=2)  # the user's name, the token's name
    _assert_typed_text_intact(html, fields=2)
    assert PASSWORD not in text


def test_a_marker_copied_from_another_message_is_only_text(app, relay, db_session):
    """Even someone who saw a stored message's marker cannot make another message use it."""
    user = make_user("manager")
    from vendorrisk.accounts import services as accounts

    accounts.request_password_reset(user.email)
    db.session.flush()
    seen = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    copied = outbox.queue(
        "password_reset",
        "other@vendor.example",
        "Copied marker",
        user_name=seen.link_marker,
        expires_minutes=60,
    )
    with_link = outbox.queue(
        "password_reset",
        "third@vendor.example",
        "Copied marker with a link of its own",
        link=("reset", seen.link_ref),
        user_name=seen.link_marker,
        expires_minutes=60,
    )
    db.session.flush()
    assert with_link.link_marker != seen.link_marker

    _deliver_all()

    text, _ = _bodies(relay, copied.recipient, "Copied marker")
    assert seen.link_marker in text and links_in(text) == []
    text, _ = _bodies(relay, with_link.recipient, "of its own")
    assert f"Hello {seen.link_marker}," in text
    assert len([li for li in links_in(text) if "/password/reset/" in li]) == 1


def test_each_message_gets_its_own_unguessable_marker(db_session):
    first = outbox.queue(
        "password_reset",
        "a@vendor.example",
        "A",
        link=("reset", "1"),
        user_name="A",
        expires_minutes=60,
    )
    second = outbox.queue(
        "password_reset",
        "b@vendor.example",
        "B",
        link=("reset", "1"),
        user_name="B",
        expires_minutes=60,
    )
    plain = outbox.queue(
        "password_reset", "c@vendor.example", "C", user_name="C", expires_minutes=60
    )
    assert first.link_marker != second.link_marker
    assert len(first.link_marker) == len(outbox.LINK_MARKER_PREFIX) + 32 + 2
    assert plain.link_marker is None


def test_a_message_queued_before_the_upgrade_still_gets_its_link(app, relay, db_session):
    """Rows written with the old fixed placeholder carry it as their marker after the upgrade."""
    user = make_user("manager")
    from vendorrisk.accounts import services as accounts

    accounts.request_password_reset(user.email)
    db.session.flush()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    message.body_text = message.body_text.replace(message.link_marker, "[[secure-link]]")
    message.body_html = message.body_html.replace(message.link_marker, "[[secure-link]]")
    message.link_marker = "[[secure-link]]"  # what migration 0010 sets on such rows
    db.session.flush()

    _deliver_all()

    db.session.refresh(message)
    assert message.state == SENT
    text, _ = _bodies(relay, user.email, "Reset your")
    assert "[[secure-link]]" not in text
    assert len([li for li in links_in(text) if "/password/reset/" in li]) == 1


def test_a_staff_name_in_the_sign_in_lock_mail_leaves_the_unlock_link_alone(
    app, relay, db_session, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_FAILURE_LIMIT", "1 per day")
    user = make_user("manager", name=TYPED)
    for ip in ("203.0.113.1", "203.0.113.2"):
        app.test_client().post(
            "/login",
            data={"email": user.email, "password": "wrong-password"},
            environ_base={"REMOTE_ADDR": ip},
        )

    _deliver_all()

    text, html = _bodies(relay, user.email, "locked")
    _assert_typed_text_intact(text, fields=1)
    _assert_typed_text_intact(html, fields=1)
    assert len([li for li in links_in(text) if "/login/unlock/" in li]) == 1
