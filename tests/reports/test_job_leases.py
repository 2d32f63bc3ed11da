"""Report jobs are leased: a job another worker holds is left alone, a job whose worker died is
built again once, and a worker that lost its lease cannot mark the job."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tests.conftest import make_user
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.reports import jobs
from vendorrisk.reports.models import CAMPAIGN_PDF, DONE, FAILED, RUNNING, ReportJob


def _job(app) -> int:
    owner = make_user("manager")
    campaign = create_campaign(approved_version(), [make_vendor(owner=owner)], actor=owner)
    job_id = jobs.request_report(CAMPAIGN_PDF, campaign, make_user("compliance")).id
    db.session.commit()
    return job_id


def _fresh(job_id: int) -> ReportJob:
    return db.session.get_one(ReportJob, job_id, populate_existing=True)


def _expire_lease(job_id: int) -> None:
    db.session.execute(
        update(ReportJob)
        .where(ReportJob.id == job_id)
        .values(lease_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def _built(job_id: int) -> int:
    details = db.session.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "report.built")
    ).all()
    return sum(1 for d in details if d.get("job") == job_id)


def test_a_job_another_worker_holds_is_left_alone(app, db_session):
    job_id = _job(app)
    assert jobs._claim(job_id, "other-worker")
    assert not jobs._claim(job_id, "second-worker")
    job = jobs.run(job_id)
    assert job.state == RUNNING and job.lease_owner == "other-worker"
    assert job.attempts == 1 and job.file_name is None
    assert jobs.recover() == 0  # its lease is alive: nothing to recover


def test_a_job_whose_worker_died_is_built_again_once(app, db_session):
    job_id = _job(app)
    assert jobs._claim(job_id, "worker-that-dies")
    _expire_lease(job_id)
    assert jobs.recover() == 1  # queued again; jobs run inline in these tests
    job = _fresh(job_id)
    assert job.state == DONE, job.error
    assert job.attempts == 2 and job.lease_owner is None
    assert jobs.path_of(job.file_name).read_bytes().startswith(b"%PDF")
    assert job.file_name == jobs.file_name_for(job_id, job.document_id)
    assert _built(job_id) == 1
    assert jobs.recover() == 0
    assert jobs.run(job_id).state == DONE and _built(job_id) == 1  # a late duplicate: no-op


def test_a_worker_that_lost_its_lease_cannot_mark_the_job(app, db_session):
    job_id = _job(app)
    assert jobs._claim(job_id, "slow-worker")
    _expire_lease(job_id)
    assert jobs._claim(job_id, "new-worker")
    assert not jobs._finish(job_id, "slow-worker", state=FAILED, stage="Failed")
    assert jobs._finish(job_id, "new-worker", state=DONE, stage="Ready")
    db.session.commit()
    job = _fresh(job_id)
    assert job.state == DONE and job.attempts == 2


def test_a_job_interrupted_too_often_fails_with_a_message(app, db_session):
    job_id = _job(app)
    db.session.execute(
        update(ReportJob)
        .where(ReportJob.id == job_id)
        .values(state=RUNNING, attempts=app.config["REPORT_MAX_ATTEMPTS"], lease_owner="gone")
    )
    _expire_lease(job_id)
    assert jobs.recover() == 0
    job = _fresh(job_id)
    assert job.state == FAILED and "interrupted" in job.error
    assert not jobs._claim(job_id, "another")
