"""Decisions, clarification rounds, overrides and the finding life cycle."""

from datetime import date, timedelta

from sqlalchemy import select, text

from tests.conftest import AuthActions, links_in, make_user
from tests.portal.helpers import open_portal, save
from tests.support.smtp import SMTPServer
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.review import services
from vendorrisk.review.models import (
    CLOSED,
    OPEN,
    PLANNED,
    RISK_ACCEPTED,
    ClarificationItem,
    Finding,
    ReviewDecision,
)


def _login(app, role, **kw):
    client = app.test_client()
    user = AuthActions(client).login(role, **kw)
    return client, user


def test_submission_raises_a_tracked_finding_for_each_gap(submitted):
    findings = db.session.scalars(
        select(Finding).where(Finding.assignment_id == submitted.id)
    ).all()
    by_question = {f.question_id: f for f in findings}
    assert by_question["rotated"].severity in ("critical", "high")
    assert by_question["rotated"].remediation.startswith("Swap the certificate")
    assert by_question["rotated"].state == OPEN
    assert "credentials_reset" in by_question


def test_a_manager_accepts_and_the_decision_names_the_reviewer(app, submitted):
    client, reviewer = _login(app, "manager")
    response = client.post(
        f"/review/assignments/{submitted.id}/decision",
        data={"decision": "accepted", "note": "Fine."},
    )
    assert response.status_code == 302
    decision = db.session.scalar(
        select(ReviewDecision).where(ReviewDecision.assignment_id == submitted.id)
    )
    assert decision.reviewer_id == reviewer.id and decision.decision == "accepted"
    assert db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "review.decided", AuditEntry.actor_id == reviewer.id
        )
    )


def test_conditions_of_an_approval_become_findings_with_due_dates(app, submitted):
    client, _ = _login(app, "manager")
    due = (date.today() + timedelta(days=30)).isoformat()
    response = client.post(
        f"/review/assignments/{submitted.id}/decision",
        data={
            "decision": "approved_with_conditions",
            "conditions-0-text": "Rotate the signing key",
            "conditions-0-due": due,
        },
    )
    assert response.status_code == 302
    condition = db.session.scalar(
        select(Finding).where(Finding.source == "condition", Finding.assignment_id == submitted.id)
    )
    assert condition.title == "Rotate the signing key" and condition.due_date.isoformat() == due


def test_an_approval_with_conditions_needs_a_condition_and_a_rejection_a_reason(app, submitted):
    client, _ = _login(app, "manager")
    r1 = client.post(
        f"/review/assignments/{submitted.id}/decision",
        data={"decision": "approved_with_conditions"},
    )
    r2 = client.post(f"/review/assignments/{submitted.id}/decision", data={"decision": "rejected"})
    assert r1.status_code == 400 and "Add at least one condition" in r1.text
    assert r2.status_code == 400 and "Say why the answers are rejected." in r2.text
    assert (
        db.session.scalar(
            select(ReviewDecision).where(ReviewDecision.assignment_id == submitted.id)
        )
        is None
    )


def test_compliance_officers_read_reviews_but_cannot_decide(app, submitted):
    client, _ = _login(app, "compliance")
    assert client.get(f"/review/assignments/{submitted.id}").status_code == 200
    response = client.post(
        f"/review/assignments/{submitted.id}/decision", data={"decision": "accepted"}
    )
    assert response.status_code == 403


def test_the_review_page_shows_answers_as_the_vendor_saw_them(app, submitted):
    client, _ = _login(app, "manager")
    page = client.get(f"/review/assignments/{submitted.id}").text
    row = page[page.index('id="q-credentials_reset"') :].split("</tr>")[0]
    assert "Some of them" in row and ">some<" not in row
    assert "Not applicable" in page[page.index('id="q-soc2_report"') :].split("</tr>")[0]


