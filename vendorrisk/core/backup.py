"""Backups and restores: a consistent database snapshot, the evidence files and a manifest.

A backup is a directory (or the same directory packed as a .tar.gz) holding:

    manifest.json        created_at (UTC), backend, alembic revision, row counts, SHA-256 of
                         every other file in the backup
    database.sqlite3     SQLite: a copy made with the online backup API, or
    database.pgdump      PostgreSQL: `pg_dump --format=custom`
    uploads/<name>       the evidence files

Both are taken while the app keeps running. The row counts and the revision are read from the
same snapshot as the database copy (SQLite: the copy itself; PostgreSQL: an exported snapshot
that pg_dump then uses). Evidence files are copied after the database: a file is stored before
the row that names it is committed, so every file the snapshot refers to is in the backup.

A restore goes into an empty instance only (no rows in `users`), after every hash in the
manifest has been checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # runs pg_dump / pg_restore, argument lists, no shell
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection

from vendorrisk.core import blobs, storage
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
UPLOADS = "uploads"
CHUNK = 1024 * 1024
PG_TIMEOUT = 6 * 3600


class BackupError(Exception):
    """A backup or restore that cannot go on, with a message for the operator."""


@dataclass(frozen=True)
class RestoreReport:
    """What a restore put back."""

    backend: str
    revision: str | None
    tables: dict[str, int]
    files: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _backend(app: Flask) -> str:
    name = db.engine.url.get_backend_name()
    if name in ("sqlite", "postgresql"):
        return name
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")


def _sqlite_path(app: Flask) -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("The SQLite database is in memory; there is nothing to back up.")
    return Path(database)


def _libpq_url_and_env() -> tuple[str, dict[str, str]]:
    """Return a libpq URL without the password, and an environment carrying it."""
    url: URL = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} was not found on PATH; install the PostgreSQL client tools.")
    return path


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603  # fixed tool, argument list
            args, env=env, capture_output=True, text=True, timeout=PG_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(f"{what} could not run: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip().splitlines()[-5:]
        raise BackupError(f"{what} failed (exit {result.returncode}): " + " | ".join(detail))


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _counts_and_revision(conn: Connection, tables: list[str]) -> tuple[dict[str, int], str | None]:
    counts = {}
    for table in sorted(tables):
        sql = f"SELECT count(*) FROM {_quote(conn, table)}"  # noqa: S608  # nosec B608  # quoted name
        counts[table] = int(conn.execute(text(sql)).scalar_one())
    revision = None
    if "alembic_version" in tables:
        heads = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        revision = ",".join(sorted(heads)) or None
    return counts, revision


def _sqlite_counts(path: Path) -> tuple[dict[str, int], str | None]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {}
        for table in sorted(tables):
            quoted = '"' + table.replace('"', '""') + '"'
            sql = f"SELECT count(*) FROM {quoted}"  # noqa: S608  # nosec B608  # quoted name
            counts[table] = int(conn.execute(sql).fetchone()[0])
        revision = None
        if "alembic_version" in tables:
            heads = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
            revision = ",".join(sorted(heads)) or None
        return counts, revision
    finally:
        conn.close()


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite database into another with the online backup API (one step)."""
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)  # every page in one step: one consistent read transaction
            dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained single file
        finally:
            dst.close()
    finally:
        src.close()


def _snapshot_sqlite(app: Flask, staging: Path) -> tuple[dict[str, int], str | None]:
    source = _sqlite_path(app)
    if not source.exists():
        raise BackupError(f"The database file {source} does not exist.")
    target = staging / SQLITE_FILE
    _sqlite_copy(source, target)
    return _sqlite_counts(target)


def _snapshot_postgres(app: Flask, staging: Path) -> tuple[dict[str, int], str | None]:
    pg_dump = _tool("pg_dump")
    url, env = _libpq_url_and_env()
    with db.engine.connect() as base:
        conn = base.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = list(
                conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                    )
                ).scalars()
            )
            counts, revision = _counts_and_revision(conn, tables)
            # pg_dump must start while this transaction (and so the snapshot) is open.
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={staging / PG_FILE}",
                    f"--dbname={url}",
                ],
                env,
                "pg_dump",
            )
    return counts, revision


def _copy_uploads(staging: Path) -> None:
    store = blobs.store()
    target = staging / UPLOADS
    target.mkdir()
    for name in store.names(blobs.UPLOADS):  # in-progress uploads are never listed
        blob = store.open(blobs.UPLOADS, name)
        with (target / name).open("wb") as out:
            for chunk in blob.chunks():
                out.write(chunk)


