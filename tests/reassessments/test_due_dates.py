"""When a reassessment falls due is one rule, evaluated by the database (so the dashboard can
count and list the first few at any portfolio size) and equal to the calendar rule in Python,
month ends and leap days included, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import literal_column, select

from tests.reassessments.conftest import TIER_1, TIER_2, TIER_4, assessed, vendor
from tests.support.factories import create_campaign
from vendorrisk.core.sqldates import add_months as add_months_sql
from vendorrisk.core.sqldates import utc_day
from vendorrisk.extensions import db
from vendorrisk.reassessments import services
from vendorrisk.reassessments.services import add_months
from vendorrisk.vendors.models import Vendor

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


@pytest.mark.parametrize("months", [1, 11, 12, 13, 25])
def test_adding_months_in_sql_is_the_calendar_rule(db_session, months):
    # Days as stored rows (the construct takes columns): one vendor row carries each day.
    made = [vendor(f"Month end {i} Ltd", TIER_4) for i in range(len(MONTH_ENDS))]
    for row, day in zip(made, MONTH_ENDS, strict=True):
        row.created_at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    db.session.flush()
    got = dict(
        db.session.execute(
            select(
                Vendor.id, add_months_sql(utc_day(Vendor.created_at), literal_column(str(months)))
            ).where(Vendor.id.in_([v.id for v in made]))
        ).all()
    )
    assert [got[v.id] for v in made] == [add_months(d, months) for d in MONTH_ENDS]


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


def test_the_first_few_and_the_count_agree_with_the_full_list(monthly):
    for i, day in enumerate(MONTH_ENDS):
        _submitted_on(monthly, vendor(f"Listed {i} Ltd", TIER_1), day)
    everything = services.upcoming(date(2031, 1, 1))
    first, count = services.upcoming_first(date(2031, 1, 1), limit=3)
    assert count == len(everything) == len(MONTH_ENDS)
    assert [d.vendor.id for d in first] == [d.vendor.id for d in everything[:3]]
    none, zero = services.upcoming_first(date(2000, 1, 1) - timedelta(days=60), limit=3)
    assert (none, zero) == ([], 0)
