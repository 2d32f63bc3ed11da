"""Vendor links: 256-bit, never stored, expiring, revocable, the same 404 for every bad link,
and failed look-ups rate-limited per client address."""

from __future__ import annotations

from tests.portal.helpers import open_portal
from tests.support.factories import portal_path
from vendorrisk.extensions import db


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
