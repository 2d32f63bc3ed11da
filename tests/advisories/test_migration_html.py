"""Migration 0014_advisory_html fills in the HTML of the advisories and updates already there,
and leaves advisory_updates append-only."""

import uuid

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from tests.conftest import BACKEND, pg_url
from tests.conftest import test_config as config_for
from vendorrisk import create_app
from vendorrisk.extensions import db

ADVISORY = """INSERT INTO advisories (id, slug, title, publisher, published_on, severity, status,
    summary, body, key_dates, actions, reference_links, templates, source, content_hash,
    search_document, created_at, updated_at)
    VALUES (1, 'old', 'Old', 'Us', '2021-01-12', 'high', 'active', 'A *short* summary.',
    :body, '[]', '[]', '[]', '[]', 'app', 'x', '', '2021-01-12 00:00:00',
    '2021-01-12 00:00:00')"""
UPDATE = """INSERT INTO advisory_updates (id, advisory_id, number, published_on, title, body,
    key_dates, actions, affected_questions, source, content_hash, created_at)
    VALUES (1, 1, 1, '2021-01-26', 'More', '**Reset** them.', '[]', '[]', '[]', 'app', 'y',
    '2021-01-26 00:00:00')"""


def _backfill(url: str) -> None:
    application = create_app(config_for(url))
    with application.app_context():
        upgrade(revision="0011_intake")
        with db.engine.begin() as connection:
            connection.execute(text(ADVISORY), {"body": "[a](" * 3000})
            connection.execute(text(UPDATE))
        upgrade(revision="0014_advisory_html")
        with db.engine.connect() as connection:
            summary, body = connection.execute(
                text("SELECT summary_html, body_html FROM advisories")
            ).one()
            update = connection.execute(text("SELECT body_html FROM advisory_updates")).scalar()
        assert summary == "<p>A <em>short</em> summary.</p>"
        assert body == "<p>" + "[a](" * 3000 + "</p>"  # too costly: kept as plain text
        assert update == "<p><strong>Reset</strong> them.</p>"
        with pytest.raises(DatabaseError, match="append-only"):
            with db.engine.begin() as connection:
                connection.execute(text("UPDATE advisory_updates SET title = 'Changed'"))
        db.session.remove()
        db.engine.dispose()


def test_the_back_fill_on_sqlite(tmp_path):
    _backfill(f"sqlite:///{tmp_path / 'backfill.db'}")


@pytest.mark.skipif(BACKEND != "postgresql", reason="runs with the PostgreSQL backend")
def test_the_back_fill_on_postgresql():
    server = make_url(pg_url())
    name = f"vr_backfill_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            _backfill(server.set(database=name).render_as_string(hide_password=False))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
