"""Report jobs: asked for in a request, built by a worker (RQ, a thread of the app, or inline).

A build runs in three short database transactions and one long render outside any of them:
gather the record and write the HTML (one read transaction), render the PDF in a child process
(progress is written now and then as the clock runs), then store the file and mark the job
done. SQLite takes its write lock at BEGIN, so no transaction may stay open while WeasyPrint
works.

A worker claims a job by writing a lease (owner and expiry) and renews it from a heartbeat
thread while it works. If the worker dies, the lease runs out and `recover` (queued by every
`flask worker` now and then) queues the job again; only the lease holder may mark it built or
failed, and the file's name is fixed per job, so a report is built once and never lost.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update

from vendorrisk.audit import services as audit
from vendorrisk.core import blobs, tasks
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
        timeout = int(current_app.config["REPORT_RENDER_TIMEOUT"]) + 300
        if tasks.enqueue(
            "reports.build",
            job_id,
            kind="reports",
            job_timeout=timeout,
            result_ttl=3600,
            failure_ttl=7 * 86400,
        ):
            return None
        # The report was asked for and recorded: build it here rather than lose it.
        log.warning("report queue unavailable; building job %s on a thread", job_id)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _executor(app).submit(_in_thread, app, job_id)


def rq_run(job_id: int) -> None:
    """Build one job in a fresh app (kept for jobs queued before `reports.build` existed)."""
    tasks.run_task("reports.build", job_id)


# --- files ----------------------------------------------------------------------------------


def report_dir() -> Path:
    """Return the local folder report files are kept in (created, private to the app)."""
    return blobs.LocalStore().folder(blobs.REPORTS)


def _checked(file_name: str | None) -> str:
    if not file_name or not _FILE_NAME.match(file_name):
        raise FileNotFoundError(file_name)
    return file_name


def path_of(file_name: str | None) -> Path:
    """Return the local path of a stored report (our own names only; anything else is refused)."""
    return report_dir() / _checked(file_name)


def open_report(file_name: str | None) -> blobs.Blob:
    """Open a stored report for streaming, wherever the store keeps it."""
    return blobs.store().open(blobs.REPORTS, _checked(file_name))


def file_name_for(job_id: int, document_id: str) -> str:
    """The one name a job's file has, whichever attempt builds it (a retry replaces, never adds)."""
    digest = hashlib.sha256(document_id.encode()).hexdigest()[:20]
    return f"{job_id:06d}-{digest}.pdf"


