"""A command run on a database not set up, or not reachable, says so in one line and exits 1."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from tests.support.scratch import app_environment, run_flask
from vendorrisk.core.cli_errors import explain


class _PgError(Exception):
    def __init__(self, text: str, sqlstate: str) -> None:
        super().__init__(text)
        self.sqlstate = sqlstate


def test_a_missing_table_asks_for_the_upgrade_on_either_database():
    sqlite = OperationalError("SELECT 1", {}, Exception("no such table: outbox_messages"))
    postgres = ProgrammingError(
        "SELECT 1", {}, _PgError('relation "outbox_messages" does not exist', "42P01")
    )
    for error in (sqlite, postgres):
        message = explain(error)
        assert message is not None and "outbox_messages" in message
        assert "flask --app vendorrisk db upgrade" in message


def test_a_missing_column_says_the_database_is_older():
    error = OperationalError("SELECT 1", {}, Exception("no such column: assignments.due_at"))
    assert "older than this release" in (explain(error) or "")


def test_an_unreachable_database_names_the_setting_to_check():
    refused = OperationalError(
        "connect", {}, _PgError("connection failed: Connection refused", "08001")
    )
    assert "DATABASE_URL" in (explain(refused) or "")


def test_other_errors_keep_their_traceback():
    assert explain(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))) is None
    assert explain(ValueError("no such table: but not from the database")) is None


def test_a_command_on_a_database_never_migrated_says_what_to_run(tmp_path):
    done = run_flask(["dashboard", "refresh"], app_environment(tmp_path))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: the database is not set up for this release")
    assert "flask --app vendorrisk db upgrade" in done.stderr
