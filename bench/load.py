"""Fifty vendors autosaving and submitting at once against gunicorn with four workers, first on
SQLite (a file in a temporary folder), then on PostgreSQL (database `load_bench`, re-created).

    .venv/bin/python bench/load.py [--seconds N] [--vendors V] [--workers W]

The duration also comes from LOAD_SECONDS (default 60); LOAD_PG_URL names the PostgreSQL server
(default postgresql://postgres@127.0.0.1:5432/postgres). Unreachable PostgreSQL is skipped with
a note, unless CI=true. The load itself is tests/support/load.py: each vendor opens its link,
reads section pages, autosaves with the page's version as the portal's script does, handles 409
conflicts the same way and submits with an attestation; then it helps on colleagues' open
questionnaires. Afterwards every acknowledged save is compared with the database.

Prints `name: value unit` lines; exits 1 on any 5xx, "database is locked" in the server log or
acknowledged save the database does not hold.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import load  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "load_bench"


def one(backend: str, url: str, workdir: Path, args) -> bool:
    report = load.run(
        url,
        workdir,
        backend=backend,
        vendors=args.vendors,
        workers=args.workers,
        seconds=args.seconds,
    )
    for line in report.lines():
        print(line, flush=True)
    if not report.ok:
        print(f"load {backend} problems:\n{report.problems()}", file=sys.stderr)
    return report.ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", 60)))
    parser.add_argument("--vendors", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    in_ci = os.environ.get("CI", "").lower() == "true"
    os.environ.pop("DATABASE_URL", None)  # the server gets its own below

    ok = True
    workdir = Path(tempfile.mkdtemp(prefix="vr-bench-load-"))
    try:
        (workdir / "sqlite").mkdir()
        ok &= one("sqlite", f"sqlite:///{workdir / 'sqlite' / 'load.db'}", workdir / "sqlite", args)

        try:
            pg_url = load.fresh_postgres_database(
                os.environ.get("LOAD_PG_URL", PG_SERVER), PG_DATABASE
            )
        except Exception as exc:  # noqa: BLE001 - any failure to reach the server
            if in_ci:
                print(f"load postgresql: unreachable in CI: {exc}", file=sys.stderr)
                return 1
            print(f"load postgresql: skipped, PostgreSQL is unreachable ({type(exc).__name__})")
        else:
            (workdir / "postgresql").mkdir()
            try:
                ok &= one("postgresql", pg_url, workdir / "postgresql", args)
            finally:
                load.drop_postgres_database(pg_url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
