"""Fixtures for the dashboard tests: a fresh snapshot per test, users, template versions and
clients signed in as each role."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from tests.conftest import AuthActions, make_user
from tests.dashboard.helpers import BASELINE_TEMPLATE, IMPACT, answers, decide, past_due, submit
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.dashboard import snapshot
from vendorrisk.extensions import db
from vendorrisk.review import services as review


@pytest.fixture(autouse=True)
def fresh_snapshot(app):
    """Each test starts with nothing remembered (ids are reused after a rollback)."""
    with app.app_context():
        snapshot.forget()
    yield
    with app.app_context():
        snapshot.forget()


@pytest.fixture
def manager(db_session):
    return make_user("manager", name="Morgan Owner")


@pytest.fixture
def reviewer(db_session):
    return make_user("manager", name="Riley Reviewer")


@pytest.fixture
def incident_version(db_session):
    return approved_version()


@pytest.fixture
def baseline_version(db_session):
    return approved_version(BASELINE_TEMPLATE)


@pytest.fixture
def signed_in(app, db_session):
    """Return a function giving a client signed in as a user (or a new user of a role)."""

    def sign_in(role_or_user="manager"):
        client = app.test_client()
        auth = AuthActions(client)
        if isinstance(role_or_user, str):
            auth.login(role_or_user)
        else:
            auth.login(user=role_or_user)
        return client

    return sign_in


@pytest.fixture
def portfolio(db_session, manager, reviewer, incident_version, baseline_version):
    """A small portfolio whose every dashboard number is worked out by hand in the tests.

    Vendors (inherent tier): payroll (1) and mail (2) owned by `manager`, cloud (3) and
    print (4) owned by someone else, and an offboarded vendor of `manager`.
    A baseline campaign, due in two weeks: payroll answers well (band A) and mail badly
    (band D), both accepted; cloud has not answered. An incident campaign, past due: cloud
    answered that our data was accessed (an impact signal); payroll and print did not answer.
    A critical finding on print is past its date; a medium finding on cloud has its risk
    accepted for ten more days.
    """
    other = make_user("manager", name="Olivia Other")
    v = SimpleNamespace(
        payroll=make_vendor(
            "Acme Payroll", owner=manager, criticality="critical", data_access="regulated"
        ),
        mail=make_vendor(
            "Beta Mail", owner=manager, criticality="high", data_access="confidential"
        ),
        cloud=make_vendor(
            "Gamma Cloud", owner=other, criticality="moderate", data_access="internal"
        ),
        print=make_vendor("Delta Print", owner=other, criticality="low", data_access="none"),
        old=make_vendor("Epsilon Old", owner=manager, status="offboarded"),
    )
    baseline = create_campaign(
        baseline_version, [v.payroll, v.mail, v.cloud], name="Annual baseline", actor=reviewer
    )
    incident = create_campaign(
        incident_version, [v.payroll, v.cloud, v.print], name="Connector breach", actor=reviewer
    )
    by_vendor = {
        (a.campaign_id, a.vendor_id): a for c in (baseline, incident) for a in c.assignments
    }

    def assignment(campaign, vendor):
        return by_vendor[(campaign.id, vendor.id)]

    submit(assignment(baseline, v.payroll), answers(12, rotated=True))
    submit(assignment(baseline, v.mail), answers(12, rotated=False))
    decide(assignment(baseline, v.payroll), reviewer)
    decide(assignment(baseline, v.mail), reviewer)
    submit(assignment(incident, v.cloud), IMPACT)
    past_due(incident)
    critical = review.add_finding(
        assignment(incident, v.print),
        reviewer,
        title="No incident plan",
        severity="critical",
        due_date=date.today() - timedelta(days=1),
        remediation=None,
        internal=False,
    )
    medium = review.add_finding(
        assignment(incident, v.cloud),
        reviewer,
        title="Logs kept 7 days",
        severity="medium",
        due_date=date.today() + timedelta(days=60),
        remediation=None,
        internal=False,
    )
    review.accept_risk(medium, reviewer, "Compensating control.", date.today() + timedelta(days=10))
    db.session.flush()
    return SimpleNamespace(
        vendors=v,
        baseline=baseline,
        incident=incident,
        other=other,
        critical=critical,
        medium=medium,
        manager=manager,
        reviewer=reviewer,
        assignment=assignment,
    )
