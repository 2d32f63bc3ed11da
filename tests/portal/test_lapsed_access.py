"""A submission posted after portal access lapsed keeps what the person typed on screen."""

from __future__ import annotations

import time
from types import SimpleNamespace

from tests.portal.helpers import answer_everything, open_portal, review_version
from vendorrisk.portal import access


def test_a_submit_after_access_lapsed_shows_the_name_title_and_replies(
    vendor_client, recipient, monkeypatch
):
    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    version = review_version(vendor_client.get(f"/portal/a/{aid}/submit").text)
    later = time.time() + access.IDLE_SECONDS + 60
    monkeypatch.setattr(access, "time", SimpleNamespace(time=lambda: later))
    response = vendor_client.post(
        f"/portal/a/{aid}/submit",
        data={
            "version": version,
            "name": "Sam <Vendor>",
            "title": "Head of Security",
            "reply_7": "We rotated it on the 15th.",
            "confirm": "y",
        },
    )
    assert response.status_code == 401
    assert "Open the link from your e-mail again" in response.text
    for shown in ("Sam &lt;Vendor&gt;", "Head of Security", "We rotated it on the 15th."):
        assert shown in response.text
    assert vendor_client.get(f"/portal/a/{aid}/submit").status_code == 404


def test_a_submit_to_an_assignment_never_opened_here_is_a_plain_404(vendor_client, recipient):
    response = vendor_client.post(f"/portal/a/{recipient.assignment_id}/submit", data={})
    assert response.status_code == 404
