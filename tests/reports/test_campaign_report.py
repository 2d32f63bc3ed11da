"""The campaign portfolio report, and building reports in the background."""

import random
import re
from datetime import date, timedelta

import pytest
from flask_migrate import upgrade

from tests.conftest import make_user
from tests.conftest import test_config as config_for
from tests.reports import seed
from tests.reports.conftest import small_answers
from tests.reports.helpers import build, download, pages_text, squash
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk import create_app
from vendorrisk.extensions import db
from vendorrisk.reports import jobs
from vendorrisk.reports.models import CAMPAIGN_PDF, DONE, QUEUED, RUNNING, ReportJob
from vendorrisk.review import services as review


@pytest.fixture
def campaign(db_session):
    """Four vendors asked: two answered (one with an impact signal), one started, one silent."""
    owner = make_user("manager", name="Paula Portfolio")
    vendors = [make_vendor(f"Portfolio Vendor {n}", owner=owner) for n in "ABCD"]
    campaign = create_campaign(
        approved_version(),
        vendors,
        actor=owner,
        name="Connector sweep",
        due_date=date.today() + timedelta(days=7),
    )
    rng = random.Random(5)
    first, second = campaign.assignments[0], campaign.assignments[1]
    seed.submit(first, small_answers(), rng=rng)
    better = dict(
        small_answers(),
        rotated=seed.Answer("yes"),
        data_accessed=seed.Answer("no"),
        rotated_on=seed.Answer(date(2021, 1, 14)),
    )
    seed.submit(second, better, rng=rng)
    campaign.assignments[2].response_state = "in_progress"
    review.add_finding(
        first,
        make_user("manager"),
        title="Stored credentials were exposed",
        severity="critical",
        due_date=date.today() + timedelta(days=7),
        remediation="Reset every stored credential today.",
        internal=False,
    )
    db.session.flush()
    return campaign


def test_the_portfolio_pdf_reads_back(client, auth, campaign):
    """Response rate, ratings, critical findings, impact signals, one line per vendor."""
    auth.login("compliance")
    page, job_id = build(client, f"/reports/campaigns/{campaign.id}/pdf")
    assert "ready" in page.text
    texts = pages_text(download(client, job_id))
    text = " ".join(texts)
    for number, page_text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in page_text
    assert all("Connector sweep" in t for t in texts)
    assert "50 %" in text and "Response rate (2 of 4)".upper() in text.upper()
    for name in (
        "Portfolio Vendor A",
        "Portfolio Vendor B",
        "Portfolio Vendor C",
        "Portfolio Vendor D",
    ):
        assert name in text
    revision = campaign.assignments[0].response.latest_submitted
    assert revision.score["overall_display"] in text
    assert "Stored credentials were exposed" in text  # an open critical finding
    assert "Reset every stored credential today." in text
    assert squash(
        "Was any data you hold for us accessed by the attacker?: Yes, some of it"
    ) in squash(text)  # the impact signal
    assert re.search(r"No response\s+2\s+50 %", text)
    assert "Rotation of certificates" in text and "Readiness for incidents" in text


def test_the_job_page_shows_progress_until_the_report_is_ready(client, auth, campaign):
    """A queued or running job's page refreshes itself and shows a progress bar."""
    user = auth.login("compliance")
    job = jobs.request_report(CAMPAIGN_PDF, campaign, user)
    job.state, job.progress, job.stage = RUNNING, 42, "Laying out the pages"
    db.session.flush()
    page = client.get(f"/reports/jobs/{job.id}")
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert 'aria-valuenow="42"' in page.text and "pct-42" in page.text
    assert "Laying out the pages" in page.text
    job.state, job.progress = DONE, 100
    db.session.flush()
    page = client.get(f"/reports/jobs/{job.id}")
    assert "http-equiv" not in page.text and "Download the PDF" in page.text


def test_a_job_whose_worker_died_is_marked_failed(client, auth, campaign):
    user = auth.login("compliance")
    job = jobs.request_report(CAMPAIGN_PDF, campaign, user)
    job.state = QUEUED
    job.created_at = job.created_at - timedelta(days=1)
    db.session.flush()
    page = client.get(f"/reports/jobs/{job.id}")
    assert "interrupted" in page.text
    db.session.expire_all()
    assert db.session.get(ReportJob, job.id).state == "failed"


def test_a_report_is_built_on_a_worker_thread(tmp_path):
    """Without Redis a report builds on a thread of the app; the request returns at once.

    The worker needs committed data, so this test has a database of its own.
    """
    app = create_app(
        config_for(
            f"sqlite:///{tmp_path / 'thread.db'}",
            UPLOAD_FOLDER=str(tmp_path / "uploads"),
            REPORT_FOLDER=str(tmp_path / "reports"),
            REPORT_RUNNER="auto",
            REDIS_URL=None,
        )
    )
    with app.app_context():
        upgrade(revision="heads")
        owner = make_user("manager")
        vendor = make_vendor("Threaded Vendor", owner=owner)
        campaign = create_campaign(approved_version(), [vendor], actor=owner)
        seed.submit(campaign.assignments[0], small_answers(), rng=random.Random(1))
        requester = make_user("compliance")
        db.session.commit()
        assert jobs.runner() == "thread"
        job_id = jobs.request_report(CAMPAIGN_PDF, campaign, requester).id
        db.session.commit()
        future = jobs.dispatch(job_id)
        future.result(timeout=300)
        db.session.remove()
        done = db.session.get(ReportJob, job_id)
        assert done.state == DONE, done.error
        data = jobs.path_of(done.file_name).read_bytes()
        assert data.startswith(b"%PDF") and "Threaded Vendor" in " ".join(pages_text(data))
        db.session.remove()
        db.engine.dispose()
    app.extensions["reports"]["executor"].shutdown(wait=True)


