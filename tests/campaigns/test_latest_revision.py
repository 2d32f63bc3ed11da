"""Each assignment points at its latest submitted revision (`Assignment.latest_revision_id`),
kept by the flush that submits one, filled by migration 0027 for revisions already there, and
set the same way for rows written in bulk."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from tests.campaigns.test_deadlines import sender, three  # noqa: F401 (fixtures)
from tests.dashboard.helpers import CLEAN, submit
from vendorrisk.campaigns.models import Assignment, point_at_latest_revisions
from vendorrisk.extensions import db
from vendorrisk.portal.services import template_of
from vendorrisk.review import services as review

MIGRATION = Path(__file__).resolve().parents[2] / "migrations/versions/0027_latest_revision.py"


def _pointers(campaign) -> dict[str, int | None]:
    db.session.flush()
    rows = db.session.execute(
        select(Assignment.id, Assignment.latest_revision_id).where(
            Assignment.campaign_id == campaign.id
        )
    )
    names = {a.id: a.vendor.name for a in campaign.assignments}
    return {names[aid]: latest for aid, latest in rows}


@pytest.fixture
def answered(three, sender):  # noqa: F811
    """Alpha submitted twice (a clarification round in between), Beta once, Gamma not at all."""
    campaign, by = three
    alpha, beta = by["Alpha Co"], by["Beta Co"]
    first = submit(alpha, CLEAN)
    review.request_clarification(
        alpha, sender, {"notify_hours": "Which clock starts the hours?"}, template_of(alpha)
    )
    db.session.flush()
    second = submit(alpha, CLEAN)
    only = submit(beta, CLEAN)
    assert second.number == first.number + 1
    return campaign, {"Alpha Co": second.id, "Beta Co": only.id, "Gamma Co": None}


def test_the_flush_that_submits_a_revision_points_its_assignment_at_it(answered):
    campaign, expected = answered
    assert _pointers(campaign) == expected


def test_an_open_round_leaves_the_pointer_on_the_last_submitted_revision(answered, sender):  # noqa: F811
    campaign, expected = answered
    beta = next(a for a in campaign.assignments if a.vendor.name == "Beta Co")
    review.request_clarification(beta, sender, {"notify_hours": "Which clock?"}, template_of(beta))
    assert _pointers(campaign) == expected  # the new round is open, not submitted


def _reset(campaign) -> None:
    db.session.execute(
        update(Assignment)
        .where(Assignment.campaign_id == campaign.id)
        .values(latest_revision_id=None)
    )


def test_the_bulk_statement_sets_the_same_pointers(answered):
    campaign, expected = answered
    _reset(campaign)
    db.session.execute(point_at_latest_revisions().where(Assignment.campaign_id == campaign.id))
    assert _pointers(campaign) == expected


def test_the_migration_fills_the_pointers_of_revisions_already_submitted(answered):
    campaign, expected = answered
    spec = importlib.util.spec_from_file_location("migration_0027", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    _reset(campaign)
    assert set(_pointers(campaign).values()) == {None}
    db.session.execute(text(migration.BACKFILL))
    assert _pointers(campaign) == expected
