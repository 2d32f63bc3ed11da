"""Submitted revisions and their evidence cannot be changed or deleted, even with raw SQL: the
database's own triggers refuse it, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select, text

from tests.portal.helpers import (
    n,
    open_portal,
    pdf_file,
    save,
)
from vendorrisk.campaigns.models import Evidence
from vendorrisk.extensions import db


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