def _hash_tree(staging: Path) -> dict[str, str]:
    files = {}
    for path in sorted(staging.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            files[path.relative_to(staging).as_posix()] = sha256_of(path)
    return files


def create_backup(app: Flask, destination: Path) -> dict:
    """Write a backup to `destination` (a new directory, or a file ending in .tar.gz)."""
    destination = Path(destination).absolute()
    archive = destination.name.endswith(".tar.gz")
    if destination.exists() and (archive or not destination.is_dir() or any(destination.iterdir())):
        raise BackupError(f"{destination} already exists; give a new path or an empty directory.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    backend = _backend(app)
    staging = Path(tempfile.mkdtemp(prefix=".vendorrisk-backup-", dir=destination.parent))
    try:
        created_at = utcnow()
        if backend == "sqlite":
            tables, revision = _snapshot_sqlite(app, staging)
        else:
            tables, revision = _snapshot_postgres(app, staging)
        _copy_uploads(staging)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": created_at.isoformat().replace("+00:00", "Z"),
            "backend": backend,
            "database_file": SQLITE_FILE if backend == "sqlite" else PG_FILE,
            "alembic_revision": revision,
            "tables": tables,
            "files": _hash_tree(staging),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        if archive:
            partial = destination.with_name(destination.name + ".partial")
            with tarfile.open(partial, "w:gz") as tar:
                for path in sorted(staging.iterdir()):
                    tar.add(path, arcname=path.name)
            os.replace(partial, destination)
        else:
            if destination.exists():
                destination.rmdir()
            os.replace(staging, destination)
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unpack(source: Path, workdir: Path) -> Path:
    if source.is_dir():
        return source
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    try:
        with tarfile.open(source, "r:gz") as tar:
            tar.extractall(workdir, filter="data")  # the data filter refuses paths that escape
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{source} is not a readable .tar.gz backup: {exc}") from exc
    return workdir


def _read_manifest(root: Path) -> dict:
    try:
        manifest = json.loads((root / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(f"{root} has no {MANIFEST}; it is not a VendorRisk backup.") from exc
    except (ValueError, OSError) as exc:
        raise BackupError(f"{MANIFEST} cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{MANIFEST} is not a backup format this version can restore.")
    return manifest


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    ok = (
        not path.is_absolute()
        and ".." not in path.parts
        and (len(path.parts) == 1 or (len(path.parts) == 2 and path.parts[0] == UPLOADS))
        and not path.name.startswith(".")
    )
    if not ok:
        raise BackupError(f"The manifest names an unexpected file: {name!r}.")
    return path


def verify(root: Path, manifest: dict) -> None:
    """Check every file named in the manifest against its SHA-256."""
    files = manifest.get("files") or {}
    database_file = manifest.get("database_file")
    if database_file not in files:
        raise BackupError("The manifest does not list the database file.")
    for name, expected in sorted(files.items()):
        path = root / _safe_name(name)
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup.")
        actual = sha256_of(path)
        if actual != expected:
            raise BackupError(f"{name} does not match its SHA-256 in the manifest; backup damaged.")


def _user_count() -> int:
    if not inspect(db.engine).has_table("users"):
        return 0
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM users")).scalar_one())


def restore_backup(
    app: Flask, source: Path, echo: Callable[[str], None] = lambda _: None
) -> RestoreReport:
    """Restore a backup into this app's (empty) database and upload folder."""
    source = Path(source).absolute()
    backend = _backend(app)
    with tempfile.TemporaryDirectory(prefix=".vendorrisk-restore-") as tmp:
        root = _unpack(source, Path(tmp))
        manifest = _read_manifest(root)
        if manifest.get("backend") != backend:
            raise BackupError(
                f"This backup is of a {manifest.get('backend')} database; the target is {backend}."
            )
        verify(root, manifest)
        echo(f"checked {len(manifest['files'])} file(s) against the manifest")
        users = _user_count()
        if users:
            raise BackupError(
                f"The target database is not empty ({users} user(s)); restore only into an "
                "empty instance."
            )
        db.session.remove()
        database_file = root / manifest["database_file"]
        if backend == "sqlite":
            target = _sqlite_path(app)
            target.parent.mkdir(parents=True, exist_ok=True)
            db.engine.dispose()
            _sqlite_copy(database_file, target)  # the app turns WAL back on as it connects
        else:
            pg_restore = _tool("pg_restore")
            url, env = _libpq_url_and_env()
            db.engine.dispose()
            _run(
                [
                    pg_restore,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={url}",
                    str(database_file),
                ],
                env,
                "pg_restore",
            )
        echo("restored the database")
        store = blobs.store()
        folder = store.staging_dir(blobs.UPLOADS)
        count = 0
        for name in sorted(manifest["files"]):
            path = _safe_name(name)
            if len(path.parts) != 2:
                continue
            fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".restore-")
            os.close(fd)
            shutil.copyfile(root / path, tmp_name)
            store.put_file(blobs.UPLOADS, path.name, Path(tmp_name))
            count += 1
        where = storage.upload_dir() if blobs.is_local() else "object storage"
        echo(f"restored {count} evidence file(s) into {where}")
    return RestoreReport(backend, manifest.get("alembic_revision"), manifest["tables"], count)
