"""Lists are paged by primary key first: the same rows, in the same order, as paging the whole
query, with what each row loads, in a number of queries that does not depend on the rows."""

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import joinedload

from tests.support.factories import make_vendor
from vendorrisk.accounts.models import User
from vendorrisk.core.pagination import by_key, first_rows
from vendorrisk.extensions import db
from vendorrisk.vendors.models import Vendor


@pytest.fixture
def vendors(db_session):
    owner = db.session.scalar(select(User).limit(1))
    names = ["Kappa", "Alpha", "Mu", "Beta", "Alpha", "Zeta", "Gamma", "Beta", "Eta", "Iota"]
    made = [
        make_vendor(f"{name} {i}", owner=owner, criticality=("high" if i % 3 else "low"))
        for i, name in enumerate(names)
    ]
    db.session.flush()
    return made


def _query():
    # A sort on a column with ties, then the key: the order every list uses.
    return (
        select(Vendor)
        .where(Vendor.name.not_like("%4"))
        .options(joinedload(Vendor.owner))
        .order_by(Vendor.criticality.desc(), Vendor.name_key, Vendor.id)
    )


def test_by_key_gives_each_page_the_rows_plain_paging_gives(vendors):
    expected = [v.id for v in db.session.scalars(_query())]
    assert len(expected) == len(vendors) - 1
    for offset in range(0, len(expected) + 2):
        plain = [v.id for v in db.session.scalars(_query().limit(3).offset(offset))]
        keyed = [v.id for v in db.session.scalars(by_key(_query(), 3, offset))]
        assert keyed == plain == expected[offset : offset + 3]


def test_first_rows_counts_all_and_loads_the_first(vendors):
    rows, total = first_rows(_query(), 4)
    assert total == len(vendors) - 1
    assert [v.id for v in rows] == [v.id for v in db.session.scalars(_query().limit(4))]
    assert all("owner" in v.__dict__ for v in rows)  # loaded with the rows, not afterwards


def _counting():
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    return seen, count


@pytest.mark.parametrize("matching", [True, False])
def test_first_rows_runs_two_queries_with_rows_or_without(vendors, matching):
    query = _query() if matching else _query().where(Vendor.name == "nobody")
    db.session.flush()
    seen, count = _counting()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        rows, total = first_rows(query, 4)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == 2
    assert (len(rows), total) == ((4, len(vendors) - 1) if matching else (0, 0))
