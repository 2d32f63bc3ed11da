"""Delegation: a recipient hands sections to a colleague, who answers only those through a link
of their own; answers name who gave them; the recipient follows progress, revokes, submits."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.portal.delegation_helpers import (
    COLLEAGUE,
    audit_actions,
    delegate,
    delegate_recipient,
    latest_delegation,
)
from tests.portal.helpers import COMPLETE, draft_of, n, open_portal, save, section_url, submit
from tests.support.factories import portal_path
from vendorrisk.campaigns.models import Evidence, Revision
from vendorrisk.core import links
from vendorrisk.extensions import db
from vendorrisk.mail.models import OutboxMessage
from vendorrisk.portal.delegation_models import AnswerAuthor, RevisionAuthor

# The small questionnaire: 0 "Exposure", 1 "Replacing the certificate", 2 "Your response plan".
READINESS = "readiness"


@pytest.fixture
def colleague(app, aid, vendor_client):
    """A second browser, holding the link of a colleague given the last section only."""
    assert delegate(vendor_client, aid, [READINESS]).status_code == 302
    browser = app.test_client()
    open_portal(browser, delegate_recipient())
    return browser


def test_delegating_queues_a_link_of_their_own_stored_only_as_a_hash(vendor_client, aid):
    response = delegate(vendor_client, aid, [READINESS, "rotation"])
    assert response.status_code == 302
    row = latest_delegation()
    person = delegate_recipient()
    assert row.sections == [READINESS, "rotation"]
    assert person.expires_at == row.delegated_by.expires_at  # never beyond the delegator's
    token = links.derive_token("portal", person.id, person.nonce)
    assert person.token_hash == links.token_hash(token)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == COLLEAGUE))
    assert message.template == "delegation" and message.link_purpose == "portal"
    assert token not in message.body_text and token not in message.body_html
    assert (
        "Your response plan" in message.body_text
        and "Replacing the certificate" in message.body_text
    )
    entry = audit_actions("delegation.created")[-1]
    assert entry.actor_ref == f"recipient:{row.delegated_by_id}"
    assert COLLEAGUE not in json.dumps(entry.details)  # ids, not personal data


def test_opening_the_delegate_link_changes_nothing_until_continue(app, vendor_client, aid):
    delegate(vendor_client, aid, [READINESS])
    person = delegate_recipient()
    browser = app.test_client()
    assert browser.get(portal_path(person)).status_code == 200
    db.session.expire_all()
    assert person.first_opened_at is None
    assert browser.get(section_url(aid, 2)).status_code == 404  # no access from a GET
    assert browser.post(portal_path(person), data={}).status_code == 302
    assert browser.get(section_url(aid, 2)).status_code == 200


def _portal_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("portal.") and "assignment_id" in rule.arguments:
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                yield rule, method


def test_a_delegate_gets_404_on_every_portal_route_outside_their_sections(
    app, aid, colleague, vendor_client, assignment
):
    """Every portal route of the assignment, read and write, is swept as the delegate."""
    save(vendor_client, aid, 0, COMPLETE[0])
    outside = Evidence(
        response_id=assignment.response.id,
        question_id="rotated",
        filename="out.pdf",
        stored_name="ab" * 20,
        size=1,
        sha256="0" * 64,
        content_type="application/pdf",
    )
    db.session.add(outside)
    db.session.flush()
    before = dict(draft_of(assignment))
    allowed = {("portal.my_sections", "GET"), ("portal.questionnaire", "GET")}
    checked = 0
    for rule, method in _portal_rules(app):
        values = {"assignment_id": aid, "index": 0, "evidence_id": outside.id}
        values.update({"finding_id": 1, "delegation_id": latest_delegation().id})
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        if method == "GET":
            response = colleague.get(path)
        else:
            response = colleague.post(path, data={"version": "1", n("uses_connector"): "no"})
        checked += 1
        if (rule.endpoint, method) in allowed:
            assert response.status_code in (200, 302), (rule.endpoint, method)
            continue
        assert response.status_code == 404, (rule.endpoint, method, response.status_code)
    assert checked >= 19  # every portal route of an assignment, GET and POST
    db.session.expire_all()
    assert draft_of(assignment) == before
    assert db.session.get(Evidence, outside.id).removed_at is None
    assert latest_delegation().active
    # The one section they hold opens, and its page links nowhere else.
    page = colleague.get(section_url(aid, 2)).text
    assert f"/portal/a/{aid}/s/0" not in page and f"/portal/a/{aid}/submit" not in page
    known = re.search(r"data-known-answers='([^']*)'", page).group(1)
    assert json.loads(known.replace("&#34;", '"')) == {}  # no answer of another section
    assert colleague.get(section_url(aid, 1)).status_code == 404
    assert colleague.get(f"/portal/a/{aid}/").location.endswith(f"/portal/a/{aid}/yours")


def test_a_delegate_saves_their_section_attributed_to_them(aid, colleague, assignment):
    response = save(colleague, aid, 2, COMPLETE[2], action="next")
    assert response.status_code == 302
    assert response.location.endswith(f"/portal/a/{aid}/yours")  # not the submission page
    assert draft_of(assignment)["notify_hours"]
    person = delegate_recipient()
    authors = {
        a.question_id: a.recipient_id
        for a in db.session.scalars(
            select(AnswerAuthor).where(AnswerAuthor.response_id == assignment.response.id)
        )
    }
    assert authors["notify_hours"] == person.id
    entry = audit_actions("delegate.answers_saved")[-1]
    assert entry.actor_ref == f"recipient:{person.id}"
    assert "notify_hours" in entry.details["questions"]
    overview = colleague.get(f"/portal/a/{aid}/yours").text
    assert "Your response plan" in overview and "Exposure" not in overview


def test_the_delegator_sees_progress_and_holder_then_attests_the_whole(
    aid, colleague, vendor_client, assignment, recipient, client, auth
):
    save(colleague, aid, 2, COMPLETE[2])
    page = vendor_client.get(f"/portal/a/{aid}/delegates").text
    row = re.search(r"Your response plan</a>.*?</tr>", page, re.S).group(0)
    assert "Dana Delegate" in row and "1 of 3" in row
    save(vendor_client, aid, 0, COMPLETE[0])
    save(vendor_client, aid, 1, COMPLETE[1])
    assert submit(vendor_client, aid).status_code == 302
    db.session.expire_all()
    revision = db.session.scalar(select(Revision).order_by(Revision.id.desc()).limit(1))
    assert revision.submitted_by_recipient_id == recipient.id
    frozen = {
        a.question_id: a.recipient_id
        for a in db.session.scalars(
            select(RevisionAuthor).where(RevisionAuthor.revision_id == revision.id)
        )
    }
    person = delegate_recipient()
    assert frozen["notify_hours"] == person.id
    assert frozen["uses_connector"] == recipient.id
    # The vendor manager sees who answered what.
    auth.login("manager")
    review = client.get(f"/review/assignments/{assignment.id}").text
    assert "Who answered" in review
    assert "Answered by Dana Delegate (delegate)" in review
    assert f"Answered by {recipient.contact.display_name}<" in review.replace("</div>", "<")


def test_revoking_ends_the_colleagues_access_at_once(aid, colleague, vendor_client, assignment):
    row = latest_delegation()
    save(colleague, aid, 2, {n("notes"): "Kept after revocation"})
    # The delegate cannot revoke, nor a GET revoke anything.
    assert colleague.post(f"/portal/a/{aid}/delegates/{row.id}/revoke", data={}).status_code == 404
    assert vendor_client.get(f"/portal/a/{aid}/delegates/{row.id}/revoke").status_code == 405
    assert latest_delegation().active
    revoked = vendor_client.post(f"/portal/a/{aid}/delegates/{row.id}/revoke", data={})
    assert revoked.status_code == 302
    assert not latest_delegation().active
    assert delegate_recipient().revoked_at is not None
    assert colleague.get(section_url(aid, 2)).status_code == 404
    assert colleague.get(portal_path(delegate_recipient())).status_code == 404
    assert draft_of(assignment)["notes"]  # what they saved stays in the draft
    assert audit_actions("delegation.revoked")[-1].object_id == str(row.id)
    page = vendor_client.get(f"/portal/a/{aid}/delegates").text
    assert "revoked" in page


def test_a_revoked_colleague_can_be_given_sections_again_with_a_new_link(
    app, aid, colleague, vendor_client
):
    old = latest_delegation()
    vendor_client.post(f"/portal/a/{aid}/delegates/{old.id}/revoke", data={})
    old_path = portal_path(delegate_recipient())
    assert delegate(vendor_client, aid, ["exposure"]).status_code == 302
    assert app.test_client().get(old_path).status_code == 404  # the old link stays dead
    browser = app.test_client()
    open_portal(browser, delegate_recipient())
    assert browser.get(section_url(aid, 0)).status_code == 200
    assert browser.get(section_url(aid, 2)).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not an address", "sections": [READINESS]}, "This is not an e-mail address"),
        ({"email": COLLEAGUE}, "Choose at least one section."),
        ({"email": "", "sections": [READINESS]}, "Give your colleague&#39;s e-mail address."),
    ],
)
def test_a_refused_delegation_says_why_next_to_the_field(vendor_client, aid, data, message):
    response = vendor_client.post(f"/portal/a/{aid}/delegates", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert latest_delegation() is None


def test_a_section_is_held_by_one_colleague_and_never_by_yourself(vendor_client, aid, recipient):
    delegate(vendor_client, aid, [READINESS])
    taken = delegate(vendor_client, aid, [READINESS], email="other@acme.example")
    assert taken.status_code == 400 and "Already delegated: Your response plan" in taken.text
    own = delegate(vendor_client, aid, ["exposure"], email=recipient.contact.email)
    assert own.status_code == 400 and "not your own" in own.text


def test_nothing_can_be_delegated_once_submitted(vendor_client, aid):
    for index, data in enumerate(COMPLETE):
        save(vendor_client, aid, index, data)
    assert submit(vendor_client, aid).status_code == 302
    response = delegate(vendor_client, aid, [READINESS])
    assert response.status_code == 400
    assert latest_delegation() is None


def test_the_colleague_answers_through_the_link_the_real_relay_delivered(
    app, relay, vendor_client, aid, assignment
):
    """End to end over SMTP: the delegation e-mail arrives, its link opens only those sections."""
    from urllib.parse import urlsplit

    from tests.conftest import links_in
    from tests.support.smtp import SMTPServer
    from vendorrisk.mail import services as outbox

    assert delegate(vendor_client, aid, [READINESS]).status_code == 302
    outbox.send_pending()
    message = relay.wait_for(lambda m: m["To"] == COLLEAGUE)
    assert "asks for your help" in message["Subject"]
    body = SMTPServer.text_of(message)
    link = next(u for u in links_in(body) if "/p/" in u)
    person = delegate_recipient()
    assert links.token_hash(urlsplit(link).path.rsplit("/", 1)[1]) == person.token_hash
    browser = app.test_client()
    open_portal_path = urlsplit(link).path
    assert browser.get(open_portal_path).status_code == 200
    assert browser.post(open_portal_path, data={}).status_code == 302
    assert save(browser, aid, 2, COMPLETE[2]).status_code == 302
    assert browser.get(section_url(aid, 0)).status_code == 404
    assert "notify_hours" in draft_of(assignment)


def test_delegations_per_questionnaire_are_capped_so_a_link_cannot_send_mail_at_will(
    vendor_client, aid, monkeypatch
):
    from vendorrisk.portal import delegation

    monkeypatch.setattr(delegation, "MAX_DELEGATIONS", 2)
    for n_ in range(2):
        assert (
            delegate(vendor_client, aid, [READINESS], email=f"p{n_}@acme.example").status_code
            == 302
        )
        vendor_client.post(f"/portal/a/{aid}/delegates/{latest_delegation().id}/revoke", data={})
    refused = delegate(vendor_client, aid, [READINESS], email="p9@acme.example")
    assert refused.status_code == 400
    assert "the most it can have" in refused.text
    assert (
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "p9@acme.example"))
        is None
    )


def test_reminders_go_to_the_person_asked_never_to_a_colleague_given_sections(
    vendor_client, aid, assignment, recipient
):
    """The person who delegated answers for the whole questionnaire and hears of its due date;
    a colleague's link opens only their sections and gets no reminder, scheduled or bulk."""
    from datetime import timedelta

    from vendorrisk.campaigns import reminders

    assert delegate(vendor_client, aid, [READINESS]).status_code == 302
    due = assignment.campaign.due_at
    assert reminders.send_reminders(now=due - timedelta(days=1) + timedelta(minutes=1)) == 1
    sent = db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.template == "reminder")
    ).all()
    assert sent == [recipient.contact.email]
    assert COLLEAGUE not in sent
    chased = reminders.chased_recipients([assignment], due - timedelta(days=2))
    assert [r.id for r in chased[assignment.id]] == [recipient.id]
