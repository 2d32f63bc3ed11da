"""SECURITY.md items 21-24: data.

SQLite set up for concurrent writers, optimistic locking, an append-only audit log free of
personal data, and immutable submissions with a canonical attestation hash.
"""

import hashlib
import re
from datetime import UTC

import pytest
import rfc8785
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from tests.portal.helpers import (
    COMPLETE,
    answer_everything,
    draft_of,
    f,
    n,
    open_portal,
    page_version,
    pdf_file,
    save,
    section_url,
    submit,
)
from tests.reports.conftest import make_assessment
from tests.support.factories import make_contact
from vendorrisk.audit import services as audit
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns import services as campaigns
from vendorrisk.campaigns.models import Evidence, Response, Revision
from vendorrisk.extensions import db
from vendorrisk.vendors import services as vendors


def test_item_21_sqlite_runs_in_wal_with_a_busy_timeout_and_immediate_write_transactions(app):
    """Item 21: "SQLite: WAL, `busy_timeout` >= 5 s, writes in `BEGIN IMMEDIATE`." """
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("runs with the SQLite backend")
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
                conn.rollback()
                with conn.begin():
                    conn.execute(text("SELECT 1"))
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert "BEGIN IMMEDIATE" in statements
    assert statements.index("BEGIN IMMEDIATE") < statements.index("SELECT 1")


def test_item_21_alembic_migrations_run_in_batch_mode(app):
    """Item 21: "Alembic batch mode" (SQLite cannot ALTER most things in place)."""
    assert app.extensions["migrate"].configure_args.get("render_as_batch") is True


def test_item_22_a_save_from_a_stale_page_gets_a_409_with_its_typed_answers_and_loses_nothing(
    app, assignment, vendor
):
    """Item 22: "two concurrent edits of one response, one gets a clear conflict, none is lost." """
    colleague = make_contact(vendor, ("executive",))
    campaigns.add_recipient(assignment, colleague, actor=None)
    db.session.flush()
    first_rec, second_rec = assignment.recipients
    first, second = app.test_client(), app.test_client()
    aid = open_portal(first, first_rec)
    open_portal(second, second_rec)

    seen_by_both = page_version(first.get(section_url(aid, 2)).text)
    assert page_version(second.get(section_url(aid, 2)).text) == seen_by_both

    saved = save(
        first,
        aid,
        2,
        {n("notify_hours"): "24", n("notes"): "Written by the first"},
        version=seen_by_both,
    )
    assert saved.status_code == 302
    late = save(
        second,
        aid,
        2,
        {n("notify_hours"): "96", n("notes"): "Written by the second"},
        version=seen_by_both,
    )
    assert late.status_code == 409
    assert "Someone else saved answers to this questionnaire after you opened" in late.text
    assert "Written by the second" in late.text and 'value="96"' in late.text
    assert page_version(late.text) > seen_by_both  # saving again now keeps theirs knowingly

    draft = draft_of(assignment)
    assert draft["notes"]["value"] == "Written by the first"
    assert draft["notify_hours"]["value"] == {"decimal": "24"}


def test_item_22_a_response_carries_its_version_column_and_the_form_a_hidden_version(
    vendor_client, recipient
):
    """Item 22: "Optimistic locking (`version_id_col` and the version in a hidden field)." """
    assert Response.__mapper__.version_id_col is Response.__table__.c.version
    aid = open_portal(vendor_client, recipient)
    page = vendor_client.get(section_url(aid, 0)).text
    field = re.search(r'<input[^>]*name="version"[^>]*>', page)
    assert field and 'type="hidden"' in field.group(0)
    assert page_version(page) == recipient.assignment.response.version


def test_item_23_the_audit_triggers_exist_on_the_test_database(app):
    """Item 23: "database triggers reject UPDATE and DELETE on it, on SQLite and PostgreSQL." """
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            names = (
                connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                .scalars()
                .all()
            )
        else:
            names = (
                connection.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
                .scalars()
                .all()
            )
    assert {"audit_entries_no_update"} <= set(names)


@pytest.fixture
def entry(db_session):
    row = audit.record("append.only.check", "thing", 1, details={"n": 1})
    db.session.flush()
    return row


def _append_only_refused(statement: str, **params) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text(statement), params)


def test_item_23_updating_an_audit_entry_is_refused_by_the_database(entry):
    """Item 23: "database triggers reject UPDATE ... on it, on SQLite and PostgreSQL." """
    _append_only_refused("UPDATE audit_entries SET action = 'tampered' WHERE id = :id", id=entry.id)
    db.session.expire_all()
    assert db.session.get(AuditEntry, entry.id).action == "append.only.check"


def test_item_23_updating_every_audit_entry_is_refused(entry):
    """Item 23: "Audit log: append-only" (no bulk UPDATE either)."""
    _append_only_refused("UPDATE audit_entries SET outcome = 'success'")


def test_item_23_deleting_an_audit_entry_is_refused_by_the_database(entry):
    """Item 23: "database triggers reject ... DELETE on it." """
    _append_only_refused("DELETE FROM audit_entries WHERE id = :id", id=entry.id)
    db.session.expire_all()
    assert db.session.get(AuditEntry, entry.id) is not None


