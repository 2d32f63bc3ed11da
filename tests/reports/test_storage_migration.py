"""Migration 0022_storage on the run's backend: a report built before it keeps its file name and
state, gains no lease and zero attempts, and the migration goes down again cleanly."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import BACKEND, test_config
from tests.support.load import drop_postgres_database, fresh_postgres_database


@pytest.fixture
def scratch_url(database_url, tmp_path):
    if BACKEND != "postgresql":
        yield f"sqlite:///{tmp_path / 'migration.db'}"
        return
    name = f"{make_url(database_url).database}_storage_{os.getpid()}"
    url = fresh_postgres_database(database_url, name)
    yield url
    drop_postgres_database(url)


def test_existing_report_rows_keep_working_across_0022(scratch_url, tmp_path):
    from flask_migrate import downgrade, upgrade

    from vendorrisk import create_app
    from vendorrisk.extensions import db

    app = create_app(test_config(scratch_url, REPORT_FOLDER=str(tmp_path / "reports")))
    engine = create_engine(scratch_url)
    try:
        with app.app_context():
            upgrade(revision="0021_reuse")
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO users (id, email, name, role, password_hash, active, "
                        "timezone, created_at, password_changed_at) VALUES (1, 'm@firm.example', "
                        "'M', 'manager', 'x', :yes, 'UTC', :now, :now)"
                    ),
                    {"yes": True, "now": "2026-01-01 00:00:00"},
                )
                conn.execute(
                    text(
                        "INSERT INTO report_jobs (id, kind, object_id, params, document_id, state, "
                        "progress, requested_by_id, created_at, file_name) VALUES (7, "
                        "'vendor_pdf', 1, '{}', 'VR-1', 'done', 100, 1, :now, "
                        "'000007-0123456789abcdef0123.pdf')"
                    ),
                    {"now": "2026-01-01 00:00:00"},
                )
            upgrade(revision="0022_storage")
            with engine.connect() as conn:
                row = conn.execute(
                    text(
                        "SELECT state, file_name, attempts, lease_owner, lease_until "
                        "FROM report_jobs WHERE id = 7"
                    )
                ).one()
            assert tuple(row) == ("done", "000007-0123456789abcdef0123.pdf", 0, None, None)

            from vendorrisk.reports import jobs

            with app.test_request_context():
                # The stored name is still a valid key of the store's reports area.
                assert jobs.path_of(row.file_name).name == row.file_name
            downgrade(revision="0021_reuse")
            columns = {c["name"] for c in inspect(engine).get_columns("report_jobs")}
            assert not {"attempts", "lease_owner", "lease_until"} & columns
            db.session.remove()
            db.engine.dispose()
    finally:
        engine.dispose()
