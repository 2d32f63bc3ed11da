"""SECURITY.md items 1-7: vendor links, the app's front door to the internet.

One link per recipient, 256 bits, never stored; opening it changes nothing; portal access is
separate, bounded and scoped; bad links all look the same; failed look-ups are rate-limited; and
nothing internal reaches the vendor's pages.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, inspect, select, text

from tests.conftest import links_in
from tests.portal.helpers import (
    answer_everything,
    draft_of,
    f,
    n,
    open_portal,
    pdf_file,
    save,
    section_url,
    submit,
)
from tests.support.factories import (
    INTERNAL_STRINGS,
    create_campaign,
    make_contact,
    make_vendor,
    portal_path,
    portal_token,
)
from tests.support.smtp import SMTPServer
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns import services
from vendorrisk.campaigns.models import IN_PROGRESS, NOT_STARTED, Evidence
from vendorrisk.config import build_config
from vendorrisk.core.security import redact
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import OutboxMessage
from vendorrisk.portal import access


def _received_token(server, address: str) -> str:
    message = server.wait_for(lambda m: m["To"] == address)
    link = next(u for u in links_in(SMTPServer.text_of(message)) if "/p/" in u)
    return urlsplit(link).path.rsplit("/", 1)[1]


def test_item_01_a_sent_link_carries_256_random_bits_that_no_table_or_outbox_body_holds(
    recipient, relay
):
    """Item 1: "The token is 256 bits and is never stored ... the database, the outbox and a
    backup hold no usable link." """
    outbox.send_pending()
    token = _received_token(relay, recipient.contact.email)
    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    assert token == portal_token(recipient)

    tables = inspect(db.session.connection()).get_table_names()
    assert {"recipients", "outbox_messages", "audit_entries"} <= set(tables)
    leaks = []
    for table in tables:
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
            if any(token in str(value) for value in row):
                leaks.append(table)
    assert leaks == []

    stored = db.session.scalars(select(OutboxMessage)).all()
    assert stored and all(m.link_marker and m.link_marker in m.body_text for m in stored)
    assert all("/p/" not in m.body_text and "/p/" not in (m.body_html or "") for m in stored)


def test_item_01_each_recipient_has_a_link_of_their_own_kept_only_as_a_sha256(
    client, assignment, vendor
):
    """Item 1: "One link per recipient (assignment x contact), so one person's link can be
    resent or revoked without touching a colleague's ... only its SHA-256 is kept." """
    colleague = make_contact(vendor, ("executive",))
    services.add_recipient(assignment, colleague, actor=None)
    db.session.flush()
    first, second = assignment.recipients
    assert portal_token(first) != portal_token(second)
    for recipient in (first, second):
        token = portal_token(recipient)
        assert recipient.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (recipient.nonce, recipient.token_hash)

    old_first = portal_path(first)
    services.resend(first, actor=None)  # a re-issued link retires the old one ...
    db.session.flush()
    assert client.get(old_first).status_code == 404
    assert client.get(portal_path(first)).status_code == 200
    assert client.get(portal_path(second)).status_code == 200  # ... and no colleague's
    services.revoke(second, actor=None)
    db.session.flush()
    assert client.get(portal_path(second)).status_code == 404
    assert client.get(portal_path(first)).status_code == 200


def test_item_01_links_expire_at_the_due_date_plus_grace(app, campaign, recipient):
    """Item 1: "Links expire (due date + grace) and can be revoked." """
    grace = timedelta(days=app.config.get("PORTAL_LINK_GRACE_DAYS", 30))
    assert grace > timedelta(0)
    assert recipient.expires_at == campaign.due_at + grace
    assert recipient.usable()
    assert not recipient.usable(recipient.expires_at + timedelta(seconds=1))


def test_item_01_the_apps_own_logs_redact_link_tokens(recipient):
    """Item 1: "The app's own logs redact tokens." """
    token = portal_token(recipient)
    line = f'"GET /p/{token} HTTP/1.1" 200 -'
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "%s", (line,), None)
    werkzeug_log = logging.getLogger("werkzeug")
    assert werkzeug_log.filter(record)
    assert token not in record.getMessage()
    assert "/p/[redacted]" in record.getMessage()
    assert token not in redact(f"POST /password/reset/{token}")


