"""The stored portfolio state behind residual risk, scores and stale assessments: right, and
never stale.

It is computed once, kept in the database while its inputs stay the same, and every change made
through the services (an answer, a decision, a finding's step, a vendor's tier) shows on the
next page, with only the vendors concerned computed again.
"""

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from tests.dashboard.helpers import answers, decide, number_links, submit
from tests.support.factories import create_campaign, make_vendor
from vendorrisk.dashboard import snapshot
from vendorrisk.dashboard.models import PortfolioMark
from vendorrisk.extensions import db
from vendorrisk.review import queries
from vendorrisk.review import services as review
from vendorrisk.review.queries import residual_for
from vendorrisk.vendors import services as vendors
from vendorrisk.vendors.models import Vendor


def _residual(client) -> list[int]:
    n = number_links(client.get("/dashboard/?scope=all").text)
    return [
        n[f"vendors of residual Tier {t} · {name}"][0]
        for t, name in ((1, "Critical"), (2, "High"), (3, "Moderate"), (4, "Low"))
    ]


def _stored_fingerprint() -> snapshot.Fingerprint | None:
    return snapshot.Fingerprint.decode(db.session.get(PortfolioMark, snapshot.MARK_ID).fingerprint)


def test_the_stored_state_agrees_with_residual_for_vendor_by_vendor(app, portfolio):
    with app.app_context():
        snapshot.portfolio()
        current = db.session.scalars(select(Vendor).where(Vendor.status != "offboarded")).all()
        expected = residual_for(list(current))
        assert {i: s.residual for i, s in snapshot.stored_states().items()} == {
            i: r.tier for i, r in expected.items()
        }


def test_residual_risk_read_in_slices_is_the_same(app, portfolio, monkeypatch):
    """Big portfolios are read a slice of vendors at a time (bound-parameter caps)."""
    with app.app_context():
        current = list(db.session.scalars(select(Vendor).order_by(Vendor.id)).all())
        whole = residual_for(current)
        monkeypatch.setattr(queries, "ID_BATCH", 2)
        assert residual_for(current) == whole
        assert len(whole) == len(current) > 2


def test_a_second_page_reuses_the_stored_state_and_a_change_recomputes_it(
    app, portfolio, signed_in
):
    client = signed_in("compliance")
    assert _residual(client) == [1, 2, 1, 0]
    with app.app_context():
        first = snapshot.portfolio()
        assert snapshot.portfolio().version == first.version  # nothing changed: nothing written
    # Print's critical finding is closed: print goes back from tier 3 to its inherent 4.
    review.close_finding(portfolio.critical, portfolio.reviewer, "Plan seen and tested.")
    db.session.flush()
    assert _residual(client) == [1, 2, 0, 1]


def test_a_new_submission_and_decision_show_at_once(portfolio, signed_in, baseline_version):
    client = signed_in("compliance")
    assert _residual(client) == [1, 2, 1, 0]
    # Cloud (inherent 3, raised to 2 by its impact signal) answers the baseline badly:
    # band D raises it two tiers once accepted, to tier 1.
    cloud = portfolio.assignment(portfolio.baseline, portfolio.vendors.cloud)
    submit(cloud, answers(12, rotated=False))
    assert _residual(client) == [1, 2, 1, 0]  # submitted, not yet accepted
    decide(cloud, portfolio.reviewer)
    assert _residual(client) == [2, 1, 1, 0]


def test_a_vendor_whose_tier_changes_moves_at_once(portfolio, signed_in):
    client = signed_in("compliance")
    assert _residual(client) == [1, 2, 1, 0]
    vendors.update_vendor(
        portfolio.vendors.print, {"criticality": "critical", "data_access": "regulated"}
    )
    db.session.flush()
    # Print is now inherent tier 1, and its open critical finding cannot raise it further.
    assert _residual(client) == [2, 2, 0, 0]