def test_item_23_deleting_every_audit_entry_is_refused(entry):
    """Item 23: "Audit log: append-only" (no bulk DELETE either)."""
    _append_only_refused("DELETE FROM audit_entries")
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.id == entry.id)) == entry.id


def test_item_23_the_orm_cannot_change_an_entry_either(entry):
    """Item 23: "Audit log: append-only", through the ORM as well."""
    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            entry.details = {"n": 2}
            db.session.flush()


def test_item_23_truncating_the_audit_table_is_refused_on_postgresql(entry):
    """Item 23: "Audit log: append-only" (PostgreSQL refuses TRUNCATE too)."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _append_only_refused("TRUNCATE audit_entries")


def test_item_23_new_entries_can_still_be_added(entry):
    """Item 23: append-only still appends."""
    audit.record("append.only.check", "thing", 2)
    db.session.flush()
    count = len(
        db.session.scalars(select(AuditEntry).where(AuditEntry.action == "append.only.check")).all()
    )
    assert count == 2


def test_item_23_entries_hold_ids_not_personal_data_so_a_contact_can_be_erased(
    vendor_client, recipient
):
    """Item 23: "it records ids and field names, not copies of personal data, so a contact can
    be erased (GDPR Art. 17) while attestations stay." """
    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    assert submit(vendor_client, aid, name="Sam Attester").status_code == 302
    contact = recipient.contact
    personal = [contact.email, contact.name, "Sam Attester"]
    vendors.erase_contact(contact)
    db.session.flush()
    db.session.expire_all()
    revision = db.session.scalar(select(Revision))
    assert revision.submitted_at is not None and len(revision.attestation_hash) == 64
    entries = db.session.scalars(select(AuditEntry)).all()
    assert {"portal.token_used", "response.submitted", "contact.erased"} <= {
        e.action for e in entries
    }
    for entry in entries:
        stored = repr((entry.actor_ref, entry.object_type, entry.object_id, entry.details))
        assert not [value for value in personal if value in stored], entry.action
        assert entry.at.tzinfo == UTC


def test_item_23_sign_in_denials_decisions_exports_and_downloads_are_recorded(client, auth, vendor):
    """Item 23: "login, failed authorization, token use, submission, review decision, export
    and evidence download all recorded" (who/what/when/where)."""
    assessment = make_assessment(vendor)  # token use, submission and a review decision
    manager = auth.login("manager")
    assert client.get("/audit/").status_code == 403
    auth.logout()
    officer = auth.login("compliance")
    assert client.get("/audit/export.csv").status_code == 200
    evidence = assessment.response.evidence[0]
    download = client.get(f"/review/evidence/{evidence.id}")
    assert download.status_code == 200
    download.close()
    db.session.expire_all()
    entries = db.session.scalars(select(AuditEntry)).all()
    by_action = {}
    for entry in entries:
        by_action.setdefault(entry.action, []).append(entry)
    for action in (
        "login",
        "access.denied",
        "response.submitted",
        "review.decided",
        "export.audit_log",
        "evidence.downloaded",
    ):
        assert action in by_action, action
    (denied,) = by_action["access.denied"]
    assert (denied.actor_id, denied.object_id, denied.ip) == (manager.id, "audit.log", "127.0.0.1")
    assert by_action["evidence.downloaded"][0].actor_id == officer.id


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


def _immutable_refused(statement: str, **params) -> None:
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
def test_item_24_a_submitted_revision_cannot_be_changed_or_deleted_with_raw_sql(
    submitted, statement
):
    """Item 24: "Submitted answers ... are immutable." """
    revision, _ = submitted
    before = (revision.attestation_hash, revision.answers)
    _immutable_refused(statement, id=revision.id)
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
def test_item_24_submitted_evidence_cannot_be_changed_or_deleted_with_raw_sql(submitted, statement):
    """Item 24: "Submitted ... evidence ... [is] immutable." """
    _, evidence = submitted
    _immutable_refused(statement, id=evidence.id)
    db.session.expire_all()
    assert db.session.get(Evidence, evidence.id).removed_at is None


def test_item_24_the_attestation_hash_is_sha256_of_rfc_8785_json_of_answers_and_evidence(
    submitted,
):
    """Item 24: "An attestation hash is SHA-256 over RFC 8785 canonical JSON of the answers and
    evidence hashes." """
    revision, evidence = submitted
    canonical = rfc8785.dumps(
        {"answers": revision.answers, "evidence": {evidence.question_id: [evidence.sha256]}}
    )
    assert revision.attestation_hash == hashlib.sha256(canonical).hexdigest()


def test_item_24_an_approved_template_version_cannot_be_changed_or_deleted(db_session, version):
    """Item 24: "template versions are immutable; corrections are new revisions." """
    for statement in (
        "UPDATE template_versions SET yaml_text = 'id: forged' WHERE id = :id",
        "UPDATE template_versions SET status = 'rejected' WHERE id = :id",
        "DELETE FROM template_versions WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="immutable|final|never deleted"):
            with db.session.begin_nested():
                db.session.execute(text(statement), {"id": version.id})
