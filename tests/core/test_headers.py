"""Security headers on every kind of response, trusted proxies, and friendly error pages."""

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, CSRFClient, make_user
from tests.conftest import test_config as config_for
from vendorrisk import create_app
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.permissions import PERMISSIONS, PUBLIC

REQUIRED_CSP = {
    "default-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"no CSP on {response.request.path}"
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            assert words[0] not in directives, f"{words[0]} given twice"
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response) -> None:
    """The headers SECURITY.md items 14 and 16 ask of every response."""
    csp = _csp(response)
    for name, sources in REQUIRED_CSP.items():
        assert csp.get(name) == sources, (name, csp.get(name))
    # Beyond those four, only these: forms post back to us; images may be data: URLs
    # (Bootstrap's icons in CSS). Anything else added to the policy must be decided here.
    assert set(csp) - set(REQUIRED_CSP) <= {"form-action", "img-src"}, csp
    assert csp.get("form-action", ["'self'"]) == ["'self'"]
    assert csp.get("img-src", ["'self'"]) in (["'self'"], ["'self'", "data:"])
    everything = " ".join(" ".join(v) for v in csp.values())
    assert "'unsafe-inline'" not in everything
    assert "'unsafe-eval'" not in everything
    assert "*" not in everything.split()
    # Scripts and styles fall back to default-src 'self'; nothing widens them.
    for name in (
        "script-src",
        "script-src-elem",
        "script-src-attr",
        "style-src",
        "style-src-elem",
        "style-src-attr",
    ):
        assert name not in csp or csp[name] == ["'self'"], (name, csp[name])
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin"
    assert "Strict-Transport-Security" not in response.headers  # not in the testing config


def test_a_signed_in_page_has_the_security_headers(client, auth):
    auth.login("manager")
    response = client.get("/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_page_has_the_security_headers(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_404_page_has_the_security_headers(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Not found" in response.text
    assert_security_headers(response)


def test_a_403_page_has_the_security_headers(client, auth):
    auth.login("manager")
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text
    assert_security_headers(response)


@pytest.mark.parametrize("path", ["/static/css/app.css", "/static/favicon.svg"])
def test_a_static_file_has_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def test_a_bootstrap_asset_has_the_security_headers(client):
    page = client.get("/login").text
    start = page.index('href="/bootstrap/') + len('href="')
    path = page[start : page.index('"', start)]
    response = client.get(path)
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def test_the_health_check_has_the_security_headers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert_security_headers(response)


def test_a_csv_download_has_the_security_headers(client, auth):
    auth.login("compliance")
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert_security_headers(response)


def test_a_redirect_has_the_security_headers(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert_security_headers(response)


def _assert_no_inline_code(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.text.lower()
    assert "<script>" not in page and "<style" not in page and " style=" not in page, path
    assert " onclick=" not in page and "javascript:" not in page, path


@pytest.mark.parametrize(
    "path", ["/", "/profile", "/admin/users", "/admin/users/new", "/admin/outbox/", "/audit/"]
)
def test_foundation_pages_use_no_inline_scripts_or_styles(client, auth, path):
    """The CSP would block them; a page relying on one would break in the browser."""
    auth.login("admin")
    _assert_no_inline_code(client, path)


def test_the_sign_in_and_two_step_set_up_pages_use_no_inline_code(client, auth):
    for path in ("/login", "/password/forgot"):
        _assert_no_inline_code(client, path)
    auth.login("manager")
    _assert_no_inline_code(client, "/profile/mfa")  # the QR code is an inline SVG


def _production_app(database_url, **extra):
    application = create_app(config_for(database_url, ENV_NAME="production", **extra))
    application.test_client_class = CSRFClient
    return application


def test_hsts_is_sent_in_production_only(database_url, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    production = _production_app(database_url)
    with production.app_context():
        response = production.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert (
        int(response.headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 31536000
    )


def _login_ip(application, headers) -> str:
    user = make_user("manager")
    with application.app_context():
        response = application.test_client().post(
            "/login", data={"email": user.email, "password": PASSWORD}, headers=headers
        )
    assert response.status_code == 302
    db.session.expire_all()
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.actor_id == user.id)
    )
    return entry.ip


def test_x_forwarded_for_is_ignored_without_trusted_proxies(app, db_session):
    assert app.config["TRUSTED_PROXY_COUNT"] == 0
    assert _login_ip(app, {"X-Forwarded-For": "203.0.113.7"}) == "127.0.0.1"


def test_x_forwarded_for_is_honoured_with_one_trusted_proxy(database_url, db_session):
    behind_proxy = create_app(config_for(database_url, TRUSTED_PROXY_COUNT=1))
    behind_proxy.test_client_class = CSRFClient
    assert _login_ip(behind_proxy, {"X-Forwarded-For": "203.0.113.7"}) == "203.0.113.7"


def test_with_one_trusted_proxy_only_the_last_hop_counts(database_url, db_session):
    """A client that sends its own X-Forwarded-For cannot choose the address recorded."""
    behind_proxy = create_app(config_for(database_url, TRUSTED_PROXY_COUNT=1))
    behind_proxy.test_client_class = CSRFClient
    spoofed = {"X-Forwarded-For": "10.9.9.9, 203.0.113.8"}
    assert _login_ip(behind_proxy, spoofed) == "203.0.113.8"


def test_a_post_without_a_csrf_token_gets_a_friendly_400_page(client):
    user = make_user("manager")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "The request could not be understood" in response.text
    assert "Go back, check the form and try again." in response.text
    assert "<title>400 Bad Request</title>" not in response.text
    assert "CSRF" not in response.text
    assert_security_headers(response)
    assert client.get("/").status_code == 302  # and nothing was signed in


def test_a_post_with_a_forged_csrf_token_is_refused(client):
    user = make_user("manager")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_an_unhandled_error_renders_the_500_page_without_a_traceback(database_url, monkeypatch):
    fresh = create_app(config_for(database_url))

    @fresh.route("/boom")
    def boom():
        raise RuntimeError("secret internal detail /srv/app/db.py line 42")

    monkeypatch.setitem(PERMISSIONS, "boom", PUBLIC)
    with fresh.app_context():
        response = fresh.test_client().get("/boom")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Traceback" not in response.text
    assert "secret internal detail" not in response.text
    assert "RuntimeError" not in response.text
    assert_security_headers(response)


def test_an_unhandled_error_under_api_is_a_json_problem_without_detail(database_url, monkeypatch):
    fresh = create_app(config_for(database_url))

    @fresh.route("/api/boom")
    def api_boom():
        raise RuntimeError("secret internal detail")

    monkeypatch.setitem(PERMISSIONS, "api_boom", PUBLIC)
    with fresh.app_context():
        response = fresh.test_client().get("/api/boom")

    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 500
    assert "secret" not in response.text
