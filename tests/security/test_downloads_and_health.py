"""Issue 20, items 7 and 8: every download is sandboxed; the health check tells strangers
only whether the service works."""

import pytest

from tests.conftest import make_user
from tests.portal.helpers import PDF, all_evidence, upload_evidence
from vendorrisk.core.security import DOWNLOAD_CSP
from vendorrisk.extensions import db


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.strip() for d in policy.split(";") if d.strip()}


def test_an_evidence_download_carries_the_same_sandbox_csp_as_a_report_download(
    client, auth, vendor_client, aid, uploads
):
    """Item 7: an evidence file downloads under the report downloads' sandbox policy."""
    assert upload_evidence(vendor_client, aid, "SOC 2 report.pdf", PDF).status_code == 302
    (evidence,) = all_evidence()
    auth.login("compliance")
    response = client.get(f"/review/evidence/{evidence.id}")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == DOWNLOAD_CSP
    directives = _directives(response)
    assert directives["default-src"] == "default-src 'none'" and "sandbox" in directives
    response.close()


def test_an_anonymous_health_check_says_only_ok(client):
    """Item 8: a stranger learns that the service works, not how much mail waits."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_an_anonymous_health_check_says_only_fail_when_the_database_is_down(client, monkeypatch):
    """Item 8: a failing database gives a stranger 503 and "fail", nothing more."""

    def broken(*args, **kwargs):
        raise RuntimeError("no database")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "fail"}


def test_a_signed_in_administrator_sees_the_mail_backlog(client, auth):
    """Item 8: administrators get the backlog figures."""
    auth.login("admin")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"
    assert isinstance(response.json["outbox_backlog"], int)
    assert "oldest_unsent_seconds" in response.json


@pytest.mark.parametrize("role", ["manager", "compliance"])
def test_other_staff_see_only_ok(client, auth, role):
    """Item 8: the backlog is for administrators, not every signed-in person."""
    auth.login(role)
    assert client.get("/healthz").json == {"status": "ok"}


def test_the_monitoring_token_unlocks_the_backlog_and_a_wrong_one_does_not(app, client):
    """Item 8: a monitoring system shows the configured token; a guess gets ok only."""
    app.config["MONITORING_TOKEN"] = "m" * 40
    try:
        good = client.get("/healthz", headers={"Authorization": "Bearer " + "m" * 40})
        wrong = client.get("/healthz", headers={"Authorization": "Bearer " + "x" * 40})
        empty = client.get("/healthz", headers={"Authorization": "Bearer "})
    finally:
        app.config["MONITORING_TOKEN"] = None
    assert isinstance(good.json["outbox_backlog"], int)
    assert wrong.json == {"status": "ok"} and empty.json == {"status": "ok"}


def test_without_a_configured_token_an_empty_bearer_unlocks_nothing(app, client):
    """Item 8: no token configured means no token opens the figures."""
    assert app.config.get("MONITORING_TOKEN") is None
    response = client.get("/healthz", headers={"Authorization": "Bearer None"})
    assert response.json == {"status": "ok"}
    make_user("admin")  # an administrator existing is not the same as being signed in
    assert client.get("/healthz").json == {"status": "ok"}


def test_a_huge_url_encoded_form_is_refused_before_it_is_decoded(client, auth):
    """Issue 20 sweep: 2 MiB of percent-escapes in a form is a 413, not seconds of decoding."""
    auth.login("manager")
    body = "title=" + "%5B" * (2 * 1024 * 1024 // 3)
    response = client.post(
        "/vendors/new", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "A form or JSON body may be at most 1" in response.get_data(as_text=True)


def test_a_huge_json_body_is_refused(client, auth):
    from vendorrisk.api.tokens import create_token

    user = auth.login("manager")
    token = create_token(user, "big")[1]
    response = client.post(
        "/api/v1/vendors",
        data=b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_deeply_nested_json_to_the_api_is_a_clear_400(client, auth):
    """Issue 20 sweep: JSON nested 5,000 deep was a RecursionError and a 500."""
    from vendorrisk.api.tokens import create_token

    user = auth.login("manager")
    token = create_token(user, "deep")[1]
    response = client.post(
        "/api/v1/vendors",
        data=b"[" * 5000 + b"]" * 5000,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.get_data(as_text=True)
