"""The Atom feed of advisories and their updates, read through a personal feed link."""

import feedparser
from sqlalchemy import func, select

from tests.advisories.helpers import MIMECAST, SOLARWINDS, feed_path, make_advisory, sync_shipped
from vendorrisk.advisories.models import AdvisoryUpdate


def test_the_feed_by_link_is_valid_atom_with_advisories_and_updates(client, db_session):
    sync_shipped(MIMECAST, SOLARWINDS)
    response = client.get(feed_path())
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == "http://vendorrisk.test/advisories/feed.atom"
    assert parsed.feed.title == "VendorRisk advisories"
    assert parsed.feed.updated
    ids = {e.id for e in parsed.entries}
    base = "http://vendorrisk.test/advisories/"
    assert {base + MIMECAST, base + SOLARWINDS} <= ids
    assert {f"{base}{MIMECAST}#update-{n}" for n in (1, 2, 3, 4)} <= ids
    assert {f"{base}{SOLARWINDS}#update-{n}" for n in (1, 2, 3)} <= ids
    updates = db_session.scalar(select(func.count()).select_from(AdvisoryUpdate))
    assert len(parsed.entries) == 2 + updates  # each advisory, and each of its updates
    update = next(e for e in parsed.entries if e.id == f"{base}{MIMECAST}#update-3")
    assert update.title.endswith("Mimecast's final incident report")
    assert update.link == f"{base}{MIMECAST}#update-3"
    assert update.content[0].type == "text/html"
    assert "production grid" in update.content[0].value
    assert update.published.startswith("2021-03-16")


def test_feed_content_is_the_cleaned_markdown(client, db_session):
    make_advisory(
        body="Safe **bold** <script>alert(1)</script> [x](javascript:alert(2)) "
        "<img src=x onerror=alert(3)>"
    )
    response = client.get(feed_path())
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo
    [entry] = parsed.entries
    html = entry.content[0].value
    assert "<strong>bold</strong>" in html
    for bad in ("<script", "javascript:", "onerror", "<img", "alert("):
        assert bad not in html
    assert b"<script" not in response.data and b"javascript:" not in response.data


def test_the_feed_carries_no_vendor_data(client, db_session):
    from tests.advisories.helpers import make_product
    from tests.support.factories import make_vendor
    from vendorrisk.vendors import catalogue

    product = make_product("Secret Product")
    vendor = make_vendor("Confidential Vendor Name")
    catalogue.add_product_use(vendor, product.id)
    make_advisory([(product, [], [])])
    body = client.get(feed_path()).text
    assert "Confidential Vendor Name" not in body


def test_an_empty_library_still_gives_a_valid_feed(client, db_session):
    parsed = feedparser.parse(client.get(feed_path()).data)
    assert not parsed.bozo and parsed.entries == []
