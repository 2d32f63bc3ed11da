"""An option that stands alone ("we never used any of these") cannot be ticked with others:
the portal refuses the combination next to the field and keeps what was saved before."""

from __future__ import annotations

from tests.portal.helpers import draft_of, n, open_portal, save
from tests.support.factories import create_campaign, shipped_version
from vendorrisk.questionnaires.answers import decode_answer


def test_products_ticked_with_never_used_them_are_refused_beside_the_field(vendor_client, vendor):
    """Ticking the three products and "none of these" gets a message next to the question;
    the draft keeps the answer saved before."""
    campaign = create_campaign(shipped_version(), [vendor])
    assignment = campaign.assignments[0]
    aid = open_portal(vendor_client, assignment.recipients[0])
    first = save(
        vendor_client,
        aid,
        0,
        {n("mimecast_customer"): "yes", n("affected_products"): ["sync_and_recover"]},
    )
    assert first.status_code == 302, first.text[:500]

    refused = save(
        vendor_client,
        aid,
        0,
        {
            n("mimecast_customer"): "yes",
            n("affected_products"): [
                "sync_and_recover",
                "continuity_monitor",
                "internal_email_protect",
                "none",
            ],
        },
    )
    assert refused.status_code == 400
    html = refused.text
    message = "cannot be combined with any other choice."
    assert message in html
    # The message sits with the affected_products question, not at the top of the page.
    block = html[html.index('data-question="affected_products"') :]
    assert message in block[: block.index("data-question=", 30)]
    draft = draft_of(assignment)
    assert decode_answer(draft["affected_products"]).value == ["sync_and_recover"]


def test_an_exclusive_option_on_its_own_is_saved(vendor_client, vendor):
    """ "None of these" alone is a valid answer."""
    campaign = create_campaign(shipped_version(), [vendor])
    assignment = campaign.assignments[0]
    aid = open_portal(vendor_client, assignment.recipients[0])
    response = save(
        vendor_client, aid, 0, {n("mimecast_customer"): "yes", n("affected_products"): ["none"]}
    )
    assert response.status_code == 302
    assert decode_answer(draft_of(assignment)["affected_products"]).value == ["none"]
