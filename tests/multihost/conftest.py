"""Several hosts on one PostgreSQL database, one Redis and one S3-compatible store (moto's
server): two gunicorn app hosts with their own instance folders, and RQ workers started by the
tests. Everything is stopped, and the run's Redis keys and database dropped, even on failure."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import BACKEND, IN_CI, TEST_LINK_KEY, test_config
from tests.support.gunicorn import ROOT, Gunicorn
from tests.support.load import drop_postgres_database, fresh_postgres_database
from tests.support.smtp import SMTPServer, free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
BUCKET = "vendorrisk-multihost"
STOP_BOUND = 60  # seconds a stopped worker gets to exit before it is killed
LEASE_SECONDS = 3


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


class Process:
    """A child process in its own process group, so it and its children stop together."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path):
        self.log_path = log_path
        self.others: list[int] = []  # processes of its that left its group (RQ's work horse)
        with log_path.open("ab") as log:
            self.popen = subprocess.Popen(  # noqa: S603 - our own commands
                args,
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL the process and its children (a work horse among them), and reap it."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
        for pid in self.others:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.popen.wait(STOP_BOUND)
        for pid in self.others:
            wait_for(lambda pid=pid: not _alive(pid), STOP_BOUND, f"process {pid} gone")

    def stop(self) -> None:
        """Ask for a warm shutdown; kill the group if it does not end within the bound."""
        if self.popen.poll() is not None:
            if self.others:
                self.kill()
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(STOP_BOUND)
        except subprocess.TimeoutExpired:
            self.kill()
        if self.others:
            self.kill()

    def wait(self, bound: float) -> int:
        return self.popen.wait(bound)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Cluster:
    url: str  # the shared database
    workdir: Path
    env_a: dict[str, str]
    env_b: dict[str, str]
    host_a: Gunicorn
    host_b: Gunicorn
    smtp: SMTPServer
    s3: object  # a boto3 client on the moto server
    prefix: str  # the run's key prefix in the bucket
    app: object  # an in-process app on the shared database, to seed and to check
    processes: list[Process] = field(default_factory=list)

    def start(self, args: list[str], env: dict[str, str], name: str) -> Process:
        process = Process(args, env, self.workdir / f"{name}.log")
        self.processes.append(process)
        return process

    def worker(self, env: dict[str, str], name: str = "worker") -> Process:
        """`flask --app vendorrisk worker`, the documented command."""
        return self.start(
            [sys.executable, "-m", "flask", "--app", "vendorrisk", "worker"], env, name
        )

    def keys(self, area: str) -> list[str]:
        start = f"{self.prefix}/{area}/"
        answer = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=start)  # type: ignore[attr-defined]
        return sorted(item["Key"][len(start) :] for item in answer.get("Contents", []))


def _redis_db(url: str):
    from redis import Redis
    from redis.exceptions import RedisError

    number = 1 + os.getpid() % 15  # a database of its own per run, keys prefixed besides
    connection = Redis.from_url(f"{url}/{number}")
    try:
        connection.ping()
    except RedisError as exc:
        _unavailable(f"Redis at {url} is unreachable: {exc}")
    return connection, f"{url}/{number}"


def _clean_redis(connection, prefix: str) -> None:
    for pattern in (f"{prefix}:*", f"rq:queue:{prefix}:*", f"rq:*:{prefix}:*"):
        for key in connection.scan_iter(match=pattern, count=500):
            connection.delete(key)


@pytest.fixture(scope="module")
def cluster(database_url, tmp_path_factory):
    if BACKEND != "postgresql":
        pytest.skip(
            "several hosts need one shared database: SQLite is a file on one host "
            "(runs with VENDORRISK_TEST_BACKEND=postgresql)"
        )
    import boto3
    from flask_migrate import upgrade
    from moto.server import ThreadedMotoServer

    from vendorrisk import create_app
    from vendorrisk.extensions import db

    workdir = tmp_path_factory.mktemp("multihost")
    run = f"mh{os.getpid()}"
    redis, redis_url = _redis_db(REDIS_URL)
    url = fresh_postgres_database(database_url, f"{make_url(database_url).database}_{run}")
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    smtp = SMTPServer()
    hosts: list[Gunicorn] = []
    cluster_: Cluster | None = None
    app = None
    try:
        moto.start()
        endpoint = f"http://127.0.0.1:{moto._port}"
        s3_env = {
            "AWS_ACCESS_KEY_ID": "multihost-test",
            "AWS_SECRET_ACCESS_KEY": "multihost-test",  # noqa: S105 - moto accepts any key
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=s3_env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=s3_env["AWS_SECRET_ACCESS_KEY"],
        )
        s3.create_bucket(Bucket=BUCKET)
        smtp.start()

        app = create_app(test_config(url))
        with app.app_context():
            upgrade(revision="heads")
            db.session.remove()

        base = {
            **os.environ,
            **s3_env,
            "VENDORRISK_ENV": "development",
            "DATABASE_URL": url,
            "SECRET_KEY": "multihost-secret-key",
            "LINK_KEY": TEST_LINK_KEY,
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": run,
            "STORAGE_URL": f"s3://{BUCKET}/{run}",
            "S3_ENDPOINT_URL": endpoint,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp.port),
            "MAIL_TIMEOUT": "10",
            "REPORT_LEASE_SECONDS": str(LEASE_SECONDS),
            "REPORT_RECOVER_SECONDS": "1",
            "SCHEDULER_TICK_SECONDS": "0.5",
        }
        envs = []
        for name in ("a", "b"):
            instance = workdir / f"instance-{name}"
            instance.mkdir()
            port = free_port()
            env = {
                **base,
                "VENDORRISK_INSTANCE_PATH": str(instance),
                "EXTERNAL_BASE_URL": f"http://127.0.0.1:{port}",
            }
            envs.append(env)
            host = Gunicorn(port, env, workdir / f"host-{name}.log", workers=1)
            hosts.append(host)
            host.start()
        cluster_ = Cluster(url, workdir, envs[0], envs[1], hosts[0], hosts[1], smtp, s3, run, app)
        yield cluster_
    finally:
        for process in cluster_.processes if cluster_ else []:
            process.stop()
        for host in hosts:
            host.stop()
        smtp.stop()
        moto.stop()
        _clean_redis(redis, run)
        redis.close()
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        drop_postgres_database(url)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie no one has reaped yet is gone for every purpose here
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def wait_for(predicate, bound: float, what: str, interval: float = 0.2):
    """Return the predicate's first true value, checked every `interval` up to `bound` s."""
    deadline = time.monotonic() + bound
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            message = what() if callable(what) else what
            raise AssertionError(f"{message}: not within {bound} s")
        time.sleep(interval)