def test_item_02_opening_a_link_changes_nothing_and_continue_leaves_the_token_behind(
    client, assignment, recipient
):
    """Item 2: "Opening the link (GET) changes nothing ... 'Started' is recorded only when the
    person presses Continue (POST), which ... redirects to a URL without the token." """
    path = portal_path(recipient)
    audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    for _ in range(3):  # a mail scanner, a preview pane, the person
        landing = client.get(path)
        assert landing.status_code == 200
        assert "Continue to the questionnaire" in landing.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert assignment.response_state == NOT_STARTED and assignment.started_at is None
    assert recipient.first_opened_at is None

    started = client.post(path, data={})
    assert started.status_code == 302
    assert portal_token(recipient) not in started.location
    assert started.location.endswith(f"/portal/a/{assignment.id}/")
    db.session.expire_all()
    assert assignment.response_state == IN_PROGRESS and assignment.started_at is not None
    used = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "portal.token_used"))
    assert [e.actor_ref for e in used] == [f"recipient:{recipient.id}"]


def test_item_02_every_portal_response_says_no_store(client, vendor_client, recipient):
    """Item 2: "Portal responses send `Cache-Control: no-store`." """
    aid = open_portal(vendor_client, recipient)
    urls = [
        portal_path(recipient),
        f"/p/{secrets.token_urlsafe(32)}",
        "/portal/",
        f"/portal/a/{aid}/s/0",
        f"/portal/a/{aid}/submit",
        f"/portal/a/{aid}/",
        f"/portal/a/{aid}/receipt",
        f"/portal/a/{aid + 1000}/s/0",
    ]
    for url in urls:
        response = vendor_client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", url


HOUR = 3600


class Clock:
    """Stands in for the `time` module the portal access code reads."""

    def __init__(self):
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(access, "time", fake)
    return fake


def test_item_03_portal_access_lasts_eight_idle_hours_and_each_visit_extends_it(
    vendor_client, recipient, clock
):
    """Item 3: "Portal access ... lasts 8 hours idle ... survives a browser left open." """
    aid = open_portal(vendor_client, recipient)
    clock.now += 8 * HOUR - 60
    assert vendor_client.get(section_url(aid, 0)).status_code == 200
    clock.now += 8 * HOUR - 60  # 16 hours after Continue, but never 8 idle
    assert vendor_client.get(section_url(aid, 0)).status_code == 200
    clock.now += 8 * HOUR + 1
    assert vendor_client.get(section_url(aid, 0)).status_code == 404
    assert "Open the link from your e-mail" in vendor_client.get("/portal/").text


def test_item_03_portal_access_ends_with_the_links_expiry_revocation_or_reissue(
    vendor_client, recipient
):
    """Item 3: "... and never beyond the link's expiry" (nor its revocation or re-issue)."""
    aid = open_portal(vendor_client, recipient)
    recipient.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert vendor_client.get(section_url(aid, 0)).status_code == 404

    recipient.expires_at = utcnow() + timedelta(days=3)
    db.session.flush()
    assert vendor_client.get(section_url(aid, 0)).status_code == 200
    services.revoke(recipient, actor=None)
    db.session.flush()
    assert vendor_client.get(section_url(aid, 0)).status_code == 404

    services.resend(recipient, actor=None)  # a fresh link: the old grant stays dead
    db.session.flush()
    assert vendor_client.get(section_url(aid, 0)).status_code == 404
    open_portal(vendor_client, recipient)
    assert vendor_client.get(section_url(aid, 0)).status_code == 200


def test_item_03_one_browser_can_hold_two_questionnaires_at_once(vendor_client, version, vendor):
    """Item 3: "One browser can hold several assignments." """
    first = create_campaign(version, [vendor], name="First questionnaire")
    second = create_campaign(version, [vendor], name="Second questionnaire")
    one = open_portal(vendor_client, first.assignments[0].recipients[0])
    two = open_portal(vendor_client, second.assignments[0].recipients[0])
    assert one != two
    save(vendor_client, one, 0, {n("uses_connector"): "yes"})
    save(vendor_client, two, 0, {n("uses_connector"): "no"})
    assert vendor_client.get(section_url(one, 0)).status_code == 200
    assert vendor_client.get(section_url(two, 0)).status_code == 200
    home = vendor_client.get("/portal/").text
    assert "First questionnaire" in home and "Second questionnaire" in home


