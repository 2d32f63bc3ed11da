"""The effective-result service: loads computed result, template and overrides, in batches."""

from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import event

from tests.conftest import make_user
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db
from vendorrisk.reports import xlsx
from vendorrisk.reports.builders import campaign as campaign_report
from vendorrisk.reports.builders.common import Limits, Meta
from vendorrisk.review import effective
from vendorrisk.review import services as review
from vendorrisk.review.queries import residual_for


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


def _campaign(vendors: int, *, override_every: int | None = 2):
    version = approved_version()
    campaign = create_campaign(
        version, [make_vendor() for _ in range(vendors)], due_date=date(2030, 1, 31)
    )
    reviewer = make_user("manager")
    for index, assignment in enumerate(campaign.assignments):
        revision = submit(assignment, WEAK_ANSWERS)
        if override_every and index % override_every == 0:
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


def test_residual_risk_reads_the_band_after_overrides(db_session):
    """An incident assessment an override lifts out of band D no longer raises residual risk."""
    campaign = _campaign(1, override_every=None)
    assignment = campaign.assignments[0]
    vendor = assignment.vendor
    before = residual_for([vendor])[vendor.id]
    assert any("rated D" in reason for reason in before.reasons), before.reasons
    revision = assignment.response.latest_submitted
    reviewer = make_user("manager")
    for question_id in ("rotated", "credentials_reset", "notify_hours"):
        review.override_points(revision, question_id, 100, "Seen on a call.", reviewer, None)
    db.session.flush()
    result = effective.for_assignment(assignment)
    assert result is not None and result.band in ("A", "B")
    after = residual_for([vendor])[vendor.id]
    assert not any(campaign.name in reason for reason in after.reasons), after.reasons


def test_overridden_results_leave_out_revisions_without_overrides(db_session):
    """Only revisions with overrides in force are rescored; their results match the loader's."""
    campaign = _campaign(4)
    latest = effective.latest_revisions(campaign.assignments)
    ids = [r.id for r in latest.values()]
    with counted() as seen:
        changed = effective.overridden_results(ids)
    assert len(seen) == 1
    loaded = effective.for_assignments(campaign.assignments)
    expected = {latest[a].id: r for a, r in loaded.items() if r.overrides}
    assert set(changed) == set(expected)
    for revision_id, result in changed.items():
        assert result.band == expected[revision_id].band
        assert result.overall == expected[revision_id].overall


def _report_queries(campaign) -> tuple[int, int]:
    db.session.expire_all()
    meta = Meta("VR-TEST", datetime.now(UTC), "Compliance", "compliance")
    with counted() as pdf:
        campaign_report.build(campaign, meta, Limits())
    db.session.expire_all()
    with counted() as workbook:
        xlsx.for_campaign(campaign)
    return len(pdf), len(workbook)


def test_the_campaign_pdf_and_workbook_read_results_in_a_fixed_number_of_queries(db_session):
    """The campaign report and export cost as many queries for 30 vendors as for 5."""
    assert _report_queries(_campaign(5)) == _report_queries(_campaign(30))
