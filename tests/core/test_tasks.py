"""Background work: without Redis it is done where it is asked for; with Redis it is queued, and
each periodic task is queued once per period however many workers run the scheduler."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import IN_CI
from vendorrisk.core import tasks

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
def redis_app(app, monkeypatch):
    """The app with REDIS_URL on a database of this run's own and a prefix of this test's."""
    from redis import Redis
    from redis.exceptions import RedisError

    url = f"{REDIS_URL}/{1 + os.getpid() % 15}"
    connection = Redis.from_url(url)
    try:
        connection.ping()
    except RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is unreachable: {exc}")
        pytest.skip(f"Redis unreachable: {exc}")
    prefix = f"t{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "REDIS_KEY_PREFIX", prefix)
    yield app, connection, prefix
    for pattern in (f"{prefix}:*", f"rq:*{prefix}:*"):
        for key in connection.scan_iter(match=pattern):
            connection.delete(key)
    connection.close()


def test_without_redis_work_is_not_queued(app):
    with app.app_context():
        assert app.config.get("REDIS_URL") is None
        assert tasks.enqueue("outbox.send") is False
        with pytest.raises(KeyError):
            tasks.enqueue("no.such.task")


def test_every_periodic_task_is_registered_by_its_domain():
    assert {"outbox.send", "reminders.send", "findings.reopen_expired", "reports.recover"} <= {
        p.task for p in tasks.PERIODIC
    }
    assert "reports.build" in tasks.TASKS


def test_two_schedulers_queue_each_periodic_task_once_per_period(redis_app):
    from rq import Queue

    app, connection, prefix = redis_app
    now = 1_000_000_000.0
    first = tasks.schedule_due(app, connection, now)
    second = tasks.schedule_due(app, connection, now + 0.5)  # another worker, same period
    assert sorted(first) == sorted(p.task for p in tasks.PERIODIC)
    assert second == []
    queue = Queue(tasks.queue_name(app, "tasks"), connection=connection)
    assert queue.name == f"{prefix}:tasks"
    assert sorted(job.args[0] for job in queue.jobs) == sorted(first)
    later = tasks.schedule_due(app, connection, now + 61)  # the next minute: the minutely ones
    assert "outbox.send" in later and "findings.reopen_expired" not in later


def test_a_worker_without_redis_says_why_and_exits_non_zero(app, runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def test_a_burst_worker_runs_queued_work_and_stops(redis_app, monkeypatch):
    """`flask worker --burst` takes a queued outbox run and ends once the queues are empty."""
    from rq import Queue

    app, connection, _ = redis_app
    monkeypatch.setattr(tasks, "_worker_app", None)  # the worker sets it; later tests need None
    with app.app_context():
        assert tasks.enqueue("reports.recover")
    queue = Queue(tasks.queue_name(app, "tasks"), connection=connection)
    assert queue.count == 1
    result = app.test_cli_runner().invoke(args=["worker", "--burst", "--no-scheduler"])
    assert result.exit_code == 0, result.output
    assert queue.count == 0
    assert len(queue.finished_job_registry) == 1
