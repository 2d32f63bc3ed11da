"""Each assignment's due time is stored (migration 0029) for the overdue lists to walk an index
in due order: it must always equal the rule (`effective_due`), whatever changed it: a new
assignment, an extension for some vendors, the campaign's date moved, or both in one flush."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import make_user
from tests.dashboard.helpers import past_due
from tests.support.factories import create_campaign, make_vendor
from vendorrisk.campaigns import deadlines, services
from vendorrisk.campaigns.models import Assignment, effective_due
from vendorrisk.core.timeutil import utcnow
from vendorrisk.dashboard.queries import Scope, finding_counts, overdue_query
from vendorrisk.extensions import db
from vendorrisk.review import services as review
from vendorrisk.review.models import Finding

MIGRATION = Path(__file__).resolve().parents[2] / "migrations/versions/0029_assignment_due_at.py"

DAY = timedelta(days=1)


@pytest.fixture
def campaign(version, db_session):
    manager = make_user("manager", name="Dana Due")
    vendors = [make_vendor(name) for name in ("Alpha Co", "Beta Co", "Gamma Co")]
    return create_campaign(version, vendors, actor=manager, name="Due check")


def _stored(campaign) -> dict[str, object]:
    """Each vendor's stored due time, read from the database, not from loaded objects."""
    db.session.flush()
    db.session.expire_all()
    rows = db.session.execute(
        select(Assignment.id, Assignment.due_at).where(Assignment.campaign_id == campaign.id)
    )
    by_id = dict(rows.all())
    return {a.vendor.name: by_id[a.id] for a in campaign.assignments}


def _computed(campaign) -> dict[str, object]:
    return {
        a.vendor.name: effective_due(a.extended_due_at, campaign.due_at)
        for a in campaign.assignments
    }


def _row(campaign, name: str) -> Assignment:
    return next(a for a in campaign.assignments if a.vendor.name == name)


def test_a_new_assignment_stores_its_campaigns_due_time(campaign):
    stored = _stored(campaign)
    assert set(stored.values()) == {campaign.due_at}
    assert stored == _computed(campaign)


def test_an_extension_moves_only_the_vendors_given_more_time(campaign):
    manager = campaign.created_by
    new_date = campaign.due_date + timedelta(days=10)
    deadlines.extend(campaign, [_row(campaign, "Beta Co")], new_date, "Asked for it.", manager)
    stored = _stored(campaign)
    assert stored["Beta Co"] == services.due_at_for(new_date, campaign.timezone)
    assert stored["Alpha Co"] == stored["Gamma Co"] == campaign.due_at
    assert stored == _computed(campaign)


def test_moving_the_campaigns_date_moves_every_vendor_but_one_given_later(campaign):
    manager = campaign.created_by
    later = campaign.due_date + timedelta(days=20)
    deadlines.extend(campaign, [_row(campaign, "Beta Co")], later, "Asked for it.", manager)
    # The whole campaign gets five more days: Beta keeps its later day.
    services.extend_due_date(campaign, campaign.due_date + timedelta(days=5), "All.", manager)
    stored = _stored(campaign)
    assert stored["Alpha Co"] == stored["Gamma Co"] == campaign.due_at
    assert stored["Beta Co"] == services.due_at_for(later, campaign.timezone)
    assert stored == _computed(campaign)
    # Then past Beta's day too: the campaign's date is everyone's again.
    services.extend_due_date(campaign, later + timedelta(days=3), "All again.", manager)
    stored = _stored(campaign)
    assert set(stored.values()) == {campaign.due_at}
    assert stored == _computed(campaign)


def test_the_campaign_and_an_extension_changed_in_one_flush(campaign):
    beta = _row(campaign, "Beta Co")
    past_due(campaign, days=4)  # the campaign's due time moves into the past
    beta.extended_due_at = campaign.due_at + 2 * DAY
    campaign.due_at = campaign.due_at + DAY  # moved again, flushed together with Beta's
    stored = _stored(campaign)
    assert stored["Beta Co"] == campaign.due_at + DAY
    assert stored == _computed(campaign)


