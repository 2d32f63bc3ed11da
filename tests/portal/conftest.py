"""Fixtures for the portal tests: a small approved questionnaire sent to a vendor."""

import pytest

from tests.conftest import make_user
from tests.mail.helpers import use_relay
from tests.portal.helpers import open_portal, pdf_file
from tests.portal.reuse_scene import BASELINE, answer_and_submit
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db


@pytest.fixture(autouse=True)
def uploads(app, monkeypatch, tmp_path):
    """Store evidence files in the test's own folder."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


@pytest.fixture
def relay(app, monkeypatch, smtp_server):
    """A real SMTP server the outbox sender delivers to."""
    use_relay(app, monkeypatch, smtp_server.port)
    return smtp_server


@pytest.fixture
def version(db_session):
    """The small purpose-built questionnaire, approved."""
    return approved_version()


@pytest.fixture
def owner(db_session):
    """The vendor owner (a manager) who is told about submissions."""
    return make_user("manager", name="Olivia Owner")


@pytest.fixture
def vendor(owner):
    """A vendor with a primary and a security contact."""
    return make_vendor("Acme Mail Relay", owner=owner)


@pytest.fixture
def campaign(version, vendor):
    """A campaign of the small questionnaire to one vendor (its security contact is asked)."""
    return create_campaign(version, [vendor])


@pytest.fixture
def assignment(campaign):
    return campaign.assignments[0]


@pytest.fixture
def recipient(assignment):
    return assignment.recipients[0]


@pytest.fixture
def vendor_client(app):
    """A browser of the vendor's: its own cookies, no staff session."""
    return app.test_client()


@pytest.fixture
def aid(vendor_client, recipient):
    """The assignment id, with the vendor's browser already through Continue."""
    return open_portal(vendor_client, recipient)


@pytest.fixture
def baseline(db_session):
    """The baseline questionnaire of the tests of answers reused from earlier rounds."""
    return approved_version(BASELINE)


@pytest.fixture
def first_round(baseline, vendor, vendor_client):
    """The vendor answered and submitted the baseline once, attaching the plan as a PDF."""
    assignment = create_campaign(baseline, [vendor]).assignments[0]
    aid = open_portal(vendor_client, assignment.recipients[0])
    answer_and_submit(vendor_client, aid, evidence=pdf_file("plan.pdf"))
    db.session.expire_all()
    return assignment
