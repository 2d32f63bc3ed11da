"""The dashboard's card of reassessments due in the next 60 days."""

from __future__ import annotations

import pytest

from tests.dashboard.test_query_counts import counted
from tests.portal.reuse_scene import BASELINE
from tests.reassessments.conftest import TIER_1, assessed, vendor
from tests.support.factories import approved_version
from vendorrisk.dashboard import snapshot


@pytest.fixture
def baseline(db_session, app, monkeypatch):
    version = approved_version(BASELINE)
    slug = "yearly-security-baseline"
    monkeypatch.setitem(app.config, "REASSESSMENT_SCHEDULE", {1: (12, slug), 2: (24, slug)})
    return version


def _card(html: str) -> str:
    start = html.index('id="reassessments-due"')
    return html[start : html.index("</section>", start)]


def test_the_card_lists_what_falls_due_in_the_scope(baseline, manager, signed_in):
    mine = vendor("Mine Due Soon Ltd", TIER_1, owner=manager)
    assessed(baseline, mine, days_ago=340)
    theirs = vendor("Theirs Due Soon Ltd", TIER_1)
    assessed(baseline, theirs, days_ago=330)
    later = vendor("Mine Due Later Ltd", TIER_1, owner=manager)
    assessed(baseline, later, days_ago=100)
    client = signed_in(manager)
    everyone = _card(client.get("/?scope=all").text)
    assert "Mine Due Soon Ltd" in everyone and "Theirs Due Soon Ltd" in everyone
    assert "Mine Due Later Ltd" not in everyone
    own = _card(client.get("/?scope=mine").text)
    assert "Mine Due Soon Ltd" in own
    assert "Theirs Due Soon Ltd" not in own


def test_the_cards_query_count_does_not_grow_with_its_rows(baseline, manager, signed_in, app):
    client = signed_in(manager)

    def measure() -> tuple[int, int]:
        with app.app_context():
            snapshot.forget()
        client.get("/?scope=all")
        with counted() as seen:
            page = client.get("/?scope=all").text
        return len(seen), _card(page).count("<tr>") - 1

    for n in range(2):
        assessed(baseline, vendor(f"First {n} Ltd", TIER_1, owner=manager), days_ago=340)
    small, small_rows = measure()
    for n in range(12):
        assessed(baseline, vendor(f"Then {n} Ltd", TIER_1, owner=manager), days_ago=340)
    large, large_rows = measure()
    assert (small_rows, large_rows) == (2, 14)
    assert large == small