def test_a_clarification_round_end_to_end_over_smtp(app, submitted, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    monkeypatch.setattr(app.extensions["mail"], "port", smtp_server.port)
    first = submitted.response.revisions[0]
    first_hash, first_answers = first.attestation_hash, dict(first.answers)
    client, _ = _login(app, "manager")
    response = client.post(
        f"/review/assignments/{submitted.id}/clarification",
        data={"q_rotated": "Has the certificate been replaced since?"},
    )
    assert response.status_code == 302
    outbox.send_pending()
    address = submitted.recipients[0].contact.email
    message = smtp_server.wait_for(lambda m: "Clarification" in m["Subject"])
    assert message["To"] == address
    body = SMTPServer.text_of(message)
    assert "Has the certificate been replaced since?" in body
    link = next(u for u in links_in(body) if "/p/" in u)

    vendor = app.test_client()
    path = "/" + link.split("/", 3)[3]
    assert vendor.get(path).status_code == 200
    opened = vendor.post(path, data={})
    # The vendor lands on the question asked about, in its section.
    landed = vendor.get(opened.headers["Location"])
    assert landed.headers["Location"].endswith(f"/portal/a/{submitted.id}/s/1#question-rotated")
    # Only the chosen answer can change: a changed notice period is ignored. The answer and its
    # comment are the reply.
    saved = save(
        vendor,
        submitted.id,
        1,
        {
            "a-rotated": "yes",
            "a-rotated-comment": "Yes, on 15 January.",
            "a-rotated_on": "2021-01-15",
            "a-credentials_reset": "none",
        },
    )
    assert saved.status_code == 302
    item = db.session.scalar(
        select(ClarificationItem).where(ClarificationItem.assignment_id == submitted.id)
    )
    page = vendor.get(f"/portal/a/{submitted.id}/submit")
    assert "Has the certificate been replaced since?" in page.text
    version = int(page.text.split('name="version" type="hidden" value="')[1].split('"')[0])
    done = vendor.post(
        f"/portal/a/{submitted.id}/submit",
        data={
            "version": str(version),
            "name": "Pat Doe",
            "title": "CISO",
            "confirm": "y",
        },
    )
    assert done.status_code == 302, done.text[:500]

    db.session.expire_all()
    revisions = submitted.response.revisions
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].attestation_hash == first_hash and revisions[0].answers == first_answers
    assert revisions[1].attestation_hash != first_hash
    assert revisions[1].answers["rotated"]["value"] == "yes"
    assert revisions[1].answers["credentials_reset"] == first_answers["credentials_reset"]
    assert (
        revisions[1].score["band"] != revisions[0].score["band"]
        or revisions[1].score["overall"] != revisions[0].score["overall"]
    )
    (reply,) = db.session.get(ClarificationItem, item.id).replies
    assert (reply.revision_number, reply.changed) == (2, True)
    assert (reply.answer_text, reply.comment) == ("Yes", "Yes, on 15 January.")
    review_page = client.get(f"/review/assignments/{submitted.id}")
    assert "Yes, on 15 January." in review_page.text
    assert "No reply yet" not in review_page.text