def _store(job_id: int, document_id: str, data: bytes) -> tuple[str, str]:
    store = blobs.store()
    name = file_name_for(job_id, document_id)
    fd, tmp_name = tempfile.mkstemp(dir=store.staging_dir(blobs.REPORTS), prefix=f".{name}.")
    tmp = Path(tmp_name)
    try:
        with open(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        store.put_file(blobs.REPORTS, name, tmp)
    finally:
        tmp.unlink(missing_ok=True)
    return name, hashlib.sha256(data).hexdigest()


def verify(file_name: str | None, sha256: str | None) -> bool:
    """Whether the stored file still has the digest recorded when it was built (streamed)."""
    digest = hashlib.sha256()
    for chunk in open_report(file_name).chunks():
        digest.update(chunk)
    return digest.hexdigest() == sha256


# --- leases ---------------------------------------------------------------------------------


def _lease_seconds() -> int:
    return int(current_app.config["REPORT_LEASE_SECONDS"])


def _claim(job_id: int, owner: str) -> bool:
    """Take a queued job, or a running one whose worker stopped renewing its lease."""
    now = utcnow()
    result = db.session.execute(
        update(ReportJob)
        .where(
            ReportJob.id == job_id,
            or_(
                ReportJob.state == QUEUED,
                and_(ReportJob.state == RUNNING, ReportJob.lease_until < now),
            ),
            ReportJob.attempts < current_app.config["REPORT_MAX_ATTEMPTS"],
        )
        .values(
            state=RUNNING,
            lease_owner=owner,
            lease_until=now + timedelta(seconds=_lease_seconds()),
            attempts=ReportJob.attempts + 1,
            started_at=now,
            progress=2,
            stage="Starting",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


class _Heartbeat(threading.Thread):
    """Renews a job's lease until stopped (its own connection; a missed beat is retried)."""

    def __init__(self, app: Flask, job_id: int, owner: str):
        super().__init__(name=f"report-lease-{job_id}", daemon=True)
        self.app, self.job_id, self.owner = app, job_id, owner
        self.stopping = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            seconds = _lease_seconds()
            while not self.stopping.wait(max(0.5, seconds / 3)):
                try:
                    with db.engine.begin() as conn:
                        conn.execute(
                            update(ReportJob)
                            .where(ReportJob.id == self.job_id, ReportJob.lease_owner == self.owner)
                            .values(lease_until=utcnow() + timedelta(seconds=seconds))
                        )
                except Exception:  # the next beat tries again; the lease is generous
                    log.warning("report job %s: lease not renewed", self.job_id, exc_info=True)

    def stop(self) -> None:
        self.stopping.set()
        self.join(30)


def _finish(job_id: int, owner: str, **values) -> bool:
    """Record the outcome if this worker still holds the lease (in the caller's transaction)."""
    result = db.session.execute(
        update(ReportJob)
        .where(ReportJob.id == job_id, ReportJob.state == RUNNING, ReportJob.lease_owner == owner)
        .values(lease_owner=None, lease_until=None, finished_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def recover() -> int:
    """Queue again every running job whose worker died; fail those out of attempts."""
    now = utcnow()
    stale = db.session.scalars(
        select(ReportJob).where(ReportJob.state == RUNNING, ReportJob.lease_until < now)
    ).all()
    requeued = []
    for job in stale:
        if job.attempts >= current_app.config["REPORT_MAX_ATTEMPTS"]:
            _fail_interrupted(job, now, "The build was interrupted repeatedly.")
        else:
            job.stage = "Waiting for a worker (the last one stopped)"
            requeued.append(job.id)
    db.session.commit()
    for job_id in requeued:
        dispatch(job_id)
    return len(requeued)


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


def _set_progress(job_id: int, owner: str, percent: int, stage: str) -> None:
    db.session.execute(
        update(ReportJob)
        .where(ReportJob.id == job_id, ReportJob.state == RUNNING, ReportJob.lease_owner == owner)
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
    """Build one job to the end (done or failed); never raises for a report's failure.

    A job another worker holds (its lease alive), or one already finished, is left alone.
    """
    owner = uuid.uuid4().hex
    if not _claim(job_id, owner):
        return db.session.get(ReportJob, job_id)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    heartbeat = _Heartbeat(app, job_id, owner)
    heartbeat.start()
    try:
        return _build(job_id, owner)
    finally:
        heartbeat.stop()


def _build(job_id: int, owner: str) -> ReportJob:
    job = db.session.get_one(ReportJob, job_id, populate_existing=True)
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
                job_id, owner, BUILD_SHARE + int((95 - BUILD_SHARE) * share), "Laying out the pages"
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
        name, digest = _store(job_id, document_id, data)
        job = db.session.get_one(ReportJob, job_id)
        if _finish(
            job_id,
            owner,
            state=DONE,
            progress=100,
            stage="Ready",
            file_name=name,
            size=len(data),
            sha256=digest,
            pages=rendered.pages,
        ):
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
        else:  # another worker took the job over; its outcome stands
            log.warning("report job %s: lease lost; leaving the job to its new worker", job_id)
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
        if _finish(job_id, owner, state=FAILED, stage="Failed", error=message):
            audit.record(
                "report.failed",
                job.object_type,
                job.object_id,
                actor_type="system",
                outcome="failure",
                details={"job": job.id, "error": type(exc).__name__},
            )
        db.session.commit()
    return db.session.get_one(ReportJob, job_id, populate_existing=True)


def expire_stale(job: ReportJob) -> bool:
    """Mark a job failed when its worker must have died (it ran far past every limit)."""
    if job.finished or (job.lease_until is not None and job.lease_until > utcnow()):
        return False  # a worker is building it now
    limit = timedelta(seconds=2 * current_app.config["REPORT_RENDER_TIMEOUT"] + 900)
    if utcnow() - job.created_at < limit:
        return False
    _fail_interrupted(job, utcnow(), "The build was interrupted (the worker stopped).")
    return True


def _fail_interrupted(job: ReportJob, now: datetime, why: str) -> None:
    """Mark a job whose worker died failed (audited); the person asks for the report again."""
    job.state, job.stage, job.finished_at = FAILED, "Failed", now
    job.lease_owner = job.lease_until = None
    job.error = f"{why} Ask for the report again."
    audit.record(
        "report.failed",
        job.object_type,
        job.object_id,
        actor_type="system",
        outcome="failure",
        details={"job": job.id, "error": "interrupted"},
    )


def init_tasks() -> None:
    """Register the report work with the task queue."""
    tasks.register("reports.build", run)
    tasks.register("reports.recover", recover, every=60, config_key="REPORT_RECOVER_SECONDS")
