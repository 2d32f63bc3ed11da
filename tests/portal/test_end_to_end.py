"""End to end over HTTP and real SMTP: a manager launches a campaign, a vendor follows the link in
the message it received, answers section by section, attaches evidence and submits."""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import rfc8785
from sqlalchemy import func, select

from tests.conftest import links_in, make_user
from tests.mail.helpers import use_relay
from tests.portal.helpers import PDF, f, n, pdf_file, review_version, save, section_url
from tests.support.factories import INTERNAL_STRINGS, approved_version, make_vendor
from tests.support.smtp import SMTPServer
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.models import (
    IN_PROGRESS,
    NOT_STARTED,
    SUBMITTED,
    Assignment,
    Campaign,
    ImpactAlert,
    Recipient,
    Revision,
)
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import OutboxMessage
from vendorrisk.questionnaires.answers import decode_answer
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.scoring import score_response


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _hidden_inputs(page: str, form_marker: str) -> list[tuple[str, str]]:
    """Return the (name, value) pairs of the hidden inputs of the form holding `form_marker`."""
    start = page.rindex("<form", 0, page.index(form_marker))
    form = page[start : page.index("</form>", start)]
    return [
        (htmllib.unescape(name), htmllib.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    ]


def _message_to(server: SMTPServer, address: str, subject_part: str = ""):
    return server.wait_for(lambda m: m["To"] == address and subject_part in m["Subject"])


def _path_of_link(message) -> str:
    link = next(u for u in links_in(SMTPServer.text_of(message)) if "/p/" in u)
    return urlsplit(link).path


def test_a_campaign_goes_from_launch_to_a_scored_attested_revision(
    app, client, auth, db_session, smtp_server, monkeypatch
):
    use_relay(app, monkeypatch, smtp_server.port)
    manager = auth.login("manager")
    owner = make_user("manager", name="Olivia Owner")
    officer = make_user("compliance", name="Carla Compliance")
    version = approved_version()
    with_security = make_vendor("Acme Mail Relay", owner=owner)
    primary_only = make_vendor("Bolt Payroll", contacts=[("primary",)])
    nobody = make_vendor("Cobalt Cleaning", contacts=[])
    security = next(c for c in with_security.contacts if c.is_security)
    acme_primary = next(c for c in with_security.contacts if c.is_primary)
    bolt_primary = primary_only.contacts[0]
    outbox_before = _count(OutboxMessage)

    # Preview: who receives what, before anything is sent or stored.
    due = date.today() + timedelta(days=21)
    form = {
        "name": "Connector certificate compromise",
        "template_version": str(version.id),
        "vendors": [str(with_security.id), str(primary_only.id), str(nobody.id)],
        "due_date": due.isoformat(),
        "timezone": "Europe/London",
        "message": "Please answer within three weeks.",
    }
    preview = client.post("/campaigns/new", data={**form, "action": "preview"})
    assert preview.status_code == 200
    page = preview.text
    assert "Nothing has been sent yet." in page
    assert security.email in page and bolt_primary.email in page
    assert acme_primary.email not in page  # the security contact, not the primary, by default
    assert "No security or primary contact with an e-mail address." in page
    assert "Send to 2 vendors" in page
    assert _count(OutboxMessage) == outbox_before
    assert _count(Campaign) == 0

    # Send, from the preview page's own form.
    hidden = _hidden_inputs(page, "Send to 2 vendors")
    sent = client.post("/campaigns/new", data={**_multidict(hidden), "action": "send"})
    assert sent.status_code == 302, sent.text[:500]
    campaign = db.session.scalar(select(Campaign))
    assert sent.location.endswith(f"/campaigns/{campaign.id}")
    assert campaign.message == "Please answer within three weeks."
    invitations = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "invitation")
    ).all()
    assert sorted(m.recipient for m in invitations) == sorted([security.email, bolt_primary.email])
    assert [a.vendor_id for a in campaign.assignments] == sorted(
        [with_security.id, primary_only.id]
    )

    report = outbox.send_pending()
    assert report.sent == 2
    invitation = _message_to(smtp_server, security.email, "Connector certificate compromise")
    path = _path_of_link(invitation)
    assert "end of day (Europe/London)" in SMTPServer.text_of(invitation)

    # A mail scanner (or the person) opens the link twice: nothing changes.
    vendor = app.test_client()
    audit_before = _count(AuditEntry)
    for _ in range(2):
        landing = vendor.get(path)
        assert landing.status_code == 200
        assert "Continue to the questionnaire" in landing.text
    db.session.expire_all()
    assignment = db.session.scalar(
        select(Assignment).where(Assignment.vendor_id == with_security.id)
    )
    recipient = assignment.recipients[0]
    assert _count(AuditEntry) == audit_before
    assert assignment.response_state == NOT_STARTED and assignment.started_at is None
    assert recipient.first_opened_at is None

    # Continue exchanges the link for portal access and leaves the token behind.
    started = vendor.post(path, data={})
    assert started.status_code == 302
    token = path.rsplit("/", 1)[1]
    assert token not in started.location
    assert started.location.endswith(f"/portal/a/{assignment.id}/")
    db.session.expire_all()
    assert assignment.response_state == IN_PROGRESS
    used = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "portal.token_used"))
    assert [e.actor_ref for e in used] == [f"recipient:{recipient.id}"]
    first = vendor.get(started.location, follow_redirects=True)
    assert first.status_code == 200 and "Exposure" in first.text

    aid = assignment.id
    # Section 1: exposure, with an answer that signals impact.
    done = save(
        vendor, aid, 0, {n("uses_connector"): "yes", n("data_accessed"): "yes"}, action="next"
    )
    assert done.status_code == 302 and done.location.endswith(section_url(aid, 1))

    # Section 2: the date question counts only once "rotated" says yes.
    save(vendor, aid, 1, {n("credentials_reset"): "some", n("rotated_on"): ""})
    gaps = vendor.get(f"/portal/a/{aid}/submit").text
    assert "Have you replaced the compromised certificate?" in gaps
    assert "On what date was the new certificate installed?" not in gaps
    save(vendor, aid, 1, {n("rotated"): "yes", n("credentials_reset"): "some"})
    gaps = vendor.get(f"/portal/a/{aid}/submit").text
    assert "On what date was the new certificate installed?" in gaps
    upload = save(
        vendor,
        aid,
        1,
        {
            n("rotated"): "yes",
            n("rotated_on"): "2021-01-15",
            n("credentials_reset"): "all",
            f("credentials_reset").files: pdf_file("reset-log.pdf"),
        },
        action="next",
    )
    assert upload.status_code == 302, upload.text[:2000]
    page = vendor.get(section_url(aid, 1)).text
    assert "reset-log.pdf" in page

    # Section 3: N/A with a comment, a reason instead of a file.
    save(
        vendor,
        aid,
        2,
        {
            f("notify_hours").na: "y",
            f("notify_hours").comment: "We have no notification duty.",
            f("soc2_report").reason: "Our first audit is under way.",
        },
        action="next",
    )

    review = vendor.get(f"/portal/a/{aid}/submit")
    assert "attention before you can submit" not in review.text
    for secret in INTERNAL_STRINGS:
        assert secret not in review.text
    submitted = vendor.post(
        f"/portal/a/{aid}/submit",
        data={
            "version": review_version(review.text),
            "name": "Sam Vendor",
            "title": "CISO",
            "confirm": "y",
        },
    )
    assert submitted.status_code == 302 and submitted.location.endswith(f"/portal/a/{aid}/receipt")

    # The stored revision: answers, evidence, attestation hash, score.
    db.session.expire_all()
    revision = db.session.scalar(select(Revision))
    assert revision.submitted_at is not None and not revision.late
    assert revision.attestation_name == "Sam Vendor" and revision.attestation_title == "CISO"
    assert set(revision.answers) == {
        "uses_connector",
        "data_accessed",
        "rotated",
        "rotated_on",
        "credentials_reset",
        "notify_hours",
        "soc2_report",
    }
    assert revision.answers["notify_hours"]["na"] is True
    digest = hashlib.sha256(PDF).hexdigest()
    assert [
        (e["question_id"], e["filename"], e["sha256"], e["size"]) for e in revision.evidence_index
    ] == [("credentials_reset", "reset-log.pdf", digest, len(PDF))]
    assert revision.answers["credentials_reset"]["evidence_hashes"] == [digest]
    canonical = rfc8785.dumps(
        {"answers": revision.answers, "evidence": {"credentials_reset": [digest]}}
    )
    assert revision.attestation_hash == hashlib.sha256(canonical).hexdigest()
    template = parsed_version(version)
    answers = {qid: decode_answer(a) for qid, a in revision.answers.items()}
    expected = score_response(template, answers, {"compromise_date": date(2021, 1, 12)})
    assert revision.score == expected.to_dict()
    assert revision.score["overall"] is not None
    assignment = db.session.get(Assignment, aid)
    assert assignment.response_state == SUBMITTED

    # Read-only from now on.
    locked = vendor.get(section_url(aid, 1)).text
    assert "Save draft" not in locked
    refused = save(
        vendor,
        aid,
        0,
        {n("uses_connector"): "no", n("data_accessed"): "no"},
        version=assignment.response.version,
    )
    assert refused.status_code == 400
    assert "can no longer be changed" in refused.text
    db.session.expire_all()
    assert db.session.get(Assignment, aid).response.draft["uses_connector"]["value"] == "yes"

    receipt = vendor.get(f"/portal/a/{aid}/receipt")
    assert receipt.status_code == 200
    assert revision.attestation_hash in receipt.text and "reset-log.pdf" in receipt.text
    for secret in INTERNAL_STRINGS:
        assert secret not in receipt.text

    # Receipt, owner's notice and impact alerts go out by e-mail.
    alert = db.session.scalar(select(ImpactAlert))
    assert alert.assignment_id == aid and alert.vendor_id == with_security.id
    assert [s["question_id"] for s in alert.signals] == ["data_accessed"]
    outbox.send_pending()
    mailed = _message_to(smtp_server, security.email, "Receipt")
    assert revision.attestation_hash in SMTPServer.text_of(mailed)
    assert _message_to(smtp_server, owner.email, "submitted")
    for person in (owner, officer):
        got = _message_to(smtp_server, person.email, "Impact signal")
        assert "Was any data you hold for us accessed by the attacker?" in SMTPServer.text_of(got)
    assert not [
        m for m in smtp_server.messages if m["To"] == manager.email and "Impact" in m["Subject"]
    ]
    assert db.session.scalar(select(func.count()).select_from(Recipient)) == 2


def _multidict(pairs):
    data: dict[str, object] = {}
    for name, value in pairs:
        if name in data:
            current = data[name]
            data[name] = [*current, value] if isinstance(current, list) else [current, value]
        else:
            data[name] = value
    return data
