"""Measure how long the commands cron runs take to start: each is a fresh `flask` process.

A scratch SQLite database is migrated and given one user (not timed); then each command runs
`--runs` times and the fastest run is kept (the others wait for a CPU on a busy machine).

Run alone: .venv/bin/python bench/cli.py [--runs 5]
Prints `name: value unit` lines, e.g. `cli help seconds: 0.41 s`, wall clock and CPU time (the
CPU time is what a quiet machine would take; the wall clock includes waiting for a CPU).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess  # nosec B404 - the benchmark runs our own command line
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLASK = [sys.executable, "-m", "flask", "--app", "vendorrisk"]
TEMPLATE = ROOT / "questionnaires" / "mimecast-certificate-compromise-2021.yaml"
EMAIL = "bench-cli@example.com"


def run(args: list[str], env: dict, stdin: str | None = None) -> tuple[float, float]:
    """Run one command to completion; return its wall-clock and CPU seconds; fail loudly."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - fixed arguments
        FLASK + args, env=env, cwd=ROOT, input=stdin, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(
            os.environ,
            DATABASE_URL=f"sqlite:///{scratch}/bench.db",
            SECRET_KEY="bench-cli-secret",  # noqa: S105 - a scratch database
            LINK_KEY="bench-cli-link-key",
            MAIL_TRANSPORT="console",
        )
        # Byte-code is cached as it is on a server; without it every start compiles the app.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("REDIS_URL", None)
        run(["db", "upgrade"], env)
        run(["users", "create", "--email", EMAIL, "--role", "admin"], env, "bench-password-1\n" * 2)
        commands = {
            "cli help": ["--help"],
            "outbox send": ["outbox", "send"],
            "questionnaires validate": ["questionnaires", "validate", str(TEMPLATE)],
            "users token": ["users", "token", "--email", EMAIL, "--name", "bench"],
        }
        for name, args in commands.items():
            runs = [run(args, env) for _ in range(options.runs)]
            print(f"{name} seconds: {min(wall for wall, _ in runs):.2f} s")
            print(f"{name} cpu seconds: {min(cpu for _, cpu in runs):.2f} s")
    load = os.getloadavg()[0]
    print(f"load average (1 min): {load:.2f}")


if __name__ == "__main__":
    main()
