"""Alembic migrations: one head, models that match them, and a clean round trip."""

import importlib
import pkgutil
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import vendorrisk
from tests.conftest import BACKEND, pg_url
from tests.conftest import test_config as config_for
from vendorrisk import create_app
from vendorrisk.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
FOUNDATION_TABLES = {
    "users",
    "user_sessions",
    "password_reset_tokens",
    "audit_entries",
    "outbox_messages",
}


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def _import_all_models() -> None:
    """Import every `vendorrisk.<domain>.models`, so the metadata holds every table."""
    for module in pkgutil.iter_modules(vendorrisk.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"vendorrisk.{module.name}.models")
            except ModuleNotFoundError as exc:
                if exc.name != f"vendorrisk.{module.name}.models":
                    raise


def test_there_is_exactly_one_alembic_head():
    heads = _script().get_heads()
    assert len(heads) == 1, f"several heads, merge them: {heads}"


def test_every_revision_chains_back_to_the_first():
    script = _script()
    revisions = list(script.walk_revisions())
    bases = [r.revision for r in revisions if r.down_revision is None]
    assert len(bases) == 1, bases


def test_the_models_match_the_migrations_on_the_test_database(app):
    """Autogenerate finds nothing to do: every model change has its migration, and back."""
    _import_all_models()
    with app.app_context(), db.engine.connect() as connection:
        unmanaged = db.metadata.info.get("unmanaged_names", ())  # hand-made search objects
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, parents: name not in unmanaged,
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "models and migrations differ:\n" + "\n".join(
        _describe(d) for d in differences
    )


def _describe(difference) -> str:
    """Name what autogenerate found, e.g. `add_table report_jobs` or `add_column users.x`."""
    if isinstance(difference, list):  # column modifications come grouped
        return "; ".join(_describe(d) for d in difference)
    kind, *rest = difference
    names = []
    for item in rest:
        name = getattr(item, "name", None)
        table = getattr(getattr(item, "table", None), "name", None)
        if name:
            names.append(f"{table}.{name}" if table and table != name else name)
        elif isinstance(item, str):
            names.append(item)
    return f"{kind} {' '.join(names)}".strip()


def test_the_audit_triggers_exist_on_the_test_database(app):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            names = (
                connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                .scalars()
                .all()
            )
        else:
            names = (
                connection.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
                .scalars()
                .all()
            )
    assert {"audit_entries_no_update"} <= set(names)


def _round_trip(url: str) -> None:
    application = create_app(config_for(url))
    with application.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert FOUNDATION_TABLES <= tables
        assert "alembic_version" in tables

        downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()

        upgrade()
        assert FOUNDATION_TABLES <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == _script().get_current_head()
        db.engine.dispose()


def test_upgrade_downgrade_and_upgrade_again_on_a_fresh_sqlite_file(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'fresh.db'}")


@pytest.mark.skipif(BACKEND != "postgresql", reason="runs with the PostgreSQL backend")
def test_upgrade_downgrade_and_upgrade_again_on_a_fresh_postgresql_database():
    server = make_url(pg_url())
    name = f"vr_migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            _round_trip(server.set(database=name).render_as_string(hide_password=False))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
