"""Issue 20 item 9: the feed is Atom in its default namespace, reached by a signed-in person or
a personal feed link (stored as a hash, replaceable and revocable), never anonymously; it is
cached by readers (ETag, Last-Modified, 304)."""

import hashlib
import logging
import xml.etree.ElementTree as ET

import feedparser
from sqlalchemy import select

from tests.advisories.conftest import login
from tests.advisories.helpers import add_update, feed_path, make_advisory
from tests.conftest import make_user
from vendorrisk.advisories.feed_tokens import create_feed_token
from vendorrisk.advisories.models import FeedToken
from vendorrisk.audit.models import AuditEntry
from vendorrisk.core.security import redact
from vendorrisk.extensions import db


def test_the_feed_uses_atom_as_its_default_namespace_whatever_else_is_registered(
    client, db_session, monkeypatch
):
    """No "ns0:" prefix even after other code registered a default namespace of its own."""
    monkeypatch.setattr(ET, "_namespace_map", dict(ET._namespace_map))
    ET.register_namespace("", "urn:example:other")
    make_advisory()
    body = client.get(feed_path()).data
    assert body.startswith(b"<?xml")
    assert b'<feed xmlns="http://www.w3.org/2005/Atom">' in body
    assert b"ns0:" not in body and b"xmlns:ns" not in body
    parsed = feedparser.parse(body)
    assert not parsed.bozo and parsed.version == "atom10" and len(parsed.entries) == 1


def test_anonymous_callers_get_no_feed(client, db_session):
    make_advisory()
    response = client.get("/advisories/feed.atom")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/advisories/feed/" + "x" * 43 + ".atom").status_code == 404


def test_a_signed_in_person_reads_the_feed_without_a_link(app, db_session):
    make_advisory(title="Signed-in reading")
    client, _ = login(app, "compliance")
    response = client.get("/advisories/feed.atom")
    assert response.status_code == 200 and b"Signed-in reading" in response.data


def test_a_feed_link_is_made_from_the_profile_shown_once_and_stored_as_a_hash(app, db_session):
    make_advisory(title="Read by link")
    client, user = login(app, "compliance")
    profile = client.get("/profile")
    assert "You have no feed link." in profile.text
    page = client.post("/advisories/feed-link", data={})
    assert page.status_code == 200
    url = page.text.split('data-testid="new-feed-link">', 1)[1].split("<", 1)[0]
    token = url.rsplit("/", 1)[1].removesuffix(".atom")
    row = db.session.scalar(select(FeedToken).where(FeedToken.user_id == user.id))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in str(
        row.__dict__
    )
    assert "You have a feed link" in client.get("/profile").text
    assert token not in client.get("/profile").text  # shown once only
    reader = app.test_client()  # a feed reader: no session
    response = reader.get(url.replace("http://vendorrisk.test", ""))
    assert response.status_code == 200 and b"Read by link" in response.data
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "advisories.feed_link_created")
    )


def test_a_new_link_retires_the_old_one_and_revoking_stops_both(app, db_session):
    make_advisory()
    client, user = login(app, "manager")
    first = feed_path(user)
    second = feed_path(user)
    reader = app.test_client()
    assert reader.get(first).status_code == 404
    assert reader.get(second).status_code == 200
    response = client.post("/advisories/feed-link/revoke", data={})
    assert response.status_code == 302 and response.location.endswith("/profile")
    assert reader.get(second).status_code == 404
    assert "You have no feed link." in client.get("/profile").text


def test_a_deactivated_persons_link_stops_working(app, db_session):
    make_advisory()
    user = make_user("compliance")
    path = feed_path(user)
    user.active = False
    db.session.flush()
    assert app.test_client().get(path).status_code == 404


def test_making_or_revoking_a_link_needs_a_csrf_token(app, db_session):
    client, _ = login(app, "manager")
    assert client.post("/advisories/feed-link", data={}, csrf=False).status_code == 400
    assert client.post("/advisories/feed-link/revoke", data={}, csrf=False).status_code in (
        302,
        400,
    )
    assert db.session.scalar(select(FeedToken)) is None


def test_a_repeat_request_gets_304_until_something_changes(client, db_session):
    advisory = make_advisory()
    path = feed_path()
    first = client.get(path)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    assert "private" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    add_update(advisory, title="Something new")
    changed = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"Something new" in changed.data
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_feed_links_are_redacted_in_logs(db_session):
    token = create_feed_token(make_user("compliance"))
    line = f'"GET /advisories/feed/{token}.atom HTTP/1.1" 200'
    assert token not in redact(line)
    record = logging.LogRecord("werkzeug", logging.INFO, "", 0, line, (), None)
    assert token not in redact(record.getMessage())