def test_a_points_override_keeps_the_original_beside_it(app, submitted):
    client, _ = _login(app, "manager")
    refused = client.post(
        f"/review/assignments/{submitted.id}/override",
        data={"question_id": "credentials_reset", "percent": "100"},
    )
    assert refused.status_code == 400
    response = client.post(
        f"/review/assignments/{submitted.id}/override",
        data={
            "question_id": "credentials_reset",
            "percent": "100",
            "justification": "Evidence seen on a call: all credentials were reset.",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/review/assignments/{submitted.id}").text
    assert "After reviewer overrides" in page
    assert "Evidence seen on a call" in page
    revision = submitted.response.revisions[0]
    assert revision.score["trace"]  # the engine's stored result is untouched
    entry = next(e for e in revision.score["trace"] if e["question_id"] == "credentials_reset")
    assert entry["percent"] != "100"


def test_severity_override_needs_a_justification_and_keeps_the_original(app, submitted):
    finding = db.session.scalar(
        select(Finding).where(
            Finding.question_id == "credentials_reset", Finding.assignment_id == submitted.id
        )
    )
    original = finding.severity
    client, _ = _login(app, "manager")
    assert (
        client.post(f"/findings/{finding.id}/severity", data={"severity": "low"}).status_code == 400
    )
    assert (
        client.post(
            f"/findings/{finding.id}/severity",
            data={"severity": "low", "justification": "Compensating control."},
        ).status_code
        == 302
    )
    db.session.refresh(finding)
    assert finding.severity == "low" and finding.original_severity == original


def test_a_finding_goes_from_open_to_planned_to_closed(app, submitted):
    finding = db.session.scalar(
        select(Finding).where(
            Finding.question_id == "rotated", Finding.assignment_id == submitted.id
        )
    )
    client, _ = _login(app, "manager")
    plan_date = (date.today() + timedelta(days=10)).isoformat()
    assert (
        client.post(
            f"/findings/{finding.id}/plan",
            data={"owner": "Sam Ops", "plan_date": plan_date, "plan": "Rotate"},
        ).status_code
        == 302
    )
    db.session.refresh(finding)
    assert finding.state == PLANNED
    assert client.post(f"/findings/{finding.id}/close", data={"note": ""}).status_code == 400
    assert (
        client.post(
            f"/findings/{finding.id}/close", data={"note": "Saw the new certificate."}
        ).status_code
        == 302
    )
    db.session.refresh(finding)
    assert finding.state == CLOSED and [e.action for e in finding.events][-1] == "closed"


def test_the_vendor_owner_cannot_accept_a_risk_of_their_vendor(app, submitted, owner):
    finding = db.session.scalar(select(Finding).where(Finding.assignment_id == submitted.id))
    client, _ = _login(app, "manager", user=owner)
    until = (date.today() + timedelta(days=90)).isoformat()
    response = client.post(
        f"/findings/{finding.id}/accept", data={"reason": "Low impact", "expires_on": until}
    )
    assert response.status_code == 400 and "cannot accept its risks" in response.text
    other, _ = _login(app, "manager")
    assert (
        other.post(
            f"/findings/{finding.id}/accept", data={"reason": "Low impact", "expires_on": until}
        ).status_code
        == 302
    )
    db.session.refresh(finding)
    assert finding.state == RISK_ACCEPTED and finding.acceptance_reason == "Low impact"


def test_an_expired_risk_acceptance_reopens(app, runner, submitted):
    finding = db.session.scalar(select(Finding).where(Finding.assignment_id == submitted.id))
    services.accept_risk(finding, make_user("manager"), "Temporary", date.today() + timedelta(1))
    db.session.flush()
    assert services.reopen_expired_acceptances(date.today() + timedelta(days=5)) == 1
    assert finding.state == OPEN
    assert [e.action for e in finding.events][-1] == "acceptance_expired"


def test_the_vendor_sees_only_findings_raised_to_it_and_proposes_a_plan(app, submitted):
    manager = make_user("manager")
    internal = services.add_finding(
        submitted,
        manager,
        title="Internal note on vendor finances",
        severity="low",
        due_date=None,
        remediation=None,
        internal=True,
    )
    db.session.flush()
    vendor = app.test_client()
    open_portal(vendor, submitted.recipients[0])
    page = vendor.get(f"/portal/a/{submitted.id}/findings")
    assert page.status_code == 200
    assert "Internal note on vendor finances" not in page.text
    visible = db.session.scalar(
        select(Finding).where(
            Finding.question_id == "rotated", Finding.assignment_id == submitted.id
        )
    )
    assert visible.title in page.text
    when = (date.today() + timedelta(days=20)).isoformat()
    response = vendor.post(
        f"/portal/a/{submitted.id}/findings/{visible.id}",
        data={
            f"f{visible.id}-owner": "Ana Vendor",
            f"f{visible.id}-plan_date": when,
            f"f{visible.id}-plan": "New certificate",
        },
    )
    assert response.status_code == 302
    db.session.refresh(visible)
    assert visible.state == PLANNED and visible.plan_owner == "Ana Vendor"
    assert (
        vendor.post(
            f"/portal/a/{submitted.id}/findings/{internal.id}",
            data={f"f{internal.id}-owner": "x", f"f{internal.id}-plan_date": when},
        ).status_code
        == 404
    )


def test_decisions_and_finding_events_are_append_only(app, submitted):
    services.decide(submitted, make_user("manager"), "accepted", None)
    db.session.flush()
    for table in ("review_decisions", "finding_events"):
        nested = db.session.begin_nested()
        try:
            db.session.execute(text(f"UPDATE {table} SET id = id"))
            raised = False
        except Exception:
            raised = True
        nested.rollback()
        assert raised, table


def test_findings_list_filters_and_keeps_its_query_count(app, submitted):
    client, _ = _login(app, "compliance")
    page = client.get("/findings/?severity=&state=open")
    assert page.status_code == 200 and submitted.vendor.name in page.text
    none = client.get("/findings/?category=no_such_category")
    assert "No findings match." in none.text
