"""`flask users ...`: create, re-role and disable accounts from the command line."""

from sqlalchemy import func, select

from tests.conftest import PASSWORD, make_user
from vendorrisk.accounts.models import User, UserSession
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db

STRONG = "Granite-orchard-lantern-77"


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def _create(runner, email="cli.user@firm.example", role="manager", password_input=None, extra=()):
    return runner.invoke(
        args=["users", "create", "--email", email, "--role", role, *extra],
        input=password_input if password_input is not None else f"{STRONG}\n{STRONG}\n",
    )


def test_users_create_asks_for_the_password_twice_and_creates_the_user(runner):
    result = _create(runner, extra=["--name", "Cli User"])
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert "Created cli.user@firm.example (Vendor manager)." in result.output
    assert STRONG not in result.output  # the password is not echoed

    user = _user("cli.user@firm.example")
    assert user.name == "Cli User" and user.role == "manager" and user.active
    assert user.password_hash.startswith("$argon2id$")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.action == "user.created",
                AuditEntry.object_id == str(user.id),
                AuditEntry.actor_type == "system",
            )
        )
        == 1
    )


def test_a_user_created_on_the_command_line_can_sign_in(runner, client):
    _create(runner)
    response = client.post("/login", data={"email": "cli.user@firm.example", "password": STRONG})
    assert response.status_code == 302


def test_users_create_refuses_a_weak_password_with_a_clear_message(runner):
    result = _create(runner, password_input="password123\npassword123\n")
    assert result.exit_code != 0
    assert "This password is among the most commonly used ones; choose another." in result.output
    assert _user("cli.user@firm.example") is None


def test_users_create_refuses_a_short_password(runner):
    result = _create(runner, password_input="pw\npw\n")
    assert result.exit_code != 0
    assert "Use at least 8 characters." in result.output
    assert _user("cli.user@firm.example") is None


def test_users_create_refuses_two_different_passwords(runner):
    result = _create(
        runner, password_input=f"{STRONG}\n{STRONG}x\n{STRONG}\n{STRONG}x\n{STRONG}\n{STRONG}x\n"
    )
    assert result.exit_code != 0
    assert _user("cli.user@firm.example") is None


def test_users_create_never_takes_the_password_as_an_option(runner):
    """A password on the command line ends up in shell history and `ps`."""
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "opt@firm.example",
            "--role",
            "manager",
            "--password",
            STRONG,
        ],
        input="",
    )
    assert result.exit_code != 0
    assert "No such option" in result.output and "--password" in result.output
    assert _user("opt@firm.example") is None


def test_users_create_refuses_a_duplicate_address(runner):
    make_user("manager", email="cli.user@firm.example")
    result = _create(runner)
    assert result.exit_code != 0
    assert "A user with this e-mail address already exists." in result.output


def test_users_create_refuses_an_invalid_address(runner):
    result = _create(runner, email="not an address")
    assert result.exit_code != 0
    assert "Error:" in result.output
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email == "not an address")
        )
        == 0
    )


def test_users_create_refuses_an_unknown_role(runner):
    result = _create(runner, role="root")
    assert result.exit_code == 2
    assert "Invalid value for '--role'" in result.output


def test_users_set_role_changes_the_role_and_ends_sessions(runner, client):
    user = make_user("manager")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.get("/").status_code == 200

    result = runner.invoke(
        args=["users", "set-role", "--email", user.email, "--role", "compliance"]
    )

    assert result.exit_code == 0, result.output
    assert f"{user.email} is now Compliance officer." in result.output
    assert _user(user.email).role == "compliance"
    assert client.get("/").status_code == 302


def test_users_disable_disables_and_ends_sessions(runner, client):
    user = make_user("manager")
    client.post("/login", data={"email": user.email, "password": PASSWORD})

    result = runner.invoke(args=["users", "disable", "--email", user.email.upper()])

    assert result.exit_code == 0, result.output
    assert f"{user.email} is disabled." in result.output
    assert not _user(user.email).active
    assert client.get("/").status_code == 302
    live = db.session.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    )
    assert live == 0


def test_users_commands_refuse_an_unknown_address(runner):
    for args in (
        ["users", "disable", "--email", "ghost@firm.example"],
        ["users", "set-role", "--email", "ghost@firm.example", "--role", "admin"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert "No user with e-mail ghost@firm.example." in result.output
