"""`flask --help` lists the commands without setting the app up; anything else finishes it first."""

import json
import threading
from pathlib import Path

import pytest

from tests.support.scratch import app_environment, run_flask, run_python
from vendorrisk import create_app
from vendorrisk.core.deferred import COMMANDS, DeferredFlask, _StandIn

LIST_COMMANDS = """
import json, sys
from flask.cli import main
sys.argv = ["flask", "--app", "vendorrisk", "--help"]
try:
    main()
except SystemExit:
    pass
watched = ("vendorrisk", "sqlalchemy", "flask_sqlalchemy", "alembic", "wtforms", "jinja2.ext")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in watched)))
"""


def _cli_env(tmp_path: Path) -> dict:
    return app_environment(tmp_path, MAIL_TRANSPORT="console")


def test_listing_the_commands_imports_none_of_the_app(tmp_path):
    """`flask --help` loads the app's factory and its command list, not SQLAlchemy or views."""
    done = run_python(LIST_COMMANDS, _cli_env(tmp_path))
    assert done.returncode == 0, done.stderr
    *help_lines, loaded = done.stdout.strip().splitlines()
    assert json.loads(loaded) == [
        "vendorrisk",
        "vendorrisk.config",
        "vendorrisk.core",
        "vendorrisk.core.cli_errors",
        "vendorrisk.core.deferred",
    ]
    listed = {line.split()[0] for line in help_lines if line.startswith("  ") and line.split()}
    assert set(COMMANDS) <= listed


def test_the_stand_ins_read_as_the_real_commands(app):
    """Each stand-in's help, shortened to any width, is what the real command shows."""
    assert set(app.cli.commands) == set(COMMANDS)
    deferred = DeferredFlask(__name__)
    for name, help_text in COMMANDS.items():
        real, stand_in = app.cli.commands[name], _StandIn(deferred, name, help_text)
        for limit in (30, 45, 64, 120):
            assert stand_in.get_short_help_str(limit) == real.get_short_help_str(limit), name


def test_a_listed_command_runs_the_real_one(tmp_path):
    """Through the command line, the stand-ins run the real commands on the finished app."""
    env = _cli_env(tmp_path)
    upgraded = run_flask(["db", "upgrade"], env)
    assert upgraded.returncode == 0, upgraded.stderr
    current = run_flask(["db", "current"], env)
    assert "(head)" in current.stdout, current.stderr
    sent = run_flask(["outbox", "send"], env)
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.startswith("sent 0, waiting to retry 0, failed 0")
    group_help = run_flask(["users", "--help"], env)
    assert "Create a user" in group_help.stdout
    unknown = run_flask(["no-such-command"], env)
    assert unknown.returncode == 2
    assert "No such command" in unknown.stderr


@pytest.fixture
def deferred_app(tmp_path, monkeypatch):
    """An app made the way the `flask` command line makes it (no settings, the CLI's flag)."""
    for name, value in _cli_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    application = create_app()
    assert isinstance(application, DeferredFlask)
    return application


def test_a_request_finishes_the_set_up_first(deferred_app):
    """The first request (here the health check) finds every route registered."""
    assert deferred_app._setup is not None
    response = deferred_app.test_client().get("/login")
    assert response.status_code == 200
    assert deferred_app._setup is None
    assert "portal.landing" in {rule.endpoint for rule in deferred_app.url_map.iter_rules()}


def test_the_set_up_runs_once_whatever_the_threads(deferred_app):
    """Threads that all need the app at once wait for one set-up; none sees half of it."""
    calls = []
    setup = deferred_app._setup

    def counted(app):
        calls.append(threading.get_ident())
        setup(app)

    deferred_app._setup = counted
    start = threading.Barrier(6)
    seen: list[int] = []

    def need_the_app() -> None:
        start.wait()
        seen.append(len(list(deferred_app.url_map.iter_rules())))

    threads = [threading.Thread(target=need_the_app) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(set(seen)) == 1
    assert seen[0] > 100
    assert "sqlalchemy" in deferred_app.extensions
