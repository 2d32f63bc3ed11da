"""Drafts: concurrent saves are detected, never silently overwritten; autosave answers JSON; a
stale or missing CSRF token re-shows everything typed."""

from __future__ import annotations

import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import text

from tests.portal.helpers import f, n, open_portal, page_version, save, section_url
from tests.support.factories import make_contact
from vendorrisk.campaigns import services as campaigns
from vendorrisk.campaigns.models import Response
from vendorrisk.extensions import db


def _draft(assignment) -> dict:
    db.session.expire_all()
    return db.session.get(Response, assignment.response.id).draft


def test_a_save_from_a_stale_page_gets_a_409_with_its_typed_answers_and_loses_nothing(
    app, assignment, vendor
):
    colleague = make_contact(vendor, ("executive",))
    campaigns.add_recipient(assignment, colleague, actor=None)
    db.session.flush()
    first_rec, second_rec = assignment.recipients
    first, second = app.test_client(), app.test_client()
    aid = open_portal(first, first_rec)
    open_portal(second, second_rec)

    seen_by_both = page_version(first.get(section_url(aid, 2)).text)
    assert page_version(second.get(section_url(aid, 2)).text) == seen_by_both

    saved = save(
        first,
        aid,
        2,
        {n("notify_hours"): "24", n("notes"): "Written by the first"},
        version=seen_by_both,
    )
    assert saved.status_code == 302
    late = save(
        second,
        aid,
        2,
        {n("notify_hours"): "96", n("notes"): "Written by the second"},
        version=seen_by_both,
    )
    assert late.status_code == 409
    assert "Someone else saved answers to this questionnaire after you opened" in late.text
    assert "Written by the second" in late.text and 'value="96"' in late.text
    assert page_version(late.text) > seen_by_both  # saving again now keeps theirs knowingly

    draft = _draft(assignment)
    assert draft["notes"]["value"] == "Written by the first"
    assert draft["notify_hours"]["value"] == {"decimal": "24"}


def test_autosave_answers_json_with_the_new_version(vendor_client, assignment, recipient):
    aid = open_portal(vendor_client, recipient)
    before = page_version(vendor_client.get(section_url(aid, 0)).text)
    response = save(
        vendor_client,
        aid,
        0,
        {n("uses_connector"): "yes"},
        version=before,
        headers={"X-Autosave": "1"},
    )
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["ok"] is True and body["version"] == before + 1
    assert body["saved_at"]
    again = save(
        vendor_client,
        aid,
        0,
        {n("uses_connector"): "no"},
        version=body["version"],
        headers={"X-Autosave": "1"},
    )
    assert again.get_json()["version"] == before + 2
    stale = save(
        vendor_client,
        aid,
        0,
        {n("uses_connector"): "yes"},
        version=before,
        headers={"X-Autosave": "1"},
    )
    assert stale.status_code == 409
    assert _draft(assignment)["uses_connector"]["value"] == "no"


def test_a_save_without_a_csrf_token_shows_the_page_again_with_everything_typed(
    vendor_client, assignment, recipient
):
    aid = open_portal(vendor_client, recipient)
    response = save(
        vendor_client,
        aid,
        2,
        {
            n("notify_hours"): "48",
            n("notes"): "A long answer typed over an hour",
        },
        csrf=False,
    )
    assert response.status_code == 400
    assert "Your answers are shown again" in response.text
    assert "A long answer typed over an hour" in response.text and 'value="48"' in response.text
    assert 'name="csrf_token"' in response.text  # a fresh token to save with
    assert "notes" not in _draft(assignment)


def test_a_save_with_an_expired_csrf_token_shows_the_page_again_with_everything_typed(
    app, vendor_client, assignment, recipient
):
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
    assert "notes" not in _draft(assignment)

    fresh = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt="wtf-csrf-token", signer=TimestampSigner
    ).dumps(raw)
    resend = save(vendor_client, aid, 2, {"csrf_token": fresh, n("notes"): "Typed yesterday"})
    assert resend.status_code == 302
    assert _draft(assignment)["notes"]["value"] == "Typed yesterday"


def _bump_version_meanwhile(monkeypatch, target, name):
    """Make `target.name` first save a competing version of the response (a racing request)."""
    original = getattr(target, name)

    def racing(*args, **kwargs):
        with db.session.no_autoflush:  # the other request's write, not ours
            db.session.execute(text("UPDATE responses SET version = version + 1"))
        monkeypatch.setattr(target, name, original)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, racing)


def test_a_save_racing_another_past_the_version_check_is_still_a_409(
    vendor_client, assignment, recipient, monkeypatch
):
    from vendorrisk.portal import services

    aid = open_portal(vendor_client, recipient)
    version = page_version(vendor_client.get(section_url(aid, 2)).text)
    _bump_version_meanwhile(monkeypatch, services, "_touch")
    response = save(vendor_client, aid, 2, {n("notes"): "Mine"}, version=version)
    assert response.status_code == 409
    assert "Mine" in response.text
    assert "notes" not in _draft(assignment)
