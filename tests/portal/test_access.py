"""Portal access: granted by Continue, 8 hours idle, never past the link's life, several
assignments per browser, and scoped so one vendor never reaches another's questionnaire."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from tests.portal.helpers import (
    answer_everything,
    f,
    n,
    open_portal,
    pdf_file,
    save,
    section_url,
    submit,
)
from tests.support.factories import INTERNAL_STRINGS, create_campaign, make_vendor, portal_path
from vendorrisk.campaigns import services
from vendorrisk.campaigns.models import Evidence
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.portal import access


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


HOUR = 3600


def test_portal_access_lasts_eight_idle_hours_and_each_visit_extends_it(
    vendor_client, recipient, clock
):
    aid = open_portal(vendor_client, recipient)
    clock.now += 8 * HOUR - 60
    assert vendor_client.get(section_url(aid, 0)).status_code == 200
    clock.now += 8 * HOUR - 60  # 16 hours after Continue, but never 8 idle
    assert vendor_client.get(section_url(aid, 0)).status_code == 200
    clock.now += 8 * HOUR + 1
    assert vendor_client.get(section_url(aid, 0)).status_code == 404
    assert "Open the link from your e-mail" in vendor_client.get("/portal/").text


def test_a_save_after_access_lapsed_shows_what_was_typed_instead_of_losing_it(
    vendor_client, recipient, clock
):
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


def test_portal_access_ends_with_the_links_expiry_revocation_or_reissue(vendor_client, recipient):
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


def test_one_browser_can_hold_two_questionnaires_at_once(vendor_client, version, vendor):
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


def test_a_vendor_gets_404_for_every_page_and_file_of_another_vendor(app, version, owner):
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


def test_vendor_pages_show_no_weights_scores_remediation_frameworks_or_reviewer_data(
    vendor_client, recipient
):
    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    _assert_nothing_internal(vendor_client.get(portal_path(recipient)).text, "link page")
    for index in range(3):
        page = vendor_client.get(section_url(aid, index)).text
        _assert_nothing_internal(page, f"section {index}")
    _assert_nothing_internal(vendor_client.get(f"/portal/a/{aid}/submit").text, "review")
    assert submit(vendor_client, aid).status_code == 302
    _assert_nothing_internal(vendor_client.get(f"/portal/a/{aid}/receipt").text, "receipt")


def test_continue_with_a_stale_page_shows_the_button_again_not_a_bare_400(client, assignment):
    """A link page left open until its CSRF token lapsed: the person just presses Continue again."""
    recipient = assignment.recipients[0]
    path = portal_path(recipient)
    response = client.post(path, data={}, csrf=False)
    assert response.status_code == 400
    assert "Press Continue again." in response.text
    assert "Continue to the questionnaire" in response.text
    db.session.refresh(recipient.assignment)
    assert recipient.assignment.response_state == "not_started"
    assert client.post(path, data={}).status_code == 302