def test_item_03_a_save_after_access_lapsed_shows_what_was_typed_instead_of_losing_it(
    vendor_client, recipient, clock
):
    """Item 3: "A form posted after portal access ... expired is shown again with everything
    the person typed." """
    aid = open_portal(vendor_client, recipient)
    clock.now += 8 * HOUR + 1
    response = save(
        vendor_client,
        aid,
        2,
        {
            f("notify_hours").comment: "Typed before lunch and left open",
            n("notify_hours"): "36",
        },
        version=1,
    )
    assert response.status_code == 401
    assert "Typed before lunch and left open" in response.text
    assert "Within how many hours would you notify us of a breach?" in response.text
    assert "Open the link from your e-mail again" in response.text


def test_item_03_a_save_with_an_expired_csrf_token_shows_the_page_again_with_everything_typed(
    app, vendor_client, assignment, recipient
):
    """Item 3: "A form posted after ... the CSRF token expired is shown again with everything the
    person typed, never a bare 400." """
    aid = open_portal(vendor_client, recipient)

    class Yesterday(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 24 * 3600

    with vendor_client.session_transaction() as session:
        raw = session["csrf_token"]
    stale = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="wtf-csrf-token", signer=Yesterday
    ).dumps(raw)
    response = save(
        vendor_client,
        aid,
        2,
        {
            "csrf_token": stale,
            n("notes"): "Typed yesterday",
            f("notify_hours").na: "y",
            f("notify_hours").comment: "No duty to notify",
        },
    )
    assert response.status_code == 400
    assert "Your answers are shown again" in response.text
    assert "Typed yesterday" in response.text and "No duty to notify" in response.text
    assert "notes" not in draft_of(assignment)

    fresh = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="wtf-csrf-token", signer=TimestampSigner
    ).dumps(raw)
    resend = save(vendor_client, aid, 2, {"csrf_token": fresh, n("notes"): "Typed yesterday"})
    assert resend.status_code == 302
    assert draft_of(assignment)["notes"]["value"] == "Typed yesterday"


def test_item_03_continue_with_a_stale_page_shows_the_button_again_not_a_bare_400(
    client, assignment
):
    """Item 3: a link page whose CSRF token lapsed gets its Continue button back.

    A link page left open until its CSRF token lapsed: the person just presses Continue again."""
    recipient = assignment.recipients[0]
    path = portal_path(recipient)
    response = client.post(path, data={}, csrf=False)
    assert response.status_code == 400
    assert "Press Continue again." in response.text
    assert "Continue to the questionnaire" in response.text
    db.session.refresh(recipient.assignment)
    assert recipient.assignment.response_state == "not_started"
    assert client.post(path, data={}).status_code == 302


def test_item_04_unknown_expired_revoked_and_reissued_links_all_get_the_same_plain_404(
    client, campaign, vendor_client
):
    """Item 4: "Unknown, expired and revoked tokens get the same plain page (404 or 410) and no
    detail." """
    (first,) = campaign.assignments[0].recipients
    assert client.get(portal_path(first)).status_code == 200
    pages = {}

    pages["unknown"] = client.get(f"/p/{secrets.token_urlsafe(32)}")
    pages["malformed"] = client.get("/p/not-a-token")

    old = portal_path(first)
    services.resend(first, actor=None)
    db.session.flush()
    pages["reissued"] = client.get(old)
    assert client.get(portal_path(first)).status_code == 200

    first.expires_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    pages["expired"] = client.get(portal_path(first))

    first.expires_at = utcnow() + timedelta(days=1)
    services.revoke(first, actor=None)
    db.session.flush()
    pages["revoked"] = client.get(portal_path(first))
    pages["revoked (Continue)"] = vendor_client.post(portal_path(first), data={})

    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 404)
    bodies = {r.get_data(as_text=True) for r in pages.values()}
    assert len(bodies) == 1
    body = bodies.pop()
    assert "Not found" in body
    for word in ("expired", "revoked", "Acme", campaign.name):
        assert word not in body