def test_with_redis_a_report_is_built_by_an_rq_worker(tmp_path, monkeypatch):
    """With REDIS_URL set the job goes to the "reports" queue; an RQ worker builds it."""
    import shutil
    import socket
    import subprocess
    import time

    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redis_process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    from redis import Redis
    from rq import Queue, SimpleWorker

    connection = Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(50):
            try:
                connection.ping()
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        app = create_app(
            config_for(
                f"sqlite:///{tmp_path / 'rq.db'}",
                UPLOAD_FOLDER=str(tmp_path / "uploads"),
                REPORT_FOLDER=str(tmp_path / "reports"),
                REPORT_RUNNER="auto",
                REDIS_URL=f"redis://127.0.0.1:{port}/0",
            )
        )
        import vendorrisk

        monkeypatch.setattr(vendorrisk, "create_app", lambda config=None: app)
        with app.app_context():
            upgrade(revision="heads")
            owner = make_user("manager")
            campaign = create_campaign(approved_version(), [make_vendor(owner=owner)], actor=owner)
            job_id = jobs.request_report(CAMPAIGN_PDF, campaign, make_user("compliance")).id
            db.session.commit()
            assert jobs.runner() == "rq"
            assert jobs.dispatch(job_id) is None
            queue = Queue("reports", connection=connection)
            assert queue.count == 1
            SimpleWorker([queue], connection=connection).work(burst=True)
            db.session.remove()
            done = db.session.get(ReportJob, job_id)
            assert done.state == DONE, done.error
            assert jobs.path_of(done.file_name).read_bytes().startswith(b"%PDF")
            db.session.remove()
            db.engine.dispose()
    finally:
        connection.close()
        redis_process.terminate()
        redis_process.wait(10)


def test_the_portfolio_pdf_shows_each_clarification_exchange(client, auth, campaign):
    """A question asked about, and the vendor's reply in place (answer and comment), per round."""
    from vendorrisk.portal import services as portal
    from vendorrisk.questionnaires.answers import Answer

    first = campaign.assignments[0]
    template = portal.template_of(first)
    review.request_clarification(
        first, make_user("manager"), {"rotated": "Has it been replaced since?"}, template
    )
    db.session.flush()
    recipient, response = first.recipients[0], first.response
    answers = {
        "rotated": Answer("yes", comment="Replaced on 14 January, ticket CHG-7."),
        "rotated_on": Answer(date(2021, 1, 14)),
    }
    portal.save_answers(response, recipient, list(answers), answers, response.version)
    db.session.flush()
    revision = portal.submit(
        first, recipient, name="Pat Doe", title="CISO", expected_version=response.version
    )
    review.record_answer_replies(first, revision, recipient, template)
    db.session.flush()
    auth.login("compliance")
    _, job_id = build(client, f"/reports/campaigns/{campaign.id}/pdf")
    text = squash(" ".join(pages_text(download(client, job_id))))
    assert squash("Clarification exchanges") in text
    assert squash("Has it been replaced since?") in text
    assert squash("Answer changed to: Yes") in text
    assert squash("Comment: Replaced on 14 January, ticket CHG-7.") in text


def test_the_record_is_gathered_a_chunk_at_a_time_with_the_results(campaign, monkeypatch):
    """With chunks of one vendor the attached record is, byte for byte, the record gathered
    whole; each chunk's results are computed once, for the summary lines and the record."""
    import json

    from vendorrisk.core.timeutil import utcnow
    from vendorrisk.reports import documents
    from vendorrisk.reports import record as records
    from vendorrisk.reports.builders import campaign as campaign_builder
    from vendorrisk.reports.builders.common import Limits, Meta, new_document_id
    from vendorrisk.review import effective

    monkeypatch.setattr(campaign_builder, "RESULT_CHUNK", 1)
    computed = []
    for_revisions = effective.for_revisions

    def counted(revisions):
        computed.append(1)
        return for_revisions(revisions)

    monkeypatch.setattr(effective, "for_revisions", counted)
    now = utcnow()
    meta = Meta(new_document_id(now), now, "Paula Portfolio", "Compliance officer")
    _, files = documents.campaign_report(campaign, meta, Limits.from_config())
    assert len(computed) == len(campaign.assignments)  # one per chunk, none again for the record
    attached = {name: body for name, body, _ in files}
    whole = records.gather(records.campaign_assignments(campaign)).files()
    assert {name: attached[name] for name in whole} == whole
    assert len(json.loads(attached["answers.json"])) == len(campaign.assignments)
    assert len(json.loads(attached["scores.json"])) == 2
