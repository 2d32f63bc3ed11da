"""Connection settings the app gives each database."""

import pytest
from sqlalchemy import text

from tests.conftest import BACKEND
from vendorrisk.config import build_config


def test_postgresql_connections_are_made_without_jit_compilation(tmp_path, monkeypatch):
    """At a hundred thousand vendors some cost estimates pass PostgreSQL's JIT thresholds, and
    compiling cost 200 ms for a query that ran in 1 ms; the app's connections turn it off, and
    keep the options they had."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://vendorrisk@db.example/vendorrisk")
    options = build_config(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["connect_args"] == {"options": "-c jit=off"}
    assert options["pool_pre_ping"] is True
    monkeypatch.delenv("DATABASE_URL")
    sqlite = build_config(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert "options" not in sqlite["connect_args"]


@pytest.mark.skipif(BACKEND != "postgresql", reason="runs with the PostgreSQL backend")
def test_the_test_databases_connections_have_jit_off(db_session):
    assert db_session.execute(text("SHOW jit")).scalar_one() == "off"
