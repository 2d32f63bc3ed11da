"""Administrators create, re-role and disable staff accounts in the UI."""

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, make_user
from vendorrisk.accounts.models import User, UserSession
from vendorrisk.extensions import db

GOOD = {
    "email": "new.person@firm.example",
    "name": "New Person",
    "role": "manager",
    "password": "Plenty-of-entropy-2042",
}


def _user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_an_admin_creates_a_user_who_can_then_sign_in(app, client, auth):
    auth.login("admin")
    response = client.post("/admin/users/new", data=GOOD)
    assert response.status_code == 302 and response.location.endswith("/admin/users")
    page = client.get("/admin/users").text
    assert "New Person can now sign in." in page
    assert "new.person@firm.example" in page

    user = _by_email("new.person@firm.example")
    assert user.role == "manager" and user.active
    assert user.password_hash.startswith("$argon2id$")
    newcomer = app.test_client()
    assert (
        newcomer.post(
            "/login", data={"email": GOOD["email"], "password": GOOD["password"]}
        ).status_code
        == 302
    )


def test_a_new_users_address_is_stored_in_lower_case(client, auth):
    auth.login("admin")
    client.post("/admin/users/new", data={**GOOD, "email": "Mixed.Case@Firm.Example"})
    assert _by_email("mixed.case@firm.example") is not None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Invalid email address."),
        ({"email": "two@@firm.example"}, "email", "Invalid email address."),
        ({"password": "short"}, "password", "Use at least 8 characters."),
        (
            {"password": "password123"},
            "password",
            "This password is among the most commonly used ones; choose another.",
        ),
        ({"password": "new.person"}, "password", "Do not use your e-mail name as your password."),
        ({"name": ""}, "name", "This field is required."),
        ({"role": "superuser"}, "role", "Not a valid choice."),
    ],
)
def test_an_invalid_new_user_gets_a_field_error_and_nothing_is_created(
    client, auth, change, field, message
):
    auth.login("admin")
    before = _user_count()
    response = client.post("/admin/users/new", data={**GOOD, **change})
    assert response.status_code == 200
    assert f'id="{field}-error">{message}' in response.text
    assert _user_count() == before


def test_a_duplicate_address_gets_a_field_error_whatever_its_case(client, auth):
    auth.login("admin")
    make_user("manager", email="taken@firm.example")
    before = _user_count()
    response = client.post("/admin/users/new", data={**GOOD, "email": "TAKEN@firm.example"})
    assert response.status_code == 200
    assert 'id="email-error">A user with this e-mail address already exists.' in response.text
    assert _user_count() == before


def _edit(client, user, **fields):
    data = {"name": user.name, "role": user.role, "active": "y"}
    data.update(fields)
    if data.get("active") is False:
        del data["active"]
    return client.post(f"/admin/users/{user.id}", data=data)


def test_an_admin_changes_a_users_role_and_their_sessions_end(app, client, auth):
    auth.login("admin")
    target = make_user("manager")
    theirs = app.test_client()
    theirs.post("/login", data={"email": target.email, "password": PASSWORD})
    assert theirs.get("/audit/").status_code == 403

    response = _edit(client, target, role="compliance")

    assert response.status_code == 302
    assert _by_email(target.email).role == "compliance"
    assert theirs.get("/").status_code == 302  # signed out, so the new role takes effect at once
    theirs.post("/login", data={"email": target.email, "password": PASSWORD})
    assert theirs.get("/audit/").status_code == 200


def test_disabling_a_user_ends_their_sessions_at_once(app, client, auth):
    auth.login("admin")
    target = make_user("manager")
    theirs = app.test_client()
    theirs.post("/login", data={"email": target.email, "password": PASSWORD})
    assert theirs.get("/").status_code == 200

    response = _edit(client, target, active=False)

    assert response.status_code == 302
    assert "The user is updated." in client.get("/admin/users").text
    assert not _by_email(target.email).active
    page = theirs.get("/profile")
    assert page.status_code == 302 and "/login" in page.location
    live = db.session.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == target.id, UserSession.revoked_at.is_(None))
    )
    assert live == 0
    again = theirs.post("/login", data={"email": target.email, "password": PASSWORD})
    assert again.status_code == 200


def test_renaming_a_user_keeps_their_sessions(app, client, auth):
    auth.login("admin")
    target = make_user("manager")
    theirs = app.test_client()
    theirs.post("/login", data={"email": target.email, "password": PASSWORD})
    _edit(client, target, name="Renamed Person")
    assert _by_email(target.email).name == "Renamed Person"
    assert theirs.get("/").status_code == 200


def test_a_disabled_user_can_be_enabled_again(client, auth):
    auth.login("admin")
    target = make_user("manager", active=False)
    _edit(client, target, active="y")
    assert _by_email(target.email).active


def test_an_admin_cannot_disable_themself(client, auth):
    admin = auth.login("admin")
    response = _edit(client, admin, active=False)
    assert response.status_code == 200
    assert "You cannot disable yourself or change your own role." in response.text
    assert _by_email(admin.email).active
    assert client.get("/admin/users").status_code == 200


def test_an_admin_cannot_change_their_own_role(client, auth):
    admin = auth.login("admin")
    response = _edit(client, admin, role="manager")
    assert "You cannot disable yourself or change your own role." in response.text
    assert _by_email(admin.email).role == "admin"


def test_editing_an_unknown_user_is_a_404(client, auth):
    auth.login("admin")
    assert client.get("/admin/users/999999").status_code == 404


@pytest.mark.parametrize("role", ["manager", "compliance"])
def test_only_admins_administer_users(client, auth, role):
    auth.login(role)
    target = make_user("manager")
    before = _user_count()
    assert client.get("/admin/users").status_code == 403
    assert (
        client.post("/admin/users/new", data={**GOOD, "email": "sneaky@firm.example"}).status_code
        == 403
    )
    assert _edit(client, target, active=False).status_code == 403
    assert _user_count() == before
    assert _by_email(target.email).active
