"""Fixtures for the API tests: tokens for each role and a client that sends them."""

from datetime import date

import pytest

from tests.conftest import make_user
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.api.tokens import create_token


class Api:
    """Call /api/v1 with a bearer token (and no session, no CSRF token)."""

    def __init__(self, client):
        self.client = client

    def token(self, role: str = "manager", **kwargs) -> str:
        user = kwargs.pop("user", None) or make_user(role, **kwargs)
        return create_token(user, f"{role} test")[1]

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        *,
        json=None,
        headers: dict | None = None,
        **kwargs,
    ):
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(
            "/api/v1" + path, method=method, json=json, headers=headers, **kwargs
        )

    def get(self, path: str, token: str | None = None, **kwargs):
        return self.call("GET", path, token, **kwargs)

    def post(self, path: str, token: str | None = None, **kwargs):
        return self.call("POST", path, token, **kwargs)

    def patch(self, path: str, token: str | None = None, **kwargs):
        return self.call("PATCH", path, token, **kwargs)


@pytest.fixture(autouse=True)
def report_folder(app, monkeypatch, tmp_path):
    """Report files built through the API land in the test's own folder."""
    monkeypatch.setitem(app.config, "REPORT_FOLDER", str(tmp_path / "reports"))
    monkeypatch.setitem(app.config, "REPORT_RUNNER", "inline")


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def submitted(db_session):
    """An assignment whose vendor submitted weak answers (so it has a score and findings)."""
    version = approved_version()
    vendor = make_vendor(owner=make_user("manager"))
    campaign = create_campaign(version, [vendor], due_date=date(2030, 1, 31))
    assignment = campaign.assignments[0]
    submit(assignment, WEAK_ANSWERS)
    return assignment


def assert_problem(response, status: int, *fields: str) -> dict:
    """Check a response is an RFC 9457 problem with this status (and these bad fields)."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert "Traceback" not in response.get_data(as_text=True)
    for name in fields:
        assert name in body["errors"], body
    return body
