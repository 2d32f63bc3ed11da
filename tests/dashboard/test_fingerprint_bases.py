"""The fingerprint counts rows above bases set at each full rebuild, a window below the newest
row of each table, so that reading it costs the rows added since, not a scan of every row."""

from datetime import date, timedelta

from sqlalchemy import func, select

from vendorrisk.dashboard import snapshot
from vendorrisk.dashboard.models import PortfolioMark
from vendorrisk.extensions import db
from vendorrisk.review import services as review
from vendorrisk.review.models import Finding, FindingEvent
from vendorrisk.vendors.models import Vendor


def _stored() -> snapshot.Fingerprint:
    mark = db.session.get(PortfolioMark, snapshot.MARK_ID)
    db.session.refresh(mark)
    found = snapshot.Fingerprint.decode(mark.fingerprint)
    assert found is not None
    return found


def _newest(column) -> int:
    return db.session.scalar(select(func.max(column))) or 0


def test_a_full_rebuild_counts_from_a_window_below_the_newest_rows(app, portfolio, monkeypatch):
    monkeypatch.setattr(snapshot, "ID_WINDOW", 1)
    with app.app_context():
        snapshot.refresh()
        stored = _stored()
        assert stored.since.finding == _newest(Finding.id) - 1
        assert stored.since.vendor == _newest(Vendor.id) - 1
        assert stored.since.event == _newest(FindingEvent.id) - 1
        # Only the newest row of each table is above its base: the others are not counted.
        assert (stored.vendors, stored.findings, stored.events) == (1, 1, 1)
        assert stored.submitted == 3  # submissions within TIME_WINDOW of the newest one
        built = db.session.get(PortfolioMark, snapshot.MARK_ID).built_at

    review.add_finding(
        portfolio.assignment(portfolio.incident, portfolio.vendors.payroll),
        portfolio.reviewer,
        title="No key rotation",
        severity="high",
        due_date=date.today() + timedelta(days=30),
        remediation=None,
        internal=False,
    )
    db.session.flush()
    with app.app_context():
        snapshot.portfolio()
        updated = _stored()
        # An update keeps the bases and counts the new finding above them.
        assert updated.since == stored.since
        assert updated.findings == 2
        assert db.session.get(PortfolioMark, snapshot.MARK_ID).built_at == built
        assert snapshot.stored_states() == snapshot.compute(date.today())


def test_counts_above_other_bases_cannot_be_compared(app, portfolio):
    with app.app_context():
        snapshot.refresh()
        stored = _stored()
        moved = stored._replace(since=stored.since._replace(finding=stored.since.finding + 1))
        assert snapshot.changed_vendors(stored, snapshot.fingerprint(stored.since)) == set()
        assert snapshot.changed_vendors(moved, snapshot.fingerprint(stored.since)) is None


def test_a_mark_written_before_the_bases_is_rebuilt_once(app, portfolio):
    with app.app_context():
        snapshot.refresh()
        mark = db.session.get(PortfolioMark, snapshot.MARK_ID)
        # The fingerprint as an earlier release wrote it: the same values, no bases.
        mark.fingerprint = mark.fingerprint.rsplit(", [", 1)[0] + "]"
        assert snapshot.Fingerprint.decode(mark.fingerprint).since is None
        mark.built_at -= timedelta(minutes=1)
        before = mark.built_at
        db.session.flush()
        snapshot.portfolio()
        rebuilt = db.session.get(PortfolioMark, snapshot.MARK_ID)
        assert rebuilt.built_at > before
        assert _stored().since is not None
        version = rebuilt.version
        snapshot.portfolio()  # and then it is read, not built again
        assert db.session.get(PortfolioMark, snapshot.MARK_ID).version == version
