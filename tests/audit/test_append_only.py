"""The audit table is append-only: the database itself refuses UPDATE and DELETE."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from vendorrisk.audit import services as audit
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db


@pytest.fixture
def entry(db_session):
    row = audit.record("append.only.check", "thing", 1, details={"n": 1})
    db.session.flush()
    return row


def _refused(statement: str, **params) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(statement), params)


def test_updating_an_audit_entry_is_refused_by_the_database(entry):
    _refused("UPDATE audit_entries SET action = 'tampered' WHERE id = :id", id=entry.id)
    db.session.expire_all()
    assert db.session.get(AuditEntry, entry.id).action == "append.only.check"


def test_updating_every_audit_entry_is_refused(entry):
    _refused("UPDATE audit_entries SET outcome = 'success'")


def test_deleting_an_audit_entry_is_refused_by_the_database(entry):
    _refused("DELETE FROM audit_entries WHERE id = :id", id=entry.id)
    db.session.expire_all()
    assert db.session.get(AuditEntry, entry.id) is not None


def test_deleting_every_audit_entry_is_refused(entry):
    _refused("DELETE FROM audit_entries")
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.id == entry.id)) == entry.id


def test_the_orm_cannot_change_an_entry_either(entry):
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            entry.details = {"n": 2}
            db.session.flush()


def test_truncating_the_audit_table_is_refused_on_postgresql(entry):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _refused("TRUNCATE audit_entries")


def test_new_entries_can_still_be_added(entry):
    audit.record("append.only.check", "thing", 2)
    db.session.flush()
    count = len(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "append.only.check")).all()
    )
    assert count == 2
