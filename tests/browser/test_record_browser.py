"""The analyst's workspace in a real browser: a campaign triaged from its table (filters, sort,
selection and bulk actions without JavaScript), then the vendor page as the record."""

import re
from pathlib import Path

from tests.conftest import PASSWORD, make_user


def _seed_campaign():
    import random
    from datetime import date

    from tests.campaigns.test_triage import GOOD, POOR
    from tests.reports import seed
    from tests.support.factories import approved_version, create_campaign, make_vendor
    from vendorrisk.review import services as review

    sender = make_user("manager", name="Sam Sender")
    names = ["Good Harbour", "Poor Quay", "Quiet Wharf"]
    vendors = [make_vendor(n, owner=sender, criticality="high") for n in names]
    campaign = create_campaign(approved_version(), vendors, actor=sender, name="Relay triage")
    by = {a.vendor.name: a for a in campaign.assignments}
    seed.submit(by["Good Harbour"], GOOD, rng=random.Random(1))
    seed.submit(by["Poor Quay"], POOR, rng=random.Random(1))
    review.decide(by["Good Harbour"], sender, "accepted", "Fine.", [])
    review.decide(
        by["Poor Quay"],
        sender,
        "approved_with_conditions",
        "Replace the certificate.",
        [("Replace the connector certificate", date.today())],
    )
    return sender.email, campaign.id


def _rows(page) -> list[str]:
    return page.locator("table.triage tbody tr td:nth-child(2) a").all_inner_texts()


def test_a_manager_triages_a_campaign_and_reads_a_vendors_record(page, seed, shoot, accessible):
    email, campaign_id = seed(_seed_campaign)
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))

    page.goto(f"/campaigns/{campaign_id}")
    assert _rows(page) == ["Good Harbour", "Poor Quay", "Quiet Wharf"]
    shoot("triage")
    accessible("triage")
    # Filters are a plain GET form.
    page.get_by_label("Impact").select_option("yes")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*impact=yes.*"))
    assert _rows(page) == ["Poor Quay"]
    page.get_by_role("link", name="Clear filters").click()
    # Sorting is a link per column heading; a second click turns it round.
    page.get_by_role("link", name=re.compile(r"^Score")).click()
    page.wait_for_url(re.compile(r".*sort=score.*"))
    assert _rows(page) == ["Poor Quay", "Good Harbour", "Quiet Wharf"]
    page.get_by_role("link", name=re.compile(r"^Score")).click()
    page.wait_for_url(re.compile(r".*sort=-score.*"))
    assert _rows(page) == ["Good Harbour", "Poor Quay", "Quiet Wharf"]
    shoot("triage-sorted")
    # Select rows and act on them.
    page.get_by_label("Select Quiet Wharf").check()
    page.get_by_label("Select Good Harbour").check()
    page.get_by_role("button", name="Remind now").click()
    assert page.get_by_text("1 vendor reminded; 1 other has answered already").is_visible()
    page.get_by_label("Select Poor Quay").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith("Poor Quay,")

    page.get_by_role("link", name="Poor Quay", exact=True).click()
    assert page.get_by_role("heading", name="Poor Quay").is_visible()
    assert page.get_by_role("heading", name=re.compile("^Assessments")).is_visible()
    assert page.get_by_text("Replace the connector certificate").first.is_visible()
    charts = page.locator("#score-history img.chart-svg")
    assert charts.count() == 2  # one chart per category, served as an image
    # The charts load lazily: bring the first into view, then wait for it to have loaded (the
    # wait fails the test if the image never decodes, e.g. a chart route answering an error).
    charts.first.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=charts.first.element_handle()
    )
    shoot("vendor-record")
    accessible("vendor-record")
