"""The number of SQL queries of the busy pages does not grow with the portfolio.

Each page is measured at 10 vendors, then again after 490 more vendors (with their campaigns,
assignments, answers, decisions, findings and impact signals) were bulk inserted.
"""

from contextlib import contextmanager

from sqlalchemy import event, select

from tests.conftest import make_user
from tests.dashboard import bulk
from vendorrisk.campaigns.models import Campaign
from vendorrisk.dashboard import snapshot
from vendorrisk.extensions import db
from vendorrisk.review import services as review
from vendorrisk.review.models import Finding


@contextmanager
def counted():
    """Count the statements sent to the database inside the block."""
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _queries(app, client, path: str, *, cold: bool = False) -> int:
    if cold:
        with app.app_context():
            snapshot.forget()
    with counted() as seen:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(seen)


def _biggest_campaign() -> int:
    campaigns = db.session.scalars(select(Campaign)).all()
    return max(campaigns, key=lambda c: len(c.assignments)).id


PAGES = [
    ("/?scope=all", False),
    ("/?scope=all", True),  # the snapshot computed from scratch
    ("/?scope=mine", False),
    ("/dashboard/charts/residual.svg?scope=all", False),
    ("/dashboard/charts/findings.svg?scope=mine", False),
    ("/dashboard/charts/scores-certificate_rotation.svg?scope=all", True),
    ("/dashboard/overdue?scope=all", False),
    ("/dashboard/impact?scope=all", False),
    ("/vendors/", False),
    ("/vendors/?residual=1", False),
    ("/vendors/?assessment=stale&sort=tier", False),
    ("/vendors/?score_category=incident_readiness&score_band=A", False),
    ("/findings/", False),
    ("/findings/?state=open&severity=high", False),
    ("/findings/?overdue=y", False),
    ("/findings/?state=risk_accepted&expiring=30", False),
]


def test_query_counts_are_the_same_at_10_and_at_500_vendors(app, db_session, signed_in):
    manager = make_user("manager")
    actor = make_user("manager")
    versions = bulk.template_versions()
    first = bulk.build(
        10, 30, owners=[manager], actor=actor, versions=versions, seed=1, campaigns=3
    )
    client = signed_in(manager)

    def measure():
        with app.app_context():
            snapshot.forget()
        client.get("/")  # every page below starts from a snapshot up to date
        counts = {
            f"{path} cold={cold}": _queries(app, client, path, cold=cold) for path, cold in PAGES
        }
        # A change through a service: only the vendor concerned is computed again.
        finding = db.session.scalars(
            select(Finding).where(Finding.state == "open").order_by(Finding.id)
        ).first()
        review.close_finding(finding, actor, "Fixed and verified.")
        db.session.flush()
        counts["after a change"] = _queries(app, client, "/?scope=all")
        campaign = _biggest_campaign()
        counts["campaign page"] = _queries(app, client, f"/campaigns/{campaign}")
        counts["vendor page"] = _queries(app, client, f"/vendors/{first.vendor_ids[0]}")
        return counts

    small = measure()
    bulk.build(490, 1470, owners=[manager], actor=actor, versions=versions, seed=2, campaigns=3)
    large = measure()
    assert large == small
    # The most expensive pages: the vendor page, which carries the whole record (assessments,
    # effective results, decisions, findings, exposure, evidence, report, activity), and the
    # dashboard itself (every card, the contract dates and the reassessments due).
    assert max(v for k, v in small.items() if k != "after a change") <= 32, small
    # Just after a change the dashboard first brings the stored state up to date: the mark
    # locked, the fingerprint read again, the rows behind it, the vendors concerned computed
    # again (eight queries, and four for their reassessment dates), their rows replaced, the
    # mark written; a fixed number of steps.
    assert small["after a change"] - small["/?scope=all cold=False"] <= 24, small
    # And the big campaign really is big: its page shows about 480 assignments.
    biggest = db.session.get(Campaign, _biggest_campaign())
    assert len(biggest.assignments) > 400
