"""Report jobs: asked for in a request, built by a worker (RQ, a thread of the app, or inline).

A build runs in three short database transactions and one long render outside any of them:
gather the record and write the HTML (one read transaction), render the PDF in a child process
(progress is written now and then as the clock runs), then store the file and mark the job
done. SQLite takes its write lock at BEGIN, so no transaction may stay open while WeasyPrint
works.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import update

from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.permissions import ROLE_LABELS
from vendorrisk.reports import access, documents, pdf, signing
from vendorrisk.reports.builders.common import Limits, Meta, Period, new_document_id
from vendorrisk.reports.models import (
    CAMPAIGN_PDF,
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    VENDOR_PDF,
    ReportJob,
)

log = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"^[0-9]{6,}-[0-9a-f]{20}\.pdf$")
# Rough WeasyPrint speed on one core, to move the progress bar while the layout runs.
HTML_BYTES_PER_SECOND = 60_000
BUILD_SHARE = 30  # percent of the bar for gathering the record


# --- asking -----------------------------------------------------------------------------------


def request_report(kind: str, subject, user, params: dict | None = None) -> ReportJob:
    """Record a request for a report (audited); the caller commits, then calls `dispatch`."""
    now = utcnow()
    job = ReportJob(
        kind=kind,
        object_id=subject.id,
        params=params or {},
        document_id=new_document_id(now),
        state=QUEUED,
        progress=0,
        stage="Waiting for a worker",
        requested_by_id=user.id,
        created_at=now,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        "report.requested",
        job.object_type,
        subject.id,
        details={"job": job.id, "kind": kind, **(params or {})},
    )
    return job


def runner() -> str:
    """Return how jobs run here: "rq", "thread" or "inline"."""
    choice = current_app.config["REPORT_RUNNER"]
    if choice == "auto":
        return "rq" if current_app.config.get("REDIS_URL") else "thread"
    return choice


def _executor(app: Flask) -> ThreadPoolExecutor:
    state = app.extensions.setdefault("reports", {})
    if "executor" not in state:
        state["executor"] = ThreadPoolExecutor(
            max_workers=app.config["REPORT_THREADS"], thread_name_prefix="report"
        )
    return state["executor"]


def _in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        run(job_id)


def dispatch(job_id: int) -> Future | None:
    """Start building a committed job; returns the future when it runs on a thread.

    Takes the id, not the row: touching an expired row after the commit would open a new
    transaction, and on SQLite (BEGIN IMMEDIATE) hold the write lock the worker needs.
    """
    how = runner()
    if how == "inline":
        run(job_id)
        return None
    if how == "rq":
        from redis import Redis
        from redis.exceptions import RedisError
        from rq import Queue

        queue = Queue(
            current_app.config["REPORT_QUEUE"],
            connection=Redis.from_url(current_app.config["REDIS_URL"]),
        )
        try:
            queue.enqueue(
                rq_run,
                job_id,
                job_timeout=int(current_app.config["REPORT_RENDER_TIMEOUT"]) + 300,
                result_ttl=3600,
                failure_ttl=7 * 86400,
            )
            return None
        except RedisError:
            # The report was asked for and recorded: build it here rather than lose it.
            log.warning(
                "report queue unavailable; building job %s on a thread", job_id, exc_info=True
            )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _executor(app).submit(_in_thread, app, job_id)


def rq_run(job_id: int) -> None:
    """Entry point of an RQ worker (`rq worker reports`): build one job in a fresh app."""
    from vendorrisk import create_app

    app = create_app()
    with app.app_context():
        run(job_id)


# --- files ----------------------------------------------------------------------------------


def report_dir() -> Path:
    """Return the folder report files are kept in (created, private to the app)."""
    folder = Path(
        current_app.config.get("REPORT_FOLDER") or Path(current_app.instance_path) / "reports"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def path_of(file_name: str | None) -> Path:
    """Return the path of a stored report (our own names only; anything else is refused)."""
    if not file_name or not _FILE_NAME.match(file_name):
        raise FileNotFoundError(file_name)
    return report_dir() / file_name


def _store(job_id: int, data: bytes) -> tuple[str, str]:
    folder = report_dir()
    name = f"{job_id:06d}-{secrets.token_hex(10)}.pdf"
    tmp = folder / f".{name}.tmp"
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, folder / name)
    return name, hashlib.sha256(data).hexdigest()


# --- building -------------------------------------------------------------------------------


def _isolate() -> bool:
    choice = current_app.config["REPORT_RENDER_ISOLATION"]
    if choice == "auto":
        try:
            from rq import get_current_job
        except ImportError:  # pragma: no cover - rq is a dependency
            return True
        return get_current_job() is None
    return choice == "process"


def _set_progress(job_id: int, percent: int, stage: str) -> None:
    db.session.execute(
        update(ReportJob)
        .where(ReportJob.id == job_id, ReportJob.state == RUNNING)
        .values(progress=percent, stage=stage)
    )
    db.session.commit()


def _signing_key() -> signing.SigningKey | None:
    try:
        return signing.configured()
    except signing.SigningError as exc:
        raise pdf.ReportError(f"The report signing key is misconfigured: {exc}") from exc


def _html(job: ReportJob, key: signing.SigningKey | None) -> tuple[str, str, tuple[pdf.File, ...]]:
    subject = access.subject_of(job)
    if subject is None:
        raise pdf.ReportError("The vendor or campaign of this report no longer exists.")
    user = job.requested_by
    try:
        signed_by = key.subject() if key is not None else None
    except signing.SigningError as exc:
        raise pdf.ReportError(f"The report signing key is misconfigured: {exc}") from exc
    meta = Meta(
        document_id=job.document_id,
        generated_at=job.started_at or utcnow(),
        generated_by=user.name,
        generated_role=ROLE_LABELS.get(user.role, user.role),
        period=Period.from_params(job.params or {}),
        signed_by=signed_by,
    )
    limits = Limits.from_config()

    def progress(percent: int, stage: str) -> None:
        job.progress, job.stage = min(percent, BUILD_SHARE), stage

    if job.kind == VENDOR_PDF:
        html, files = documents.vendor_report(subject, meta, limits, progress)
        return html, documents.download_name("due-diligence", subject.name, meta), files
    if job.kind == CAMPAIGN_PDF:
        html, files = documents.campaign_report(subject, meta, limits, progress)
        return html, documents.download_name("portfolio", subject.name, meta), files
    raise pdf.ReportError(f"Unknown kind of report: {job.kind}")


def _sign(data: bytes, key: signing.SigningKey | None, document_id: str) -> bytes:
    if key is None:
        return data
    try:
        return signing.sign(data, key, reason=f"VendorRisk report {document_id}")
    except signing.SigningError as exc:
        raise pdf.ReportError(f"The report could not be signed: {exc}") from exc


def run(job_id: int) -> ReportJob | None:
    """Build one queued job to the end (done or failed); never raises for a report's failure."""
    job = db.session.get_one(ReportJob, job_id)
    if job is None or job.state != QUEUED:
        return job
    job.state, job.started_at, job.progress, job.stage = RUNNING, utcnow(), 2, "Starting"
    db.session.commit()
    config = current_app.config
    try:
        key = _signing_key()
        html, download, files = _html(job, key)
        document_id = job.document_id  # read now: the row expires at the next commit
        estimate = max(2.0, len(html) / HTML_BYTES_PER_SECOND)
        job.progress, job.stage = BUILD_SHARE, "Laying out the pages"
        job.params = {**(job.params or {}), "download_name": download}
        db.session.commit()
        started = time.monotonic()

        def tick() -> None:
            share = min(0.95, (time.monotonic() - started) / estimate)
            _set_progress(
                job_id, BUILD_SHARE + int((95 - BUILD_SHARE) * share), "Laying out the pages"
            )

        rendered = pdf.render(
            html,
            timeout=config["REPORT_RENDER_TIMEOUT"],
            max_bytes=config["REPORT_MAX_PDF_BYTES"],
            max_html_bytes=config["REPORT_MAX_HTML_BYTES"],
            isolate=_isolate(),
            tick=tick,
            archival=True,
            attachments=files,
        )
        data = _sign(rendered.pdf, key, document_id)
        name, digest = _store(job_id, data)
        job = db.session.get_one(ReportJob, job_id)
        job.state, job.progress, job.stage = DONE, 100, "Ready"
        job.file_name, job.size, job.sha256, job.pages = (
            name,
            len(data),
            digest,
            rendered.pages,
        )
        job.finished_at = utcnow()
        audit.record(
            "report.built",
            job.object_type,
            job.object_id,
            actor_type="system",
            details={
                "job": job.id,
                "sha256": digest,
                "pages": rendered.pages,
                "seconds": round(rendered.seconds, 2),
                "signed": key is not None,
            },
        )
        db.session.commit()
    except Exception as exc:  # a failed report is a job state, not a crash of the worker
        db.session.rollback()
        if isinstance(exc, pdf.ReportError):
            message = str(exc)
            log.warning("report job %s failed: %s", job_id, exc)
        else:
            message = "The report could not be built because of an internal error."
            log.exception("report job %s failed", job_id)
        job = db.session.get_one(ReportJob, job_id)
        job.state, job.stage, job.error, job.finished_at = FAILED, "Failed", message, utcnow()
        audit.record(
            "report.failed",
            job.object_type,
            job.object_id,
            actor_type="system",
            outcome="failure",
            details={"job": job.id, "error": type(exc).__name__},
        )
        db.session.commit()
    return job


def expire_stale(job: ReportJob) -> bool:
    """Mark a job failed when its worker must have died (it ran far past every limit)."""
    if job.finished:
        return False
    limit = timedelta(seconds=2 * current_app.config["REPORT_RENDER_TIMEOUT"] + 900)
    if utcnow() - job.created_at < limit:
        return False
    job.state, job.stage, job.finished_at = FAILED, "Failed", utcnow()
    job.error = "The build was interrupted (the worker stopped). Ask for the report again."
    audit.record(
        "report.failed",
        job.object_type,
        job.object_id,
        actor_type="system",
        outcome="failure",
        details={"job": job.id, "error": "interrupted"},
    )
    return True
