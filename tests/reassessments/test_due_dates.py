"""When a reassessment falls due is one rule (reassessments.services.due_dates), month ends and
leap days included. The sender and the CLI apply it to every scheduled vendor; the dashboard
reads the same dates from its stored portfolio state, kept up to date as vendors are asked."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.reassessments.conftest import TIER_1, TIER_2, assessed, vendor
from tests.support.factories import create_campaign
from vendorrisk.dashboard import queries as dashboard_queries
from vendorrisk.dashboard import snapshot
from vendorrisk.extensions import db
from vendorrisk.reassessments import services
from vendorrisk.reassessments.services import add_months
from vendorrisk.review import services as review

MONTH_ENDS = [
    date(2023, 1, 31),
    date(2024, 1, 31),  # + 1 month: 29 February (leap year)
    date(2024, 2, 29),  # + 12 months: 28 February
    date(2025, 3, 31),
    date(2025, 8, 31),
    date(2025, 12, 31),
    date(2026, 5, 15),
]


@pytest.fixture
def monthly(db_session, app, baseline, monkeypatch):
    """Tier 1 every month (month ends matter), tier 2 every 12 months."""
    slug = "yearly-security-baseline"
    monkeypatch.setitem(app.config, "REASSESSMENT_SCHEDULE", {1: (1, slug), 2: (12, slug)})
    return baseline


def _submitted_on(version, who, day: date):
    assignment = assessed(version, who, days_ago=0)
    when = datetime(day.year, day.month, day.day, 23, 30, tzinfo=UTC)
    assignment.submitted_at = when
    db.session.flush()
    return assignment


def test_due_dates_match_the_rule_vendor_by_vendor(monthly):
    tier_of = {}
    for i, day in enumerate(MONTH_ENDS):
        tier = TIER_1 if i % 2 == 0 else TIER_2
        who = vendor(f"Submitted {day} Ltd", tier)
        _submitted_on(monthly, who, day)
        tier_of[who.id] = (1 if tier is TIER_1 else 2, day)
    never = vendor("Never Asked Ltd", TIER_1)
    asked = vendor("Being Asked Ltd", TIER_2)
    create_campaign(monthly, [asked])  # an open baseline assignment: not due again

    items = services.upcoming(date(2031, 1, 1))
    by_vendor = {d.vendor.id: d for d in items}
    assert asked.id not in by_vendor
    assert by_vendor[never.id].last_on is None
    assert by_vendor[never.id].due_on == never.created_at.astimezone(UTC).date()
    for vendor_id, (tier, day) in tier_of.items():
        due = by_vendor[vendor_id]
        assert due.last_on == day
        assert due.due_on == add_months(day, 1 if tier == 1 else 12), (tier, day)
    assert [d.due_on for d in items] == sorted(d.due_on for d in items)

    # Only those due by the day asked: 1 July 2025 leaves out what falls due after it.
    cut = date(2025, 7, 1)
    assert {d.vendor.id for d in services.upcoming(cut, days=0)} == {
        d.vendor.id for d in items if d.due_on <= cut
    }


def _card(owner_id=None, limit: int = 20, today: date | None = None):
    state = snapshot.portfolio(today)
    return dashboard_queries.reassessments_due(state, dashboard_queries.Scope(owner_id), limit)


def test_the_dashboard_reads_the_same_dates_from_its_stored_state(app, monthly):
    for i, day in enumerate(MONTH_ENDS):
        _submitted_on(monthly, vendor(f"Stored {i} Ltd", TIER_1 if i % 2 else TIER_2), day)
    vendor("Never Asked Either Ltd", TIER_1)
    with app.app_context():
        snapshot.portfolio()
        stored = snapshot.stored_states()
        everything = services.upcoming(date(2031, 1, 1))
        assert everything
        for due in everything:
            state = stored[due.vendor.id]
            assert (state.reassess_last, state.reassess_due) == (due.last_on, due.due_on)


def test_the_card_lists_the_first_few_and_counts_what_the_sender_would_send(app, monthly):
    today = date.today()
    for i, day in enumerate(MONTH_ENDS):
        _submitted_on(monthly, vendor(f"Listed {i} Ltd", TIER_1), day)
    with app.app_context():
        everything = services.upcoming(today)
        first, count = _card(limit=3)
        assert count == len(everything) == len(MONTH_ENDS)
        assert [d.vendor.id for d in first] == [d.vendor.id for d in everything[:3]]
        assert [d.due_on for d in first] == [d.due_on for d in everything[:3]]


def test_a_vendor_asked_again_or_asked_to_clarify_leaves_the_card_at_once(app, monthly, sender):
    asked = vendor("Asked Again Ltd", TIER_2)
    _submitted_on(monthly, asked, date(2020, 5, 1))
    clarifying = vendor("Clarifying Ltd", TIER_2)
    answered = _submitted_on(monthly, clarifying, date(2020, 6, 1))
    with app.app_context():
        assert {d.vendor.id for d in _card()[0]} == {asked.id, clarifying.id}
    create_campaign(monthly, [asked])
    review.open_follow_up(answered, sender, "clarification", ["has_plan"], reason="Look again.")
    db.session.flush()
    with app.app_context():
        assert _card() == ([], 0)
        assert services.upcoming(date.today()) == []
