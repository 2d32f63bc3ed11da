"""Vendor links: 256-bit, never stored, expiring, revocable, the same 404 for every bad link,
and failed look-ups rate-limited per client address."""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import inspect, select, text

from tests.conftest import links_in
from tests.portal.helpers import n, open_portal, save
from tests.support.factories import portal_path, portal_token
from tests.support.smtp import SMTPServer
from vendorrisk.campaigns import services
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import OutboxMessage


def _received_token(server, address: str) -> str:
    message = server.wait_for(lambda m: m["To"] == address)
    link = next(u for u in links_in(SMTPServer.text_of(message)) if "/p/" in u)
    return urlsplit(link).path.rsplit("/", 1)[1]


def test_a_sent_link_carries_256_random_bits_that_no_table_or_outbox_body_holds(recipient, relay):
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
    assert stored and all(outbox.LINK_PLACEHOLDER in m.body_text for m in stored)
    assert all("/p/" not in m.body_text and "/p/" not in (m.body_html or "") for m in stored)


def test_unknown_expired_revoked_and_reissued_links_all_get_the_same_plain_404(
    client, campaign, vendor_client
):
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


def test_the_eleventh_failed_look_up_from_one_address_is_refused_but_a_vendors_saves_are_not(
    client, vendor_client, recipient
):
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


def test_every_portal_response_says_no_store(client, vendor_client, recipient):
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


def test_an_erased_contacts_link_stops_working_and_cannot_be_resent(
    client, auth, campaign, recipient, vendor_client
):
    from vendorrisk.vendors import services as vendors

    aid = open_portal(vendor_client, recipient)
    vendors.erase_contact(recipient.contact)
    db.session.flush()
    assert client.get(portal_path(recipient)).status_code == 404
    assert vendor_client.get(f"/portal/a/{aid}/s/0").status_code == 404
    auth.login("manager")
    response = client.post(
        f"/campaigns/{campaign.id}/recipients/{recipient.id}/resend", data={}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "This contact has no e-mail address any more" in response.text
