"""The portfolio state lives in the database: a new process (or another host) reads it and
never computes the whole portfolio; a new day, a change the fingerprint cannot place and the
periodic refresh each do only what they must.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select, update

from tests.dashboard.test_snapshot import _residual
from tests.support.factories import make_vendor
from vendorrisk.core import tasks
from vendorrisk.core.timeutil import utcnow
from vendorrisk.dashboard import snapshot
from vendorrisk.dashboard.models import PortfolioMark, PortfolioVendor
from vendorrisk.extensions import db
from vendorrisk.review import services as review
from vendorrisk.vendors.models import Vendor


def _no_computing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the portfolio was computed, not read")

    monkeypatch.setattr(snapshot, "compute", refuse)


def _unaccountable() -> None:
    """Make two findings look committed late, with ids older than the newest already seen:
    the rows newer than the stored fingerprint no longer account for the change in counts."""
    mark = db.session.get(PortfolioMark, snapshot.MARK_ID)
    stored = snapshot.Fingerprint.decode(mark.fingerprint)
    mark.fingerprint = stored._replace(findings=stored.findings - 2).encode()
    db.session.flush()


def test_a_fresh_process_reads_the_stored_state_and_computes_nothing(
    app, portfolio, signed_in, monkeypatch
):
    client = signed_in("compliance")
    assert _residual(client) == [1, 2, 1, 0]  # the first page stores the state
    with app.app_context():
        snapshot.forget()  # what a new worker process or another host starts with
    _no_computing(monkeypatch)
    assert _residual(client) == [1, 2, 1, 0]
    for path in ("/vendors/?residual=2", "/dashboard/charts/residual.svg?scope=all"):
        assert client.get(path).status_code == 200


def test_a_new_day_computes_only_the_vendors_the_date_turns(app, portfolio, monkeypatch):
    # Print's critical finding is tolerated for five days: print stays at its inherent tier 4.
    review.accept_risk(
        portfolio.critical, portfolio.reviewer, "Until the fix ships.", date.today() + timedelta(5)
    )
    db.session.flush()
    print_id = portfolio.vendors.print.id
    with app.app_context():
        today = snapshot.portfolio()
        assert snapshot.stored_states()[print_id].residual == 4
        computed: list[list[int] | None] = []
        real = snapshot.compute

        def watched(day, vendor_ids=None):
            computed.append(vendor_ids)
            return real(day, vendor_ids)

        monkeypatch.setattr(snapshot, "compute", watched)
        later = snapshot.portfolio(date.today() + timedelta(days=6))
        # The acceptance ran out: the critical finding counts again, one tier up.
        assert snapshot.stored_states()[print_id].residual == 3
        assert computed == [[print_id]]
        assert later.built_at == today.built_at
        monkeypatch.setattr(snapshot, "compute", real)
        assert snapshot.stored_states() == snapshot.compute(later.today)


def test_a_change_the_fingerprint_cannot_place_is_rebuilt_in_full_without_workers(
    app, portfolio, signed_in
):
    client = signed_in("compliance")
    assert _residual(client) == [1, 2, 1, 0]
    _unaccountable()
    with app.app_context():
        before = db.session.get(PortfolioMark, snapshot.MARK_ID).built_at
        after = snapshot.portfolio()
        assert after.built_at is not None and after.built_at > before
        assert snapshot.stored_states() == snapshot.compute(after.today)


def test_with_workers_a_change_that_cannot_be_placed_is_queued_for_a_worker(
    app, portfolio, signed_in, monkeypatch
):
    client = signed_in("compliance")
    assert _residual(client) == [1, 2, 1, 0]
    queued: list[str] = []
    monkeypatch.setattr(tasks, "enqueue", lambda name, *a, **k: queued.append(name) or True)

    def no_full_rebuild(today):
        raise AssertionError("a request rebuilt the whole portfolio")

    monkeypatch.setattr(snapshot, "_rebuild", no_full_rebuild)
    # The critical finding is closed (placeable), and rows appear that no id places.
    review.close_finding(portfolio.critical, portfolio.reviewer, "Verified.")
    db.session.flush()
    _unaccountable()
    assert _residual(client) == [1, 2, 0, 1]  # what could be placed shows at once
    assert queued == ["dashboard.refresh"]
    assert _residual(client) == [1, 2, 0, 1]
    assert queued == ["dashboard.refresh"]  # queued once: the mark moved with the fingerprint


def test_the_refresh_command_stores_every_current_vendor(app, portfolio, runner):
    db.session.execute(delete(PortfolioVendor))
    db.session.flush()
    result = runner.invoke(args=["dashboard", "refresh"])
    assert result.exit_code == 0, result.output
    assert "portfolio state stored for 4 current vendors" in result.output
    with app.app_context():
        mark = db.session.get(PortfolioMark, snapshot.MARK_ID)
        assert mark.version and mark.built_at is not None
        assert snapshot.stored_states() == snapshot.compute(date.today())
    assert ("dashboard.refresh" in tasks.TASKS) and any(
        p.task == "dashboard.refresh" for p in tasks.PERIODIC
    )


@pytest.mark.parametrize("with_workers", [False, True])
def test_an_old_state_is_rebuilt_only_by_a_request_when_no_worker_refreshes_it(
    app, portfolio, signed_in, monkeypatch, with_workers
):
    client = signed_in("compliance")
    assert _residual(client) == [1, 2, 1, 0]
    mark = db.session.scalar(select(PortfolioMark))
    long_ago = mark.built_at - timedelta(seconds=snapshot.SNAPSHOT_MAX_AGE + 60)
    mark.built_at = long_ago
    db.session.flush()
    monkeypatch.setitem(
        app.config, "REDIS_URL", "redis://127.0.0.1:6379/15" if with_workers else ""
    )
    with app.app_context():
        snapshot.portfolio()
        rebuilt = db.session.get(PortfolioMark, snapshot.MARK_ID).built_at != long_ago
    assert rebuilt is not with_workers


def test_a_vendor_committed_late_with_an_older_change_time_still_counts(portfolio, signed_in):
    client = signed_in("compliance")
    assert _residual(client) == [1, 2, 1, 0]
    late = make_vendor("Zeta Late", criticality="low", data_access="none")
    # Its transaction started before the last page was computed and committed after it.
    db.session.execute(
        update(Vendor).where(Vendor.id == late.id).values(updated_at=utcnow() - timedelta(hours=1))
    )
    db.session.flush()
    assert _residual(client) == [1, 2, 1, 1]
