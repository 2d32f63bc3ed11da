"""Two app hosts, workers, one PostgreSQL, one Redis and one S3-compatible store (issue 28,
item 4): what one host does, the other sees and serves; background work runs on workers and a
worker killed mid-job loses nothing and doubles nothing.

Runs on PostgreSQL only (`VENDORRISK_TEST_BACKEND=postgresql`): SQLite is one file on one host.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from email.utils import make_msgid

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, make_user
from tests.multihost.conftest import wait_for
from tests.multihost.http import browser, post_form, save_section, sign_in
from tests.portal.helpers import PDF, n
from tests.support.factories import approved_version, create_campaign, make_vendor, portal_path
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.models import Evidence, Response
from vendorrisk.extensions import db
from vendorrisk.mail.models import QUEUED, SENT, OutboxMessage
from vendorrisk.reports.models import DONE, RUNNING, ReportJob

pytestmark = [pytest.mark.slow]

BUILD_BOUND = 300  # seconds for a report to be built on a busy two-core machine
MAILS = 1000


@pytest.fixture(scope="module")
def world(cluster):
    """A manager, a vendor of theirs and a campaign to it, committed to the shared database."""
    with cluster.app.app_context():
        owner = make_user("manager", name="Multihost Owner")
        vendor = make_vendor("Multihost vendor", owner=owner)
        campaign = create_campaign(approved_version(), [vendor], actor=owner)
        recipient = campaign.assignments[0].recipients[0]
        facts = {
            "email": owner.email,
            "vendor_id": vendor.id,
            "link": portal_path(recipient),
            "aid": recipient.assignment_id,
        }
        db.session.commit()
        db.session.remove()
    return facts


def _manager(cluster, world, host):
    session = browser()
    sign_in(session, host.url, world["email"], PASSWORD)
    return session


def _vendor_through_continue(cluster, world, host):
    session = browser()
    page = session.get(f"{host.url}{world['link']}", timeout=60)
    assert page.status_code == 200, page.text[:300]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{host.url}{world['link']}", data={"csrf_token": token}, allow_redirects=False, timeout=60
    )
    assert answer.status_code == 302, answer.text[:300]
    return session


def _read(cluster, query):
    with cluster.app.app_context():
        try:
            return query()
        finally:
            db.session.remove()


def test_a_vendor_saves_on_one_host_and_continues_on_the_other(cluster, world):
    a, b, aid = cluster.host_a.url, cluster.host_b.url, world["aid"]
    vendor = _vendor_through_continue(cluster, world, cluster.host_a)
    saved = save_section(vendor, a, aid, 2, {n("notes"): "Typed on host A"})
    assert saved.status_code == 302, saved.text[:300]

    # The same browser (its session cookie) goes on on host B and finds its answer there.
    page = vendor.get(f"{b}/portal/a/{aid}/s/2", timeout=60)
    assert page.status_code == 200 and "Typed on host A" in page.text
    saved = save_section(
        vendor, b, aid, 2, {n("notes"): "Finished on host B", n("notify_hours"): "4"}
    )
    assert saved.status_code == 302, saved.text[:300]

    def draft():
        response = db.session.scalar(select(Response).where(Response.assignment_id == aid))
        return response.draft

    stored = _read(cluster, draft)
    assert stored["notes"]["value"] == "Finished on host B"
    assert stored["notify_hours"]["value"] == {"decimal": "4"}


def test_evidence_uploaded_on_one_host_downloads_on_the_other(cluster, world):
    aid = world["aid"]
    body = PDF + b"%multihost evidence\n"
    vendor = _vendor_through_continue(cluster, world, cluster.host_a)
    saved = save_section(
        vendor,
        cluster.host_a.url,
        aid,
        2,
        {n("notes"): "With the report"},
        files={n("soc2_report"): ("soc2 report.pdf", body, "application/pdf")},
    )
    assert saved.status_code == 302, saved.text[:300]
    evidence_id, stored_name = _read(
        cluster,
        lambda: db.session.execute(
            select(Evidence.id, Evidence.stored_name).order_by(Evidence.id.desc()).limit(1)
        ).one(),
    )
    # In the shared store, not in host A's instance folder.
    assert stored_name in cluster.keys("uploads")
    assert not list((cluster.workdir / "instance-a").rglob(stored_name))

    manager = _manager(cluster, world, cluster.host_b)
    download = manager.get(f"{cluster.host_b.url}/review/evidence/{evidence_id}", timeout=60)
    assert download.status_code == 200
    assert download.content == body
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "soc2 report.pdf" in download.headers["Content-Disposition"]
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def _ask_for_report(cluster, world, host, manager) -> int:
    vid = world["vendor_id"]
    answer = post_form(
        manager, host.url, f"/reports/vendors/{vid}", f"/reports/vendors/{vid}/pdf", {}
    )
    assert answer.status_code == 302, answer.text[:500]
    return int(re.search(r"/reports/jobs/(\d+)", answer.headers["Location"]).group(1))


def _job(cluster, job_id: int) -> ReportJob:
    def load():
        job = db.session.get(ReportJob, job_id)
        db.session.expunge(job)
        return job

    return _read(cluster, load)


def _download_on_b(cluster, manager, job: ReportJob) -> bytes:
    """Download on host B with a session signed in on host A (sessions are shared)."""
    answer = manager.get(f"{cluster.host_b.url}/reports/jobs/{job.id}/download", timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.content.startswith(b"%PDF")
    assert hashlib.sha256(answer.content).hexdigest() == job.sha256
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in answer.headers["Content-Security-Policy"]
    return answer.content


def _built_entries(cluster, job_id: int) -> int:
    entries = _read(
        cluster,
        lambda: db.session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "report.built")
        ).all(),
    )
    return sum(1 for details in entries if details.get("job") == job_id)


def test_a_report_asked_for_on_one_host_is_built_by_a_worker_and_served_by_the_other(
    cluster, world
):
    worker = cluster.worker(cluster.env_b, "worker-report")
    try:
        manager = _manager(cluster, world, cluster.host_a)
        job_id = _ask_for_report(cluster, world, cluster.host_a, manager)
        done = wait_for(
            lambda: (job := _job(cluster, job_id)).state == DONE and job,
            BUILD_BOUND,
            lambda: f"report job {job_id} built\n{worker.log()[-3000:]}",
        )
    finally:
        worker.stop()
    assert done.attempts == 1
    assert f"{job_id:06d}" in done.file_name and done.file_name in cluster.keys("reports")
    _download_on_b(cluster, manager, done)
    assert _built_entries(cluster, job_id) == 1


def test_a_worker_killed_mid_report_leaves_it_to_another_and_it_is_built_once(cluster, world):
    pid_file = cluster.workdir / "stalled-horse.pid"
    stalling = cluster.start(
        [sys.executable, "-m", "tests.multihost.stalling_worker"],
        {**cluster.env_a, "STALL_PID_FILE": str(pid_file)},
        "worker-killed",
    )
    manager = _manager(cluster, world, cluster.host_a)
    job_id = _ask_for_report(cluster, world, cluster.host_a, manager)
    wait_for(
        lambda: (
            (job := _job(cluster, job_id)).state == RUNNING and job.stage == "Laying out the pages"
        ),
        BUILD_BOUND,
        lambda: f"report job {job_id} in the middle of its build\n{stalling.log()[-3000:]}",
    )
    horse = wait_for(lambda: pid_file.exists() and pid_file.read_text(), 60, "the horse's id")
    stalling.others.append(int(horse))
    stalling.kill()  # the worker and its work horse, SIGKILL
    interrupted = _job(cluster, job_id)
    assert interrupted.state == RUNNING and interrupted.attempts == 1
    assert interrupted.file_name is None

    rescuer = cluster.worker(cluster.env_b, "worker-rescuer")
    try:
        done = wait_for(
            lambda: (job := _job(cluster, job_id)).state == DONE and job,
            BUILD_BOUND,
            lambda: f"report job {job_id} rebuilt\n{rescuer.log()[-3000:]}",
        )
    finally:
        rescuer.stop()
    assert done.attempts == 2  # the killed build and the one that finished
    assert _built_entries(cluster, job_id) == 1
    assert [k for k in cluster.keys("reports") if k.startswith(f"{job_id:06d}-")] == [
        done.file_name
    ]
    _download_on_b(cluster, manager, done)


def test_two_outbox_senders_deliver_a_thousand_mails_once_each(cluster):
    marker = f"Bulk {cluster.prefix}"
    with cluster.app.app_context():
        db.session.add_all(
            OutboxMessage(
                message_id=make_msgid(domain="multihost.test"),
                template="bulk",
                recipient=f"bulk{i}@vendor.example",
                subject=f"{marker} {i}",
                body_text=f"Message {i}",
            )
            for i in range(MAILS)
        )
        db.session.commit()
        queued = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == QUEUED)
        )
        db.session.remove()
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "vendorrisk",
        "outbox",
        "send",
        "--limit",
        "50",
    ]
    senders = [
        cluster.start(command, cluster.env_a, "sender-a"),
        cluster.start(command, cluster.env_b, "sender-b"),
    ]
    for sender in senders:
        assert sender.wait(600) == 0, sender.log()
    sent = [int(re.search(r"sent (\d+)", s.log()).group(1)) for s in senders]
    assert sum(sent) == queued

    def bulk():
        return [m for m in cluster.smtp.messages if str(m["Subject"]).startswith(marker)]

    wait_for(lambda: len(bulk()) >= MAILS, 120, "all bulk mail at the relay")
    counts = Counter(str(m["Message-ID"]) for m in bulk())
    assert len(counts) == MAILS  # none lost
    assert max(counts.values()) == 1  # none twice
    subjects = Counter(str(m["Subject"]) for m in bulk())
    assert len(subjects) == MAILS and max(subjects.values()) == 1
    left = _read(
        cluster,
        lambda: db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.subject.startswith(marker), OutboxMessage.state != SENT)
        ),
    )
    assert left == 0
