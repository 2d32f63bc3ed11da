"""The environment of a child process that starts the app the way a deployment does (from the
environment, not the test configuration), on a scratch SQLite database and instance folder."""

import os
from pathlib import Path


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
