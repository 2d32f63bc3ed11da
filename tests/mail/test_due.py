"""An idle `flask outbox send` asks the database one question and sets nothing else up."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask_migrate import upgrade

from tests.conftest import test_config
from tests.support.scratch import app_environment, run_flask, run_python
from vendorrisk import create_app
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import due, services
from vendorrisk.mail.models import FAILED, SENT, OutboxMessage


def test_the_check_reads_the_columns_as_the_model_declares_them():
    model = OutboxMessage.__table__
    assert due.OUTBOX.name == model.name
    for column in due.OUTBOX.columns:
        declared = model.c[column.name]
        assert type(column.type) is type(declared.type), column.name
        assert column.primary_key == declared.primary_key


@pytest.fixture
def scratch_app(tmp_path):
    """An app on a database of its own: the check opens its own connection, so rows must be
    committed for it to see them."""
    application = create_app(test_config(f"sqlite:///{tmp_path / 'outbox.db'}"))
    with application.app_context():
        upgrade(revision="heads")
        yield application
        db.session.remove()
        db.engine.dispose()


def _queue(**fields) -> OutboxMessage:
    message = services.queue(
        "password_reset", "due@vendor.example", "A message", user_name="Sam", expires_minutes=60
    )
    for name, value in fields.items():
        setattr(message, name, value)
    db.session.commit()
    return message


def test_nothing_due_until_a_message_is_due_now(scratch_app):
    assert due.nothing_due(scratch_app.config)
    now = utcnow()
    _queue(next_attempt_at=now + timedelta(minutes=5))
    _queue(state=SENT)
    _queue(state=FAILED)
    _queue(lease_owner="another-sender", lease_until=now + timedelta(minutes=2))
    assert due.nothing_due(scratch_app.config)
    _queue(lease_owner="crashed-sender", lease_until=now - timedelta(seconds=1))
    assert not due.nothing_due(scratch_app.config)


def test_a_database_it_cannot_read_is_not_called_empty(tmp_path):
    config = test_config(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    assert not due.nothing_due(config)  # no outbox table: the sender runs and says what is wrong
    assert not due.nothing_due({"SQLALCHEMY_DATABASE_URI": "nosuchdialect://x"})


RUN_SEND = """
import json, sys
from flask.cli import main
sys.argv = ["flask", "--app", "vendorrisk", "outbox", "send"]
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.startswith("vendorrisk"))}))
"""

QUEUE_ONE = """
import sqlite3, sys
from datetime import UTC, datetime
connection = sqlite3.connect(sys.argv[1])
now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as the app stores UTC times
connection.execute(
    "INSERT INTO outbox_messages (message_id, template, recipient, subject, body_text, state,"
    " attempts, next_attempt_at, created_at) VALUES (?, 'password_reset', ?, 'Hello', 'Body',"
    " 'queued', 0, ?, ?)",
    ("<one@vendorrisk.test>", "cron@vendor.example", now, now),
)
connection.commit()
"""


def test_an_idle_run_sets_nothing_up_and_a_run_with_mail_sends_it(tmp_path):
    env = app_environment(tmp_path, MAIL_TRANSPORT="console")
    migrated = run_flask(["db", "upgrade"], env)
    assert migrated.returncode == 0, migrated.stderr

    idle = run_python(RUN_SEND, env)
    assert idle.stdout.startswith("sent 0, waiting to retry 0, failed 0"), idle.stderr
    report = json.loads(idle.stdout.strip().splitlines()[-1])
    assert report["code"] in (0, None)
    assert "vendorrisk.mail.due" in report["modules"]
    for heavy in ("vendorrisk.mail.services", "vendorrisk.mail.models", "vendorrisk.portal"):
        assert heavy not in report["modules"]

    queued = run_python(QUEUE_ONE, env, str(tmp_path / "scratch.db"))
    assert queued.returncode == 0, queued.stderr
    busy = run_python(RUN_SEND, env)
    assert "--- e-mail to cron@vendor.example: Hello" in busy.stdout, busy.stderr
    assert "\nsent 1, waiting to retry 0, failed 0\n" in busy.stdout
    assert "vendorrisk.mail.services" in json.loads(busy.stdout.strip().splitlines()[-1])["modules"]
    again = run_python(RUN_SEND, env)
    assert again.stdout.startswith("sent 0, waiting to retry 0, failed 0"), again.stderr
