"""The effective-result service: loads computed result, template and overrides, in batches."""

from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from tests.conftest import make_user
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db
from vendorrisk.review import effective
from vendorrisk.review import services as review


@contextmanager
def counted():
    """Count the statements sent to the database inside the block."""
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def _campaign(vendors: int, *, override_every: int = 2):
    version = approved_version()
    campaign = create_campaign(
        version, [make_vendor() for _ in range(vendors)], due_date=date(2030, 1, 31)
    )
    reviewer = make_user("manager")
    for index, assignment in enumerate(campaign.assignments):
        revision = submit(assignment, WEAK_ANSWERS)
        if index % override_every == 0:
            review.override_points(
                revision, "rotated", 100, "Seen the new certificate.", reviewer, "0"
            )
    db.session.flush()
    return campaign


def _loaded(campaign) -> int:
    db.session.expire_all()
    assignments = list(campaign.assignments)
    with counted() as seen:
        results = effective.for_assignments(assignments)
    assert len(results) == len(assignments)
    return len(seen)


def test_the_batch_loader_runs_as_many_queries_for_30_assignments_as_for_5(db_session):
    """Loading the effective results of a campaign's vendors costs a fixed number of queries."""
    small = _loaded(_campaign(5))
    large = _loaded(_campaign(30))
    assert small == large


def test_an_override_changes_the_effective_result_and_keeps_the_computed_one(db_session):
    """The effective result carries the override (who, when, why) and the engine's own result."""
    campaign = _campaign(2)
    results = effective.for_assignments(campaign.assignments)
    overridden, plain = (results[a.id] for a in campaign.assignments)
    assert [o.question_id for o in overridden.overrides] == ["rotated"]
    override = overridden.overrides[0]
    assert override.by and override.at is not None
    assert override.justification == "Seen the new certificate."
    assert overridden.computed.overall == plain.computed.overall
    assert overridden.overall is not None and plain.overall is not None
    assert overridden.overall > plain.overall
    assert not plain.overrides and plain.result is plain.computed


def test_a_superseded_override_no_longer_applies(db_session):
    """Only the latest override of a question is in force."""
    campaign = _campaign(1)
    assignment = campaign.assignments[0]
    revision = assignment.response.latest_submitted
    review.override_points(revision, "rotated", 40, "Only partly rotated.", make_user(), "0")
    db.session.flush()
    result = effective.for_assignment(assignment)
    assert result is not None
    assert [(o.question_id, o.percent) for o in result.overrides] == [("rotated", 40)]


def test_nothing_submitted_has_no_effective_result(db_session):
    """An assignment without a submitted revision has no result to show."""
    version = approved_version()
    campaign = create_campaign(version, [make_vendor()], due_date=date(2030, 1, 31))
    assert effective.for_assignment(campaign.assignments[0]) is None
    assert effective.for_assignments([]) == {}
