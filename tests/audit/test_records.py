"""What the audit log records: sign-ins, failures, changes, denied access and exports."""

from datetime import UTC, timedelta

from sqlalchemy import select

from tests.conftest import PASSWORD, make_user
from vendorrisk.audit import services as audit
from vendorrisk.audit.models import AuditEntry
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db


def _entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def _last(action: str) -> AuditEntry:
    entries = _entries(action)
    assert entries, f"no {action} entry"
    return entries[-1]


def test_a_sign_in_is_recorded_with_who_when_and_where(client):
    user = make_user("manager")
    before = utcnow()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    entry = _last("login")
    assert (entry.actor_type, entry.actor_id) == ("user", user.id)
    assert (entry.object_type, entry.object_id) == ("user", str(user.id))
    assert entry.outcome == "success"
    assert entry.ip == "127.0.0.1"
    assert entry.at.tzinfo == UTC
    assert before - timedelta(seconds=1) <= entry.at <= utcnow() + timedelta(seconds=1)


def test_a_failed_sign_in_is_recorded_without_the_password_or_address(client):
    user = make_user("manager")
    client.post("/login", data={"email": user.email, "password": "Secret-wrong-guess"})
    entry = _last("login.failed")
    assert entry.outcome == "failure"
    assert entry.actor_type == "anonymous" and entry.actor_id is None
    assert entry.object_id == str(user.id)
    assert entry.details == {"reason": "wrong password"}
    assert "Secret-wrong-guess" not in str(entry.details)


def test_a_sign_in_to_an_unknown_account_is_recorded_without_the_address_typed(client):
    client.post("/login", data={"email": "who.is.this@firm.example", "password": "whatever-1"})
    entry = _last("login.failed")
    assert entry.object_id is None
    assert entry.details == {"reason": "unknown account"}
    assert "who.is.this" not in repr((entry.details, entry.actor_ref, entry.object_id))


def test_a_sign_in_to_a_disabled_account_is_recorded_as_such(client):
    user = make_user("manager", active=False)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert _last("login.failed").details == {"reason": "disabled"}


def test_a_sign_out_is_recorded(client, auth):
    user = auth.login("manager")
    auth.logout()
    entry = _last("logout")
    assert (entry.actor_id, entry.object_id) == (user.id, str(user.id))


def test_a_wrong_second_factor_code_is_recorded(client):
    from tests.accounts.helpers import wrong_code

    user = make_user("manager", mfa=True)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    client.post("/login/code", data={"code": wrong_code(user.totp_secret)})
    entry = _last("login.mfa_failed")
    assert entry.outcome == "failure" and entry.object_id == str(user.id)


def test_creating_a_user_is_recorded_with_the_admin_as_actor_and_no_personal_data(client, auth):
    admin = auth.login("admin")
    client.post(
        "/admin/users/new",
        data={
            "email": "audited.person@firm.example",
            "name": "Audited Person",
            "role": "compliance",
            "password": "Long-enough-passphrase-9",
        },
    )
    entry = _last("user.created")
    assert entry.actor_id == admin.id
    assert entry.details == {"role": "compliance"}
    flat = repr((entry.details, entry.object_id, entry.actor_ref))
    assert "audited.person" not in flat and "Audited Person" not in flat


def test_updating_a_user_is_recorded_with_the_field_names_only(client, auth):
    admin = auth.login("admin")
    target = make_user("manager", name="Before Name")
    client.post(f"/admin/users/{target.id}", data={"name": "After Name", "role": "compliance"})
    entry = _last("user.updated")
    assert entry.actor_id == admin.id
    assert entry.object_id == str(target.id)
    assert sorted(entry.details["fields"]) == ["active", "name", "role"]
    assert "After Name" not in repr(entry.details) and "Before Name" not in repr(entry.details)


def test_a_denied_page_is_recorded_as_access_denied(client, auth):
    manager = auth.login("manager")
    assert client.get("/audit/").status_code == 403
    entry = _last("access.denied")
    assert entry.outcome == "denied"
    assert entry.actor_id == manager.id
    assert (entry.object_type, entry.object_id) == ("endpoint", "audit.log")
    assert entry.details == {"method": "GET"}


def test_a_denied_post_is_recorded_too(client, auth):
    auth.login("compliance")
    client.post("/admin/users/new", data={"email": "x@firm.example"})
    entry = _last("access.denied")
    assert entry.object_id == "accounts.user_new" and entry.details == {"method": "POST"}


def test_an_export_of_the_audit_log_is_recorded(client, auth):
    officer = auth.login("compliance")
    response = client.get("/audit/export.csv?outcome=failure")
    assert response.status_code == 200
    entry = _last("export.audit_log")
    assert entry.actor_id == officer.id
    assert entry.details["filters"] == ["outcome"]
    assert entry.details["rows"] == response.text.count("\r\n") - 1


def test_an_entry_written_outside_a_request_is_by_the_system(db_session):
    entry = audit.record("maintenance.done")
    db.session.flush()
    assert entry.actor_type == "system" and entry.ip is None


def test_an_entry_is_written_in_the_callers_transaction(db_session):
    """A change that rolls back takes its audit entry with it."""
    audit.record("will.roll.back")
    db.session.flush()
    assert _entries("will.roll.back")
    db.session.rollback()
    assert _entries("will.roll.back") == []
