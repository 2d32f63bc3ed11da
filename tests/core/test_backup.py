"""`flask backup` / `flask restore`: a consistent snapshot taken while the app writes, restored
into an empty instance with every row and every file hash intact."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import threading
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import BACKEND, pg_url, test_config
from vendorrisk import create_app
from vendorrisk.accounts.models import User
from vendorrisk.audit.models import AuditEntry
from vendorrisk.core import storage
from vendorrisk.extensions import db


def _new_app(tmp_path: Path, name: str, *, migrate: bool = True, url: str | None = None):
    uploads = tmp_path / f"{name}-uploads"
    app = create_app(
        test_config(url or f"sqlite:///{tmp_path / f'{name}.db'}", UPLOAD_FOLDER=str(uploads))
    )
    if migrate:
        with app.app_context():
            upgrade(revision="heads")
    return app


def _seed(app, users: int = 3, files: int = 4) -> None:
    with app.app_context():
        for n in range(users):
            db.session.add(
                User(
                    email=f"user{n}@firm.example",
                    name=f"User {n}",
                    role="manager",
                    password_hash="x",
                    active=True,
                )
            )
        db.session.add(AuditEntry(actor_type="system", action="seed", details={"n": 1}))
        db.session.commit()
        for n in range(files):
            body = f"evidence {n}\n".encode() * (n + 1)
            storage.save(io.BytesIO(body), f"evidence-{n}.txt", max_bytes=1024 * 1024)


class Writer(threading.Thread):
    """Keeps committing audit entries and users through a second app on the same database.

    `written` counts commits that returned, so a count read by the test is always on disk.
    """

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app = app
        self.stop = threading.Event()
        self.written = 0
        self.error: BaseException | None = None
        self._progress = threading.Condition()

    def run(self):
        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    n = self.written + 1
                    db.session.add(
                        AuditEntry(actor_type="system", action="writer.tick", details={"n": n})
                    )
                    if n % 5 == 0:
                        db.session.add(
                            User(
                                email=f"w{n}@firm.example",
                                name="W",
                                role="manager",
                                password_hash="x",
                                active=True,
                            )
                        )
                    db.session.commit()
                    with self._progress:
                        self.written = n
                        self._progress.notify_all()
                db.session.remove()
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            with self._progress:
                self._progress.notify_all()

    def wait_for(self, count: int, timeout: float = 60) -> None:
        """Block until `count` writes are committed (or the writer died)."""
        with self._progress:
            self._progress.wait_for(
                lambda: self.written >= count or self.error is not None, timeout=timeout
            )


def _rows(path: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
    finally:
        conn.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _backup_while_writing(source, tmp_path: Path, target: Path):
    writer = Writer(_new_app(tmp_path, "source", migrate=False))
    writer.start()
    try:
        writer.wait_for(20)
        result = source.test_cli_runner().invoke(args=["backup", str(target)])
        # Writes counted now were committed before the backup returned; ten more must
        # follow, so the live table ends up strictly ahead of the snapshot.
        writer.wait_for(writer.written + 10)
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert "backup written to" in result.output
    return writer


@pytest.mark.parametrize("kind", ["dir", "tar.gz"])
def test_backup_while_writing_then_restore_into_empty_instance(tmp_path, kind):
    source = _new_app(tmp_path, "source")
    _seed(source)
    target = tmp_path / ("backup" if kind == "dir" else "backup.tar.gz")
    writer = _backup_while_writing(source, tmp_path, target)

    if kind == "dir":
        unpacked = target
    else:
        unpacked = tmp_path / "unpacked"
        with tarfile.open(target) as tar:
            tar.extractall(unpacked, filter="data")
    manifest = json.loads((unpacked / "manifest.json").read_text())
    snapshot = unpacked / "database.sqlite3"
    assert manifest["backend"] == "sqlite"
    assert manifest["created_at"].endswith("Z")
    with source.app_context():
        head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        live_audit = db.session.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()
    assert manifest["alembic_revision"] == head
    # The snapshot is one consistent moment: counts match its own rows, and the writer kept
    # going around it.
    for table, count in manifest["tables"].items():
        assert len(_rows(snapshot, table)) == count, table
    assert 20 < manifest["tables"]["audit_entries"] < live_audit
    assert manifest["tables"]["users"] >= 3
    assert writer.written > 30
    uploads = sorted(n for n in manifest["files"] if n.startswith("uploads/"))
    assert len(uploads) == 4
    for name, digest in manifest["files"].items():
        assert _sha(unpacked / name) == digest

    restored = _new_app(tmp_path, "restored")  # migrated, but no rows
    result = restored.test_cli_runner().invoke(args=["restore", str(target)])
    assert result.exit_code == 0, result.output
    assert "restored sqlite database" in result.output

    restored_db = tmp_path / "restored.db"
    for table in manifest["tables"]:
        assert _rows(restored_db, table) == _rows(snapshot, table), table
    restored_uploads = tmp_path / "restored-uploads"
    for name in uploads:
        file = restored_uploads / Path(name).name
        assert _sha(file) == manifest["files"][name]
    assert sorted(p.name for p in restored_uploads.iterdir()) == sorted(
        Path(n).name for n in uploads
    )
    with restored.app_context():  # the restored app works on the restored data
        assert db.session.query(User).filter_by(email="user0@firm.example").one()
        assert storage.path_of(Path(uploads[0]).name).read_bytes()
    with restored.app_context():
        db.session.remove()
        db.engine.dispose()
    with source.app_context():
        db.session.remove()
        db.engine.dispose()


def test_restore_into_fresh_unmigrated_file(tmp_path):
    source = _new_app(tmp_path, "source")
    _seed(source, users=1, files=1)
    assert source.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    fresh = _new_app(tmp_path, "fresh", migrate=False)
    result = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert _rows(tmp_path / "fresh.db", "users") == _rows(tmp_path / "source.db", "users")


def test_restore_refuses_a_database_with_users(tmp_path):
    source = _new_app(tmp_path, "source")
    _seed(source, users=1, files=1)
    runner = source.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    before = _rows(tmp_path / "source.db", "users")
    result = runner.invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "not empty" in result.output and "1 user" in result.output
    assert _rows(tmp_path / "source.db", "users") == before


def test_restore_refuses_a_damaged_backup(tmp_path):
    source = _new_app(tmp_path, "source")
    _seed(source, users=1, files=2)
    assert source.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    victim = sorted((tmp_path / "b" / "uploads").iterdir())[0]
    victim.write_bytes(victim.read_bytes() + b"tampered")
    fresh = _new_app(tmp_path, "fresh")
    result = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "does not match its SHA-256" in result.output
    assert _rows(tmp_path / "fresh.db", "users") == []
    assert not list((tmp_path / "fresh-uploads").glob("*"))


def test_backup_refuses_an_existing_destination_and_missing_backup(tmp_path):
    source = _new_app(tmp_path, "source", migrate=True)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x")
    runner = source.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "taken")])
    assert result.exit_code == 1 and "already exists" in result.output
    result = runner.invoke(args=["restore", str(tmp_path / "nowhere.tar.gz")])
    assert result.exit_code == 1 and "does not exist" in result.output


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
@pytest.mark.skipif(
    BACKEND != "postgresql" or not os.environ.get("TEST_DATABASE_URL"),
    reason="runs with the PostgreSQL backend (TEST_DATABASE_URL)",
)
def test_postgresql_backup_and_restore(tmp_path):
    base = make_url(pg_url())
    names = [f"vr_backup_{uuid.uuid4().hex[:10]}", f"vr_restore_{uuid.uuid4().hex[:10]}"]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        urls = [base.set(database=name).render_as_string(hide_password=False) for name in names]
        source = _new_app(tmp_path, "pgsource", url=urls[0])
        _seed(source, users=2, files=2)
        backup = tmp_path / "pg.tar.gz"
        result = source.test_cli_runner().invoke(args=["backup", str(backup)])
        assert result.exit_code == 0, result.output
        target = _new_app(tmp_path, "pgtarget", url=urls[1])
        result = target.test_cli_runner().invoke(args=["restore", str(backup)])
        assert result.exit_code == 0, result.output
        again = source.test_cli_runner().invoke(args=["restore", str(backup)])
        assert again.exit_code == 1 and "not empty" in again.output
        for app in (source, target):
            with app.app_context():
                emails = sorted(db.session.execute(text("SELECT email FROM users")).scalars())
                audit = db.session.execute(text("SELECT count(*) FROM audit_entries")).scalar()
                db.session.remove()
                db.engine.dispose()
            assert emails == ["user0@firm.example", "user1@firm.example"] and audit == 1
        assert sorted(p.name for p in (tmp_path / "pgtarget-uploads").iterdir()) == sorted(
            p.name for p in (tmp_path / "pgsource-uploads").iterdir()
        )
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
