"""Background work on RQ workers when REDIS_URL is set: reports, the outbox, reminders and the
daily findings sweep.

Work is named ("outbox.send", "reports.build", ...) and registered by its domain; `enqueue`
puts it on a queue when Redis is configured and answers False otherwise (or when Redis is
down), so the caller does it another way (a thread, cron, inline). `flask worker` runs an RQ
worker on the report and task queues, plus a small scheduler thread that enqueues the periodic
work: every worker runs one, and a Redis key per period makes sure each periodic task is queued
once per period whatever the number of workers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

TASKS: dict[str, Callable[..., Any]] = {}


@dataclass(frozen=True)
class Periodic:
    """A task queued once every `every` seconds (the config key, if given, overrides it)."""

    task: str
    every: int
    config_key: str | None = None

    def interval(self, app: Flask) -> int:
        return int(app.config.get(self.config_key, self.every) if self.config_key else self.every)


PERIODIC: list[Periodic] = []


def register(name: str, func: Callable[..., Any], *, every: int = 0, config_key: str = "") -> None:
    """Register a task; with `every`, `flask worker` also queues it periodically."""
    TASKS[name] = func
    if every and all(p.task != name for p in PERIODIC):
        PERIODIC.append(Periodic(name, every, config_key or None))


def queue_name(app: Flask, kind: str) -> str:
    """Return the RQ queue for "reports" or "tasks" (prefixed when REDIS_KEY_PREFIX is set)."""
    base = app.config["REPORT_QUEUE"] if kind == "reports" else app.config["TASK_QUEUE"]
    prefix = app.config.get("REDIS_KEY_PREFIX") or ""
    return f"{prefix}:{base}" if prefix and prefix != "vendorrisk" else base


def redis_connection(app: Flask):
    """Return the app's Redis client (one pool per app and URL; redis-py renews it after a fork)."""
    from redis import Redis

    url = app.config["REDIS_URL"]
    cache = app.extensions.setdefault("task_redis", {})
    if url not in cache:
        cache[url] = Redis.from_url(url)
    return cache[url]


def enqueue(name: str, *args: Any, kind: str = "tasks", **options: Any) -> bool:
    """Queue task `name` on RQ; False when there is no Redis (or it is down): do it otherwise."""
    if name not in TASKS:
        raise KeyError(name)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        return False
    from redis.exceptions import RedisError
    from rq import Queue

    try:
        queue = Queue(queue_name(app, kind), connection=redis_connection(app))
        queue.enqueue(run_task, name, *args, **options)
    except RedisError:
        log.warning("task queue unavailable; %s runs another way", name, exc_info=True)
        return False
    return True


# --- on the worker ------------------------------------------------------------------------------

_worker_app: Flask | None = None


def run_task(name: str, *args: Any) -> Any:
    """The RQ job function: run a registered task in the worker's app."""
    from vendorrisk.extensions import db

    app = _worker_app
    if app is None:
        from vendorrisk import create_app

        app = create_app()
    with app.app_context():
        # A forked work horse must not share the parent's pooled database connections.
        for engine in db.engines.values():
            engine.dispose(close=False)
        try:
            return TASKS[name](*args)
        finally:
            db.session.remove()


def schedule_due(app: Flask, connection, now: float | None = None) -> list[str]:
    """Queue every periodic task whose period began since it was last queued (by anyone)."""
    now = time.time() if now is None else now
    prefix = app.config.get("REDIS_KEY_PREFIX") or "vendorrisk"
    queued = []
    for periodic in PERIODIC:
        every = max(1, periodic.interval(app))
        slot = int(now // every)
        key = f"{prefix}:schedule:{periodic.task}:{slot}"
        if connection.set(key, "1", nx=True, ex=every * 2):
            with app.app_context():
                if enqueue(periodic.task):
                    queued.append(periodic.task)
    return queued


class Scheduler(threading.Thread):
    """Queues the periodic tasks every `tick` seconds until stopped."""

    def __init__(self, app: Flask, tick: float):
        super().__init__(name="vendorrisk-scheduler", daemon=True)
        self.app = app
        self.tick = tick
        self.stopping = threading.Event()

    def run(self) -> None:
        from redis.exceptions import RedisError

        connection = redis_connection(self.app)
        while not self.stopping.is_set():
            try:
                schedule_due(self.app, connection)
            except RedisError:
                log.warning("scheduler: Redis unavailable", exc_info=True)
            self.stopping.wait(self.tick)

    def stop(self) -> None:
        self.stopping.set()


def work(app: Flask, *, burst: bool = False, scheduler: bool = True) -> None:
    """Run an RQ worker on this app's queues (the body of `flask worker`)."""
    global _worker_app
    from rq import Queue, Worker

    _worker_app = app
    connection = redis_connection(app)
    queues = [Queue(queue_name(app, kind), connection=connection) for kind in ("reports", "tasks")]
    thread = Scheduler(app, float(app.config["SCHEDULER_TICK_SECONDS"])) if scheduler else None
    if thread is not None:
        thread.start()
    try:
        Worker(queues, connection=connection).work(burst=burst, with_scheduler=False)
    finally:
        if thread is not None:
            thread.stop()
