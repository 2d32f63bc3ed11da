"""Fixtures for the report tests: files in the test's own folders, jobs built inline."""

import random
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import make_user
from tests.reports import seed
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.review import services as review

VENDOR_NAME = "Fabrikam Secure Mail"


@pytest.fixture(autouse=True)
def report_folders(app, monkeypatch, tmp_path):
    """Evidence and report files in the test's folder; report jobs run inside the request."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "REPORT_FOLDER", str(tmp_path / "reports"))
    monkeypatch.setitem(app.config, "REPORT_RUNNER", "inline")
    return tmp_path


def small_answers(notes: str = "Nothing else.", comment: str | None = None) -> dict:
    """Answers to the small questionnaire: a failed critical question, evidence, free text."""
    return {
        "uses_connector": Answer("yes"),
        "data_accessed": Answer("yes"),
        "rotated": Answer("no"),
        "credentials_reset": Answer("all"),
        "notify_hours": Answer(48, comment=comment),
        "notes": Answer(notes),
    }


def make_assessment(
    vendor,
    *,
    notes: str = "Nothing else.",
    comment: str | None = None,
    reviewer=None,
    approver=None,
    actor=None,
    name: str | None = None,
):
    """Send the small questionnaire to a vendor, submit answers with evidence, review them."""
    version = approved_version()
    campaign = create_campaign(
        version,
        [vendor],
        actor=actor or vendor.owner,
        due_date=date.today() + timedelta(days=10),
        name=name or f"Connector check for {vendor.name}",
    )
    assignment = campaign.assignments[0]
    seed.submit(assignment, small_answers(notes, comment), rng=random.Random(3))
    reviewer = reviewer or make_user("manager", name="Rita Reviewer")
    approver = approver or make_user("compliance", name="Carl Compliance")
    findings = [f for f in review.vendor_findings(assignment) if f.is_open]
    if findings:
        review.accept_risk(
            findings[-1],
            approver,
            "Compensating control in place.",
            date.today() + timedelta(days=90),
        )
    review.decide(
        assignment,
        reviewer,
        "approved_with_conditions",
        "Fix before renewal.",
        [("Rotate the connector certificate", date.today() + timedelta(days=30))],
    )
    db.session.flush()
    return assignment


@pytest.fixture
def owner(db_session):
    return make_user("manager", name="Olivia Owner")


@pytest.fixture
def vendor(owner):
    return make_vendor(VENDOR_NAME, owner=owner, criticality="critical", data_access="regulated")


@pytest.fixture
def assessment(vendor):
    return make_assessment(vendor)


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with 404 and remembers that it came."""

    hits: list[str]

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.server.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        return


@pytest.fixture
def http_recorder():
    """A tiny HTTP server on 127.0.0.1 that records every request it receives."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)