def test_an_accepted_risk_takes_a_finding_out_of_the_count(portfolio, signed_in):
    client = signed_in("compliance")
    assert _residual(client) == [1, 2, 1, 0]
    review.accept_risk(
        portfolio.critical,
        portfolio.reviewer,
        "Tolerated until the audit.",
        date.today() + timedelta(days=20),
    )
    db.session.flush()
    assert _residual(client) == [1, 2, 0, 1]


def test_a_new_day_recomputes_even_if_nothing_else_changed(app, portfolio):
    with app.app_context():
        today = snapshot.portfolio(date.today())
        later = snapshot.portfolio(date.today() + timedelta(days=400))
        assert later.version != today.version
        # 400 days on, the baselines accepted today are stale: no vendor is lowered any more.
        states = snapshot.stored_states()
        assert sum(later.is_stale(s) for s in states.values()) == 4
        payroll = states[portfolio.vendors.payroll.id]
        assert payroll.residual == payroll.inherent == 1
        # Only what the date can turn was computed again, and it equals a full computation.
        assert later.built_at == today.built_at
        assert states == snapshot.compute(later.today)


def test_scores_come_from_each_vendors_latest_submitted_answers(app, portfolio, incident_version):
    payroll = portfolio.vendors.payroll
    with app.app_context():
        snapshot.portfolio()
        assert snapshot.stored_states()[payroll.id].scores == {
            "certificate_rotation": 85.7,
            "incident_readiness": 100.0,
        }
    later = create_campaign(incident_version, [payroll], name="Follow-up")
    submit(later.assignments[0], answers(100))  # notification in 100 h: readiness 0
    with app.app_context():
        snapshot.portfolio()
        assert snapshot.stored_states()[payroll.id].scores == {"incident_readiness": 0.0}


def test_the_vendor_list_filter_by_residual_tier_matches_the_counts(portfolio, signed_in):
    client = signed_in("compliance")
    counts = Counter()
    for tier in (1, 2, 3, 4):
        page = client.get(f"/vendors/?residual={tier}")
        counts[tier] = page.text.count('class="fw-semibold">')
    assert [counts[t] for t in (1, 2, 3, 4)] == [1, 2, 1, 0]


def test_a_brand_new_vendor_counts_at_once(portfolio, signed_in):
    client = signed_in("compliance")
    make_vendor("Zeta New", criticality="low", data_access="none")
    assert _residual(client) == [1, 2, 1, 1]


def test_an_update_recomputes_only_the_vendors_concerned_and_equals_a_full_rebuild(app, portfolio):
    v = portfolio.vendors
    with app.app_context():
        before = snapshot.portfolio()
        previous = _stored_fingerprint()
    review.close_finding(portfolio.critical, portfolio.reviewer, "Verified.")
    cloud = portfolio.assignment(portfolio.baseline, v.cloud)
    submit(cloud, answers(12, rotated=True))
    decide(cloud, portfolio.reviewer)
    vendors.update_vendor(v.mail, {"criticality": "low", "data_access": "none"})
    db.session.flush()
    with app.app_context():
        changed = snapshot.changed_vendors(previous, snapshot.fingerprint())
        assert changed == {v.print.id, v.cloud.id, v.mail.id}
        updated = snapshot.portfolio()
        assert updated.version != before.version
        assert updated.built_at == before.built_at  # an update, not a rebuild
        assert snapshot.stored_states() == snapshot.compute(updated.today)


def test_rows_the_fingerprint_cannot_account_for_force_a_full_rebuild(app, portfolio):
    with app.app_context():
        current = snapshot.fingerprint()
        # Two findings more than the rows newer than the last one seen: one was committed
        # late with an older id, say. The update cannot be trusted.
        earlier = current._replace(findings=current.findings - 2)
        assert snapshot.changed_vendors(earlier, current) is None
        assert snapshot.changed_vendors(current, current) == set()


def test_offboarding_a_vendor_takes_it_out_at_once(portfolio, signed_in):
    client = signed_in("compliance")
    assert _residual(client) == [1, 2, 1, 0]
    vendors.offboard_vendor(portfolio.vendors.print)
    db.session.flush()
    assert _residual(client) == [1, 2, 0, 0]
