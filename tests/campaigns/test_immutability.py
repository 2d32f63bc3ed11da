"""Submitted revisions and their evidence cannot be changed or deleted, even with raw SQL: the
database's own triggers refuse it, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.portal.helpers import (
    COMPLETE,
    answer_everything,
    f,
    n,
    open_portal,
    pdf_file,
    save,
    submit,
)
from vendorrisk.campaigns.models import Evidence, Revision
from vendorrisk.extensions import db


@pytest.fixture
def submitted(vendor_client, recipient):
    aid = open_portal(vendor_client, recipient)
    answer_everything(
        vendor_client,
        aid,
        [
            COMPLETE[0],
            {
                **COMPLETE[1],
                n("credentials_reset"): "all",
                f("credentials_reset").files: pdf_file("reset.pdf"),
            },
            COMPLETE[2],
        ],
    )
    assert submit(vendor_client, aid).status_code == 302
    db.session.expire_all()
    return db.session.scalar(select(Revision)), db.session.scalar(select(Evidence))


def _refused(statement: str, **params) -> None:
    with pytest.raises(DBAPIError, match="immutable|never deleted"), db.session.begin_nested():
        db.session.execute(text(statement), params)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE revisions SET attestation_name = 'Someone else' WHERE id = :id",
        "UPDATE revisions SET answers = '{}' WHERE id = :id",
        "UPDATE revisions SET submitted_at = NULL WHERE id = :id",
        "DELETE FROM revisions WHERE id = :id",
    ],
    ids=["attestation", "answers", "unsubmit", "delete"],
)
def test_a_submitted_revision_cannot_be_changed_or_deleted_with_raw_sql(submitted, statement):
    revision, _ = submitted
    before = (revision.attestation_hash, revision.answers)
    _refused(statement, id=revision.id)
    db.session.expire_all()
    again = db.session.get(Revision, revision.id)
    assert (again.attestation_hash, again.answers) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE evidence SET sha256 = 'forged' WHERE id = :id",
        "UPDATE evidence SET stored_name = 'elsewhere' WHERE id = :id",
        "UPDATE evidence SET removed_at = CURRENT_TIMESTAMP WHERE id = :id",
        "DELETE FROM evidence WHERE id = :id",
    ],
    ids=["hash", "file", "removed", "delete"],
)
def test_submitted_evidence_cannot_be_changed_or_deleted_with_raw_sql(submitted, statement):
    _, evidence = submitted
    _refused(statement, id=evidence.id)
    db.session.expire_all()
    assert db.session.get(Evidence, evidence.id).removed_at is None


def test_evidence_not_yet_submitted_can_still_be_marked_removed(vendor_client, recipient):
    aid = open_portal(vendor_client, recipient)
    assert save(vendor_client, aid, 2, {n("soc2_report"): pdf_file()}).status_code == 302
    evidence = db.session.scalar(select(Evidence))
    with db.session.begin_nested():
        db.session.execute(
            text("UPDATE evidence SET removed_at = CURRENT_TIMESTAMP WHERE id = :id"),
            {"id": evidence.id},
        )
    db.session.expire_all()
    assert db.session.get(Evidence, evidence.id).removed_at is not None