def test_the_overdue_list_is_in_stored_due_order(campaign):
    past_due(campaign, days=5)
    alpha, beta = _row(campaign, "Alpha Co"), _row(campaign, "Beta Co")
    alpha.extended_due_at = campaign.due_at + 3 * DAY  # two days ago
    beta.extended_due_at = campaign.due_at + 10 * DAY  # not due yet
    db.session.flush()
    query = overdue_query(Scope(), utcnow())
    names = [a.vendor.name for a in db.session.scalars(query).unique()]
    assert names == ["Gamma Co", "Alpha Co"]  # most overdue first; Beta not overdue
    # One owner's list reads the owner copied onto the assignments: it follows a new owner.
    owner = make_user("manager", name="Olive Owner")
    alpha.vendor.owner_id = owner.id
    db.session.flush()
    mine = db.session.scalars(overdue_query(Scope(owner.id), utcnow())).unique()
    assert [a.vendor.name for a in mine] == ["Alpha Co"]


def test_the_migration_fills_the_due_time_of_existing_assignments(campaign):
    """What 0029 does to rows written before it: the same rule, in SQL."""
    beta = _row(campaign, "Beta Co")
    beta.extended_due_at = campaign.due_at + 4 * DAY
    db.session.flush()
    db.session.execute(
        Assignment.__table__.update()
        .where(Assignment.campaign_id == campaign.id)
        .values(due_at=datetime(2000, 1, 1, tzinfo=UTC))
    )
    spec = importlib.util.spec_from_file_location("migration_0029", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(db.text(migration.BACKFILL))
    stored = _stored(campaign)
    assert stored["Beta Co"] == campaign.due_at + 4 * DAY
    assert stored == _computed(campaign)


def _owners(campaign) -> dict[str, int | None]:
    db.session.flush()
    rows = db.session.execute(
        select(Assignment.id, Assignment.vendor_owner_id).where(
            Assignment.campaign_id == campaign.id
        )
    )
    by_id = dict(rows.all())
    return {a.vendor.name: by_id[a.id] for a in campaign.assignments}


def test_each_assignment_keeps_a_copy_of_its_vendors_owner(campaign):
    """The owner's response counts read the copy: it follows the vendor's owner."""
    alpha = _row(campaign, "Alpha Co").vendor
    assert _owners(campaign) == {a.vendor.name: a.vendor.owner_id for a in campaign.assignments}
    owner = make_user("manager", name="Olive Owner")
    alpha.owner_id = owner.id
    assert _owners(campaign)["Alpha Co"] == owner.id
    alpha.owner_id = None
    assert _owners(campaign)["Alpha Co"] is None


def _finding_owners(vendor) -> set[int | None]:
    db.session.flush()
    rows = db.session.scalars(select(Finding.vendor_owner_id).where(Finding.vendor_id == vendor.id))
    return set(rows)


def raise_finding(assignment, title: str, severity: str) -> Finding:
    reviewer = make_user("manager", name="Rita Reviewer")
    return review.add_finding(
        assignment,
        reviewer,
        title=title,
        severity=severity,
        due_date=None,
        remediation=None,
        internal=False,
    )


def test_findings_keep_a_copy_of_their_vendors_owner(campaign):
    """The owner's finding counts read the copy: set when the finding is raised, it follows
    the vendor's owner."""
    alpha = _row(campaign, "Alpha Co")
    first = make_user("manager", name="Fay First")
    alpha.vendor.owner_id = first.id
    db.session.flush()
    raise_finding(alpha, "Certificate not replaced", "high")
    assert _finding_owners(alpha.vendor) == {first.id}
    second = make_user("manager", name="Sid Second")
    alpha.vendor.owner_id = second.id
    assert _finding_owners(alpha.vendor) == {second.id}
    counts = finding_counts(Scope(second.id), date.today())
    assert counts.open["high"] == 1
    assert finding_counts(Scope(first.id), date.today()).open_total == 0


def test_the_refresh_puts_a_drifted_copy_right(campaign):
    from vendorrisk.dashboard import snapshot

    alpha = _row(campaign, "Alpha Co")
    raise_finding(alpha, "Certificate not replaced", "high")
    owner = make_user("manager", name="Olive Owner")
    for table, key in ((Assignment, Assignment.campaign_id), (Finding, Finding.vendor_id)):
        value = campaign.id if table is Assignment else alpha.vendor_id
        db.session.execute(  # written without the ORM: no listener saw it
            table.__table__.update().where(key == value).values(vendor_owner_id=owner.id)
        )
    snapshot.refresh()
    assert _owners(campaign) == {a.vendor.name: a.vendor.owner_id for a in campaign.assignments}
    assert _finding_owners(alpha.vendor) == {alpha.vendor.owner_id}
