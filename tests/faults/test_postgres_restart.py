"""PostgreSQL restarts between two requests: every pooled connection of the app is dead, and the
next request must still be served, not answered with a 500 (`pool_pre_ping` replaces them).

The test starts a PostgreSQL cluster of its own (initdb and pg_ctl, as the `postgres` user when
run as root) and really restarts it. Where no cluster can be made (no initdb), it does to the
app's connections what a restart does, from a separate connection: pg_terminate_backend on the
run's PostgreSQL, in a database of the test's own (FAULTS_PG_RESTART=terminate chooses this
way). PostgreSQL pass only."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.conftest import BACKEND
from tests.faults.conftest import migrated_app
from tests.portal.helpers import n, save, section_url
from tests.support.factories import approved_version, create_campaign, make_vendor, portal_path
from tests.support.smtp import free_port
from vendorrisk.extensions import db

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL pass only")


class Cluster:
    """A throw-away PostgreSQL cluster on a free local port."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.user = "postgres" if os.geteuid() == 0 else None  # initdb refuses root
        self.dir = Path(tempfile.mkdtemp(prefix="vr-pg-", dir="/tmp"))
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own tools
            [str(self.bindir / args[0]), *args[1:]],
            user=self.user,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        data, log = str(self.dir / "data"), str(self.dir / "log")
        self._run("pg_ctl", "-D", data, "-l", log, "-w", "-o", options, *args)

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.dir / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self._pg_ctl("start")

    def restart(self) -> None:
        self._pg_ctl("-m", "fast", "restart")

    def stop(self) -> None:
        try:
            self._pg_ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def _bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


@pytest.fixture
def restartable(request):
    """(database URL, a function that restarts its server or does what a restart does)."""
    bindir = None if os.environ.get("FAULTS_PG_RESTART") == "terminate" else _bindir()
    cluster = None
    if bindir is not None:
        cluster = Cluster(bindir)
        try:
            cluster.start()
        except (OSError, KeyError, subprocess.SubprocessError) as exc:
            print(f"no private PostgreSQL cluster ({exc}); terminating backends instead")
            cluster.stop()
            cluster = None
    if cluster is not None:
        yield cluster.url, cluster.restart
        cluster.stop()
        return
    url = request.getfixturevalue("scratch_url")

    def terminate_backends() -> None:
        admin = create_engine(url)
        try:
            with admin.begin() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
        finally:
            admin.dispose()

    yield url, terminate_backends


def test_the_first_request_after_postgresql_restarted_is_served(restartable):
    url, restart = restartable
    app = migrated_app(url)
    with app.app_context():
        campaign = create_campaign(approved_version(), [make_vendor("Restart vendor")])
        recipient = campaign.assignments[0].recipients[0]
        link, aid = portal_path(recipient), recipient.assignment_id
        db.session.commit()
    vendor = app.test_client()
    assert vendor.post(link, data={}).status_code == 302
    assert save(vendor, aid, 2, {n("notes"): "Before the restart"}).status_code == 302
    with app.app_context():
        before = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()
        assert db.engine.pool.checkedin() >= 1  # pooled connections that the restart will kill
    witness = create_engine(url)
    held = witness.connect()

    restart()

    page = vendor.get(section_url(aid, 2))
    assert page.status_code == 200 and "Before the restart" in page.text
    assert save(vendor, aid, 2, {n("notes"): "After the restart"}).status_code == 302
    with pytest.raises(OperationalError):  # the restart was real: the old connections died
        held.execute(text("SELECT 1"))
    held.close()
    witness.dispose()
    with app.app_context():
        assert db.session.scalar(text("SELECT pg_backend_pid()")) != before
        db.session.remove()
        db.engine.dispose()
