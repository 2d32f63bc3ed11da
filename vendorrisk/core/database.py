"""Database engine set-up: SQLite in WAL mode with a busy timeout and immediate write locks."""

from flask import Flask
from sqlalchemy import event

from vendorrisk.extensions import db


def init_app(app: Flask) -> None:
    """Configure the engine of this app once it exists."""
    db.init_app(app)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Take the write lock up front: a deferred transaction that reads and then writes
        # fails at once with SQLITE_BUSY instead of waiting for the busy timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
