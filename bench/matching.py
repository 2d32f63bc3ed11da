"""Measure matching: the exposure of one advisory across a large portfolio of SBOMs.

One advisory names 50 products (each a purl with a `vers:npm` range of affected versions and a
fixed version); 10,000 vendors each have one current SBOM of 20 components (200,000 component
rows) drawn from 1,000 libraries, so about one vendor in three has a component the advisory
names. The exposure of every vendor (`advisories.exposure.vendor_rows`: VEX, SBOM, catalogue
and people's records, with the rule that decided each) is computed on a scratch SQLite
database, then on PostgreSQL: the server of --pg, of TEST_DATABASE_URL, or the local one
(127.0.0.1:5432), in a database of its own named `bench`, created afresh and dropped afterwards.
An unreachable PostgreSQL is skipped with a note.

    .venv/bin/python bench/matching.py [--vendors 10000] [--components 20] [--runs 5]
                                       [--pg postgresql://postgres@127.0.0.1:5432/test]

Prints `matching seconds <backend>: N s` (median of the runs) and `matching queries <backend>:
N queries` per database, then `matching seconds: N s`, the slower of the two. Goal: under 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_S = 1.0
PRODUCTS = 50
LIBRARIES = 1000
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def _config(url: str) -> dict:
    return {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench-secret-key",
        "LINK_KEY": "bench-link-key-0123456789abcdef",
        "OUTBOX_SEND_AFTER_REQUEST": False,
        "MAIL_TRANSPORT": "console",
    }


def _seed(app, vendors: int, components: int) -> str:
    """Build the advisory, the vendors and their SBOMs; return the advisory's slug."""
    from flask_migrate import upgrade

    from tests.advisories.helpers import document
    from tests.dashboard.bulk import _insert
    from vendorrisk.advisories import services
    from vendorrisk.advisories.models import SOURCE_APP
    from vendorrisk.extensions import db
    from vendorrisk.intake.models import Sbom, SbomComponent
    from vendorrisk.vendors import catalogue
    from vendorrisk.vendors.identifiers import parse_purl
    from vendorrisk.vendors.models import Vendor

    rng = random.Random(7)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
        started = time.perf_counter()
        products = []
        for i in range(PRODUCTS):
            product = catalogue.create_product({"supplier": "Bench", "name": f"bench-lib-{i}"})
            catalogue.add_identifier(product, parse_purl(f"pkg:npm/bench-lib-{i}"))
            products.append(product)
        advisory, _ = services.save_document(
            None,
            document(slug="bench-matching", title="Bench matching", templates=[], actions=[]),
            [services.ProductChoice(p) for p in products],
            source=SOURCE_APP,
        )
        for i, row in enumerate(advisory.products):
            minor = 2 + i % 7
            row.ranges = [
                {"status": "affected", "vers": f"vers:npm/>=1.0.0|<1.{minor}.0"},
                {"status": "fixed", "version": f"1.{minor}.0"},
            ]
            row.identifiers = [
                {
                    "kind": "purl",
                    "value": f"pkg:npm/bench-lib-{i}",
                    "key": f"pkg:npm/bench-lib-{i}",
                    "scheme": "npm",
                }
            ]
            row.matched_by = "purl"
        now = datetime.now(UTC)
        vendor_ids = _insert(
            Vendor,
            [
                {
                    "name": f"SBOM vendor {n:05d}",
                    "name_key": f"sbom vendor {n:05d}",
                    "criticality": "high",
                    "data_access": "confidential",
                    "risk_tier": 2,
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(vendors)
            ],
        )
        sbom_ids = _insert(
            Sbom,
            [
                {
                    "vendor_id": vendor_id,
                    "subject": "Platform",
                    "subject_key": "platform",
                    "filename": "platform.cdx.json",
                    "sha256": "0" * 64,
                    "spec_version": "1.5",
                    "sbom_date": datetime(2099, 1, 1, tzinfo=UTC),
                    "component_count": components,
                    "uploaded_at": now,
                }
                for vendor_id in vendor_ids
            ],
        )
        rows = []
        for vendor_id, sbom_id in zip(vendor_ids, sbom_ids, strict=True):
            for library in rng.sample(range(LIBRARIES), components):
                version = f"1.{rng.randrange(10)}.{rng.randrange(5)}"
                key = f"pkg:npm/bench-lib-{library}"
                rows.append(
                    {
                        "sbom_id": sbom_id,
                        "vendor_id": vendor_id,
                        "name": f"bench-lib-{library}",
                        "version": version,
                        "purl": f"{key}@{version}",
                        "purl_key": key,
                        "scheme": "npm",
                    }
                )
        for start in range(0, len(rows), 20_000):
            _insert(SbomComponent, rows[start : start + 20_000])
        db.session.commit()
        with db.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        print(
            f"data {vendors} vendors {len(rows)} components: {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        return advisory.slug


def measure(backend: str, url: str, vendors: int, components: int, runs: int) -> float:
    """Seed one database and time the exposure of the advisory; return the median seconds."""
    from sqlalchemy import event, select

    from vendorrisk import create_app
    from vendorrisk.advisories import exposure
    from vendorrisk.advisories.models import Advisory
    from vendorrisk.extensions import db

    app = create_app(_config(url))
    slug = _seed(app, vendors, components)
    samples, queries, matched = [], set(), 0
    with app.app_context():
        for run in range(runs + 1):
            db.session.expire_all()
            seen: list[str] = []

            def listener(conn, cursor, statement, parameters, context, executemany):
                seen.append(statement)  # noqa: B023 - the list of this run

            event.listen(db.engine, "before_cursor_execute", listener)
            started = time.perf_counter()
            advisory = db.session.scalar(select(Advisory).where(Advisory.slug == slug))
            rows = exposure.vendor_rows(advisory)
            elapsed = time.perf_counter() - started
            event.remove(db.engine, "before_cursor_execute", listener)
            if run:  # the first run warms caches and connections
                samples.append(elapsed)
                queries.add(len(seen))
            matched = len(rows)
        affected = sum(1 for r in rows if r.result.outcome == "affected")
        db.session.remove()
        db.engine.dispose()
    median = statistics.median(samples)
    print(f"matched vendors {backend}: {matched} vendors ({affected} affected)", flush=True)
    print(f"matching seconds {backend}: {median:.2f} s", flush=True)
    print(f"matching queries {backend}: {'/'.join(map(str, sorted(queries)))} queries", flush=True)
    return median


def _bench_database(server_url: str) -> str | None:
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
    parser.add_argument("--components", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", help="a PostgreSQL server URL (its `bench` database is used)")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    results = []
    workdir = Path(tempfile.mkdtemp(prefix="vr-bench-matching-"))
    try:
        results.append(
            measure(
                "sqlite",
                f"sqlite:///{workdir / 'bench.db'}",
                args.vendors,
                args.components,
                args.runs,
            )
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    url = _bench_database(args.pg or os.environ.get("TEST_DATABASE_URL") or PG_SERVER)
    if url:
        from tests.support.load import drop_postgres_database

        try:
            results.append(measure("postgresql", url, args.vendors, args.components, args.runs))
        finally:
            drop_postgres_database(url)
    worst = max(results)
    print(f"matching seconds: {worst:.2f} s")
    print(f"target under {TARGET_S:.0f} s: {'met' if worst < TARGET_S else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
