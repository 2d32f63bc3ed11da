"""Measure the dashboard, the vendor list and the findings list on a large portfolio.

Generates 10,000 vendors and 50,000 assignments (with answers, decisions, findings and impact
signals; see tests/dashboard/bulk.py) into a scratch SQLite database, then into PostgreSQL: the
server of --pg, of TEST_DATABASE_URL, or the local one (127.0.0.1:5432), in a database of its own
named `bench`, created afresh and dropped afterwards, never the test database. An unreachable
PostgreSQL is skipped with a note.
Each page is requested through the Flask test client, signed in as a vendor manager, and its
95th-percentile time and number of SQL queries are printed:

    .venv/bin/python bench/dashboard.py [--vendors 10000] [--assignments 50000] [--runs 40]
                                        [--pg postgresql://postgres@127.0.0.1:5432/test]
                                        [--backend both|sqlite|postgresql]
                                        [--keep] [--reuse DATABASE_URL]

Prints `name p95 backend: 123 ms` and `name queries backend: 14 queries` lines. The target is a
p95 under 200 ms, the first request of a fresh process included (each page is first requested
from a new app prepared as wsgi.py prepares a server's, printed as `name first request of a
fresh process`, and that sample counts in its p95). Residual risk and scores are stored in the
database (portfolio_vendors), built once after the data is generated as `flask dashboard
refresh` does (`dashboard refresh`); after a change only the vendors concerned are computed
again (`dashboard after a change`: a finding closed through the review service before each
request). `campaign table` is the page of the campaign with the most assignments.

`--keep` keeps the generated databases; `--reuse URL` measures a kept one again, migrated to
the current head first (generating 100,000 vendors takes minutes).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench-horse-battery-staple-1"
TARGET_MS = 200
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"  # the local server, as in load.py
PAGES = (
    ("dashboard", "/"),  # a manager's own vendors first
    ("dashboard all vendors", "/?scope=all"),
    ("vendor list", "/vendors/"),
    ("vendor list by residual tier", "/vendors/?residual=1"),
    ("findings list", "/findings/?state=open"),
)


def _config(url: str) -> dict:
    return {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench-secret-key",
        "LINK_KEY": "bench-link-key-0123456789abcdef",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "OUTBOX_SEND_AFTER_REQUEST": False,
        "MAIL_TRANSPORT": "console",
    }


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@contextmanager
def _counting(engine):
    from sqlalchemy import event

    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _seed(app, vendors: int, assignments: int, reuse: bool = False) -> None:
    from flask_migrate import upgrade

    from tests.dashboard import bulk
    from vendorrisk.accounts.models import User
    from vendorrisk.accounts.passwords import hash_password
    from vendorrisk.extensions import db

    with app.app_context():
        started = time.perf_counter()
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        if reuse:
            print(f"migrations on the kept data: {time.perf_counter() - started:.1f} s", flush=True)
            _vacuum()
            return
        digest = hash_password(PASSWORD)
        owners = [
            User(
                email=f"owner{i}@bench.example",
                name=f"Owner {i}",
                role="manager",
                password_hash=digest,
            )
            for i in range(4)
        ]
        actor = User(
            email="reviewer@bench.example", name="Reviewer", role="manager", password_hash=digest
        )
        db.session.add_all([*owners, actor])
        db.session.flush()
        started = time.perf_counter()
        bulk.build(vendors, assignments, owners=owners, actor=actor)
        db.session.commit()
        _vacuum()
        print(
            f"data {vendors} vendors {assignments} assignments: "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )


def _vacuum() -> None:
    """VACUUM as autovacuum would after a load (or a migration) this size: it marks the pages
    all-visible, which the covering indexes need to answer counts without reading the table."""
    from vendorrisk.extensions import db

    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")


def measure(
    backend: str, url: str, vendors: int, assignments: int, runs: int, reuse: bool = False
) -> bool:
    """Seed one database (or, with `reuse`, bring a kept one to the current migrations), time
    every page; return whether all p95s meet the target."""
    from vendorrisk import create_app
    from vendorrisk.core.serving import prepare
    from vendorrisk.dashboard import snapshot
    from vendorrisk.extensions import db

    app = create_app(_config(url))
    _seed(app, vendors, assignments, reuse)
    client = app.test_client()
    _sign_in(client)
    with app.app_context():
        engine = db.engine
    ok = True
    # As wsgi.py does for the server: templates compiled, what the app built so far kept out
    # of full GC passes.
    prepare(app)

    # The stored portfolio state is built once after the data arrives, as a deployment does
    # with `flask dashboard refresh` (and the workers every SNAPSHOT_MAX_AGE seconds).
    with app.app_context():
        started = time.perf_counter()
        snapshot.refresh()
        print(
            f"dashboard refresh (every vendor) {backend}: {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        # The refresh wrote every row of the stored state: let the planner see it, as the
        # autovacuum daemon would within a minute of a write this size.
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE portfolio_vendors")
            connection.commit()
    campaign = _biggest_campaign(app)
    pages = (*PAGES, ("campaign table", f"/campaigns/{campaign}"))
    # The first request of a fresh process: a new app prepared as wsgi.py prepares a server's
    # (its templates compiled before any request; no pooled connection, no figure remembered),
    # signed in, then one page timed.
    fresh: dict[str, float] = {}
    for name, path in pages:
        other = create_app(_config(url))
        prepare(other)
        other_client = other.test_client()
        _sign_in(other_client)
        started = time.perf_counter()
        assert other_client.get(path).status_code == 200, path
        fresh[name] = (time.perf_counter() - started) * 1000
        print(f"{name} first request of a fresh process {backend}: {fresh[name]:.0f} ms")
        with other.app_context():
            db.engine.dispose()
    assert client.get("/").status_code == 200  # templates compiled, connections open

    # The usual case after a change: a reviewer closes a finding, then opens the dashboard;
    # only that vendor is computed again.
    after, after_queries = [], set()
    for _ in range(max(5, runs // 2)):
        _close_one_finding(app)
        with _counting(engine) as seen:
            started = time.perf_counter()
            assert client.get("/").status_code == 200
            after.append((time.perf_counter() - started) * 1000)
        after_queries.add(len(seen))
    ok &= _p95(after) < TARGET_MS
    print(f"dashboard after a change p95 {backend}: {_p95(after):.0f} ms", flush=True)
    print(
        f"dashboard after a change queries {backend}: "
        f"{'/'.join(str(q) for q in sorted(after_queries))} queries",
        flush=True,
    )

    for name, path in pages:
        client.get(path)  # warm: templates compiled
        samples, queries = [fresh[name]], set()
        for _ in range(runs):
            with _counting(engine) as seen:
                started = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries.add(len(seen))
        p95 = _p95(samples)
        ok &= p95 < TARGET_MS
        count = "/".join(str(q) for q in sorted(queries))
        print(f"{name} p95 {backend}: {p95:.0f} ms", flush=True)
        print(f"{name} queries {backend}: {count} queries", flush=True)
    with app.app_context():
        db.engine.dispose()
    return ok


def _sign_in(client) -> None:
    signed = client.post("/login", data={"email": "owner0@bench.example", "password": PASSWORD})
    assert signed.status_code == 302, signed.status_code


def _biggest_campaign(app) -> int:
    from sqlalchemy import func, select

    from vendorrisk.campaigns.models import Assignment
    from vendorrisk.extensions import db

    with app.app_context():
        return db.session.execute(
            select(Assignment.campaign_id)
            .group_by(Assignment.campaign_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()


def _close_one_finding(app) -> None:
    """Close one open finding through the review service and commit, as a reviewer would."""
    from sqlalchemy import select

    from vendorrisk.accounts.models import User
    from vendorrisk.extensions import db
    from vendorrisk.review import services as review
    from vendorrisk.review.models import OPEN, Finding

    with app.app_context():
        reviewer = db.session.scalar(select(User).where(User.email == "reviewer@bench.example"))
        finding = db.session.scalars(
            select(Finding).where(Finding.state == OPEN).order_by(Finding.id).limit(1)
        ).first()
        review.close_finding(finding, reviewer, "Fix verified (benchmark).")
        db.session.commit()


def _bench_database(server_url: str) -> str | None:
    """Create a fresh `bench` database on the given server; return its URL, or None."""
    from tests.support.load import fresh_postgres_database

    try:
        return fresh_postgres_database(
            server_url.replace("postgres://", "postgresql://", 1), "bench"
        )
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server
        print(f"note: PostgreSQL is unreachable ({type(exc).__name__}); PostgreSQL skipped")
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=10_000)
    parser.add_argument("--assignments", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=40, help="requests per page")
    parser.add_argument("--pg", help="a PostgreSQL server URL (its `bench` database is used)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the scratch SQLite file and the PostgreSQL `bench` database",
    )
    parser.add_argument(
        "--reuse",
        metavar="URL",
        help="measure a database kept by --keep (migrated to the current head, not generated)",
    )
    parser.add_argument(
        "--backend",
        choices=("both", "sqlite", "postgresql"),
        default="both",
        help="measure one database only (generating 100,000 vendors takes minutes each)",
    )
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    if args.reuse:
        ok = measure("kept", args.reuse, args.vendors, args.assignments, args.runs, reuse=True)
        print(f"target p95 under {TARGET_MS} ms: {'met' if ok else 'MISSED'}")
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="vr-bench-dashboard-"))
    ok = True
    try:
        if args.backend in ("both", "sqlite"):
            ok &= measure(
                "sqlite",
                f"sqlite:///{workdir / 'bench.db'}",
                args.vendors,
                args.assignments,
                args.runs,
            )
    finally:
        if args.keep:
            print(f"scratch database kept: {workdir / 'bench.db'}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.backend == "sqlite":
        print(f"target p95 under {TARGET_MS} ms: {'met' if ok else 'MISSED'}")
        return 0
    url = _bench_database(args.pg or os.environ.get("TEST_DATABASE_URL") or PG_SERVER)
    if url:
        from tests.support.load import drop_postgres_database

        try:
            ok &= measure("postgresql", url, args.vendors, args.assignments, args.runs)
        finally:
            if args.keep:
                print(f"PostgreSQL database kept: {url}")
            else:
                drop_postgres_database(url)
    print(f"target p95 under {TARGET_MS} ms: {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
