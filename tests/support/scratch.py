"""The environment of a child process that starts the app the way a deployment does (from the
environment, not the test configuration), on a scratch SQLite database and instance folder."""

import os
import subprocess  # nosec B404 - runs our own interpreter on fixed arguments
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def app_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Return this process's environment with a scratch database, instance folder and keys, and
    without what would change how the app starts (the CLI's flag, Redis, FLASK_APP)."""
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path / 'scratch.db'}",
        SECRET_KEY="scratch-secret",  # noqa: S106 - a scratch database
        LINK_KEY="scratch-link-key",
        VENDORRISK_INSTANCE_PATH=str(tmp_path / "instance"),
        **extra,
    )
    for name in ("FLASK_RUN_FROM_CLI", "REDIS_URL", "FLASK_APP"):
        env.pop(name, None)
    return env


def run_python(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run `script` in a fresh interpreter from the repository root; return what it did."""
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def run_flask(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run `flask --app vendorrisk ARGS` in a fresh process, as cron or an operator would."""
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "flask", "--app", "vendorrisk", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
