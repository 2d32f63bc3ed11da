"""Demo data: realistic, fictional, covering what the breach workflows need, and idempotent."""

from datetime import date

import pytest
from sqlalchemy import func, select

from vendorrisk import demo as demo_registry
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.vendors.demo import _contract_dates, load_demo_vendors
from vendorrisk.vendors.matching import find_products, vendors_using
from vendorrisk.vendors.models import Contact, Product, ProductUse, Vendor


@pytest.fixture(autouse=True)
def vendors_only(monkeypatch):
    """These tests are about the demo vendors; the demo assessments have their own test."""
    monkeypatch.setattr(demo_registry, "DEMO_LOADERS", [load_demo_vendors])


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Vendor, Contact, Product, ProductUse, AuditEntry)
    )


def test_demo_twice_creates_nothing_new(runner, db_session):
    assert runner.invoke(args=["demo"]).exit_code == 0
    first = _counts()
    assert first[0] >= 28
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert _counts() == first


def test_demo_covers_tiers_countries_owners_kinds_and_the_breach_products(runner, db_session):
    runner.invoke(args=["demo"])
    vendors = db.session.scalars(select(Vendor)).all()
    assert {v.risk_tier for v in vendors} == {1, 2, 3, 4}
    assert len({v.country for v in vendors}) >= 8
    assert {v.owner.email for v in vendors} == {
        "admin@vendorrisk.example",
        "manager@vendorrisk.example",
        "compliance@vendorrisk.example",
    }
    kinds = {k for c in db.session.scalars(select(Contact)) for k in c.kinds}
    assert kinds == {"primary", "security", "executive", "privacy"}
    assert all(
        c.email.split("@")[1].endswith(".example") for c in db.session.scalars(select(Contact))
    )
    assert all(v.primary_contact is not None for v in vendors)

    orion = find_products("solarwinds orion")[0]
    affected = {
        v.name
        for v, _ in vendors_using(
            [orion.id], ["2019.4 HF 5", "2020.2", "2020.2 HF 1"], include_unknown_versions=False
        )
    }
    everyone = {v.name for v, _ in vendors_using([orion.id])}
    assert affected and everyone - affected  # some versions affected, some not

    mimecast = [
        p.id for p in db.session.scalars(select(Product).where(Product.supplier == "Mimecast"))
    ]
    assert {p.name for p in map(lambda i: db.session.get(Product, i), mimecast)} >= {
        "Mimecast Sync and Recover",
        "Mimecast Continuity Monitor",
        "Mimecast Internal Email Protect",
    }
    uses = vendors_using(mimecast)
    only_via = {v.name for v, u in uses} - {v.name for v, u in uses if u.direct}
    assert only_via, "some vendor uses Mimecast only through a subcontractor"
    assert find_products("Mimecast S&R")[0].name == "Mimecast Sync and Recover"
    assert find_products("microsoft 365")


def test_demo_contracts_are_running_on_the_day_the_demo_is_loaded(runner, db_session):
    """The demo never looks stale: every current vendor's contract began in the past and ends,
    and renews, in the future; an offboarded vendor's contract has ended."""
    runner.invoke(args=["demo"])
    today = date.today()
    vendors = db.session.scalars(select(Vendor)).all()
    for v in vendors:
        if v.status == "offboarded":
            assert v.contract_end < today and v.renewal_date is None, v.name
        else:
            assert v.contract_start <= today < v.contract_end, v.name
            assert today < v.renewal_date, v.name
    assert len({v.contract_start for v in vendors}) >= 12  # spread out, not one date


@pytest.mark.parametrize("today", [date(2027, 1, 15), date(2026, 12, 31), date(2028, 2, 29)])
def test_demo_contract_dates_cross_year_ends_and_leap_days(today):
    for index in range(40):
        start, end = _contract_dates(index, "active", today)
        assert start.day == 1 and start <= today < end
        gone_start, gone_end = _contract_dates(index, "offboarded", today)
        assert gone_start < gone_end < today
