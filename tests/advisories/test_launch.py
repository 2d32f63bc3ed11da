"""Launching a campaign from an advisory: vendors and template pre-selected, key dates frozen."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from tests.advisories.conftest import login
from tests.advisories.helpers import MIMECAST, add_update, make_advisory, make_product, sync_shipped
from tests.support.factories import make_vendor, shipped_version
from vendorrisk.advisories.launch import launch_context
from vendorrisk.campaigns.models import Campaign
from vendorrisk.extensions import db
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.matching import find_products


def checked_vendors(html: str) -> list[str]:
    """Return the values of the ticked vendor boxes of the campaign form."""
    boxes = re.findall(r'<input [^>]*name="vendors"[^>]*>', html)
    return [re.search(r'value="(\d+)"', b).group(1) for b in boxes if " checked" in b]


def test_the_context_preselects_exposed_vendors_and_the_linked_template(db_session, small_version):
    product = make_product()
    exposed = make_vendor("Exposed")
    make_vendor("Unrelated")
    catalogue.add_product_use(exposed, product.id)
    advisory = make_advisory([(product, [], [])])
    add_update(
        advisory,
        key_dates=[
            {"name": "compromise_date", "label": "Moved", "date": "2021-01-14"},
            {"name": "reset_date", "label": "Reset", "date": "2021-01-26"},
        ],
    )
    context = launch_context(advisory.slug)
    assert context.vendor_ids == [exposed.id]
    assert context.template_version.id == small_version.id
    assert context.key_dates == {"compromise_date": "2021-01-14", "reset_date": "2021-01-26"}
    assert context.reference_dates({"compromise_date": "2021-01-12", "other": "2020-01-01"}) == {
        "compromise_date": "2021-01-14",
        "reset_date": "2021-01-26",
        "other": "2020-01-01",
    }


def test_launching_the_mimecast_campaign_freezes_the_key_dates_of_the_latest_update(
    app, db_session
):
    version = shipped_version()
    sync_shipped(MIMECAST)
    [sync_and_recover] = find_products("Mimecast S&R")
    user_of_sr = make_vendor("Backup Co")
    catalogue.add_product_use(user_of_sr, sync_and_recover.id)
    client, _ = login(app, "manager")

    page = client.get(f"/campaigns/new?advisory={MIMECAST}")
    assert page.status_code == 200
    assert 'id="advisory-context"' in page.text
    assert checked_vendors(page.text) == [str(user_of_sr.id)]
    assert f'<option selected value="{version.id}">' in page.text

    due = (date.today() + timedelta(days=21)).isoformat()
    form = {
        "name": "Mimecast follow-up",
        "template_version": str(version.id),
        "vendors": [str(user_of_sr.id)],
        "due_date": due,
        "timezone": "Europe/London",
        "message": "",
    }
    preview = client.post(f"/campaigns/new?advisory={MIMECAST}", data={**form, "action": "preview"})
    assert preview.status_code == 200 and 'id="advisory-context"' in preview.text
    assert "Microsoft blocked the compromised certificate" in preview.text
    sent = client.post(f"/campaigns/new?advisory={MIMECAST}", data={**form, "action": "send"})
    assert sent.status_code == 302, sent.text[:500]
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == "Mimecast follow-up"))
    assert campaign.advisory_slug == MIMECAST
    assert campaign.template_version_id == version.id
    assert campaign.reference_dates == {
        "compromise_date": "2021-01-12",
        "disclosed_date": "2021-01-12",
        "blocked_date": "2021-01-18",
        "credential_reset_date": "2021-01-26",
        "final_report_date": "2021-03-16",
    }
    assert [a.vendor_id for a in campaign.assignments] == [user_of_sr.id]


def test_an_unknown_advisory_is_404_and_the_plain_flow_still_works(app, db_session, small_version):
    client, _ = login(app, "manager")
    assert client.get("/campaigns/new?advisory=no-such-thing").status_code == 404
    page = client.get("/campaigns/new")
    assert page.status_code == 200 and 'id="advisory-context"' not in page.text
    vendor = make_vendor()
    due = (date.today() + timedelta(days=10)).isoformat()
    sent = client.post(
        "/campaigns/new",
        data={
            "name": "Plain",
            "template_version": str(small_version.id),
            "vendors": [str(vendor.id)],
            "due_date": due,
            "timezone": "UTC",
            "message": "",
            "action": "send",
        },
    )
    assert sent.status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == "Plain"))
    assert campaign.advisory_slug is None
    assert campaign.reference_dates == {"compromise_date": "2021-01-12"}


def test_the_advisory_page_links_to_the_launch(app, db_session, small_version):
    advisory = make_advisory()
    client, _ = login(app, "manager")
    assert (
        f"/campaigns/new?advisory={advisory.slug}"
        in client.get(f"/advisories/{advisory.slug}").text
    )
