"""Drafts: concurrent saves are detected, never silently overwritten; autosave answers JSON; a
stale or missing CSRF token re-shows everything typed."""

from __future__ import annotations

from sqlalchemy import text

from tests.portal.helpers import draft_of, n, open_portal, page_version, save, section_url
from vendorrisk.extensions import db


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
    assert draft_of(assignment)["uses_connector"]["value"] == "no"


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
    assert "notes" not in draft_of(assignment)


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
    assert "notes" not in draft_of(assignment)