def test_item_05_a_vendor_gets_404_for_every_page_and_file_of_another_vendor(app, version, owner):
    """Item 5: "Every portal query is scoped to the assignments the portal access holds: vendor
    A gets 404 for each of B's question, answer and evidence ids." """
    acme = make_vendor("Acme", owner=owner)
    bolt = make_vendor("Bolt", owner=owner)
    campaign = create_campaign(version, [acme, bolt])
    a_rec, b_rec = (a.recipients[0] for a in campaign.assignments)
    a_client, b_client = app.test_client(), app.test_client()
    a_id = open_portal(a_client, a_rec)
    b_id = open_portal(b_client, b_rec)

    answer_everything(b_client, b_id)
    upload = save(
        b_client,
        b_id,
        1,
        {
            n("rotated"): "yes",
            n("rotated_on"): "2021-01-15",
            n("credentials_reset"): "all",
            f("credentials_reset").files: pdf_file("bolt-secret.pdf"),
        },
    )
    assert upload.status_code == 302
    evidence = db.session.query(Evidence).one()

    for url in (
        f"/portal/a/{b_id}/",
        section_url(b_id, 0),
        section_url(b_id, 2),
        f"/portal/a/{b_id}/submit",
    ):
        got = a_client.get(url)
        assert got.status_code == 404, url
        assert "Bolt" not in got.text
    assert save(a_client, b_id, 0, {n("uses_connector"): "no"}, version=1).status_code == 404
    for url in (
        f"/portal/a/{b_id}/evidence/{evidence.id}/remove",
        f"/portal/a/{a_id}/evidence/{evidence.id}/remove",
    ):
        assert a_client.post(url, data={}).status_code == 404, url
    db.session.expire_all()
    assert db.session.get(Evidence, evidence.id).removed_at is None

    assert submit(b_client, b_id).status_code == 302
    assert a_client.get(f"/portal/a/{b_id}/receipt").status_code == 404
    assert (
        a_client.post(
            f"/portal/a/{b_id}/submit",
            data={"version": "99", "name": "Mallory", "title": "X", "confirm": "y"},
        ).status_code
        == 404
    )
    assert b_client.get(f"/portal/a/{b_id}/receipt").status_code == 200


def test_item_06_the_eleventh_failed_look_up_from_one_address_is_refused_but_a_vendors_saves_are_not(
    client, vendor_client, recipient
):
    """Item 6: "Failed token look-ups are rate-limited per client IP (e.g. 10 a minute); a
    vendor's own autosaves are not." """
    office = {"REMOTE_ADDR": "203.0.113.9"}
    vendor_client.environ_base.update(office)
    aid = open_portal(vendor_client, recipient)
    # Successful look-ups of a good link use up nothing.
    for _ in range(15):
        assert vendor_client.get(portal_path(recipient)).status_code == 200

    for _ in range(10):
        assert client.get(f"/p/{secrets.token_urlsafe(32)}", environ_base=office).status_code == 404
    assert client.get(f"/p/{secrets.token_urlsafe(32)}", environ_base=office).status_code == 429
    assert (
        client.post(f"/p/{secrets.token_urlsafe(32)}", data={}, environ_base=office).status_code
        == 429
    )
    other = {"REMOTE_ADDR": "198.51.100.7"}
    assert client.get(f"/p/{secrets.token_urlsafe(32)}", environ_base=other).status_code == 404

    # The vendor at that same address keeps saving and autosaving.
    for i in range(25):
        response = save(
            vendor_client,
            aid,
            0,
            {n("uses_connector"): "yes" if i % 2 else "no"},
            headers={"X-Autosave": "1"},
        )
        assert response.status_code == 200, response.status_code
        assert response.get_json()["ok"] is True


def test_item_06_the_limiter_store_is_shared_when_redis_url_is_set(tmp_path, monkeypatch):
    """Item 6: "The limiter store is shared across workers when `REDIS_URL` is set." """
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert build_config(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    assert build_config(tmp_path)["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"


FORBIDDEN_WORDS = (
    "weight",
    "score",
    "remediation",
    "framework",
    "critical",
    "finding",
    "not_reviewed",
    "review_state",
    "reviewer",
    "band",
)


def _assert_nothing_internal(html: str, where: str) -> None:
    leaked = [s for s in INTERNAL_STRINGS if s in html]
    lowered = html.lower()
    leaked += [w for w in FORBIDDEN_WORDS if w in lowered]
    assert leaked == [], f"{where} shows {leaked}"


def test_item_07_vendor_pages_show_no_weights_scores_remediation_frameworks_or_reviewer_data(
    vendor_client, recipient
):
    """Item 7: "Weights, scores, reviewer notes and internal findings never reach the vendor's
    pages." """
    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    _assert_nothing_internal(vendor_client.get(portal_path(recipient)).text, "link page")
    for index in range(3):
        page = vendor_client.get(section_url(aid, index)).text
        _assert_nothing_internal(page, f"section {index}")
    _assert_nothing_internal(vendor_client.get(f"/portal/a/{aid}/submit").text, "review")
    assert submit(vendor_client, aid).status_code == 302
    _assert_nothing_internal(vendor_client.get(f"/portal/a/{aid}/receipt").text, "receipt")
