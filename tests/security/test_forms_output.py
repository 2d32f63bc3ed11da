"""SECURITY.md items 14-16: forms and output.

CSRF on every state-changing route (a sweep of the URL map), escaped and capped free text with
cleaned Markdown, and the security headers on every kind of response (a sweep of the kinds).
"""

import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

import vendorrisk
from tests.advisories.helpers import add_update, feed_path, make_advisory
from tests.api.conftest import assert_problem
from tests.conftest import PASSWORD, AuthActions, CSRFClient, make_user
from tests.conftest import test_config as config_for
from tests.portal.helpers import (
    COMPLETE,
    PDF,
    answer_everything,
    draft_of,
    n,
    open_portal,
    save,
    section_url,
    submit,
    upload_evidence,
)
from tests.reports.conftest import make_assessment
from tests.support.factories import portal_path, portal_token
from vendorrisk import create_app
from vendorrisk.accounts.models import PasswordResetToken
from vendorrisk.accounts.services import RESET_PURPOSE
from vendorrisk.advisories.markup import render
from vendorrisk.api.tokens import create_token
from vendorrisk.campaigns.models import Assignment, Evidence, ImpactAlert
from vendorrisk.core import links
from vendorrisk.extensions import csrf, db
from vendorrisk.mail.models import OutboxMessage
from vendorrisk.permissions import PERMISSIONS, PUBLIC, is_public
from vendorrisk.questionnaires.drafts import create_empty
from vendorrisk.questionnaires.schema import MAX_TEXT_LENGTH
from vendorrisk.review import services as review
from vendorrisk.vendors import catalogue


def recipient_assignment(assignment_id: int) -> Assignment:
    return db.session.get(Assignment, assignment_id)


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Views that check the CSRF token themselves, so a form posted after the token lapsed is shown
# again with what was typed (item 3): what each says, and what was typed into it.
RESHOWN = {
    "portal.start": ("Press Continue again.", {}),
    "portal.save_section": ("Your answers are shown again", {n("notes"): "Typed, then tea"}),
    "portal.review": ("What you typed is shown again", {"name": "Typed Name", "title": "CISO"}),
}
# Tables a request may touch without changing anything: a signed-in request refreshes its
# session's idle timer.
VOLATILE = {"user_sessions"}


def _snapshot() -> dict[str, list[str]]:
    """Return every row of every table (the whole database, as the test's transaction sees it)."""
    db.session.expire_all()
    connection = db.session.connection()
    tables = sorted(set(inspect(connection).get_table_names()) - VOLATILE)
    return {
        table: sorted(
            repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        )  # noqa: S608
        for table in tables
    }


def _sweep_rows(app, vendor, owner, assignment, recipient, vendor_client, aid):
    """Create one real row of every kind a state-changing route names; return the URL values
    by argument name, the exceptions by endpoint, and a client per role."""
    assessment = make_assessment(vendor)  # submitted, reviewed, with findings and evidence
    finding = review.vendor_findings(assessment)[0]
    alert = db.session.scalar(select(ImpactAlert)) or ImpactAlert(
        assignment_id=assessment.id, question_id="data_accessed"
    )
    db.session.add(alert)
    product = catalogue.create_product({"supplier": "Acme", "name": "Sweep Widget"})
    use = catalogue.add_product_use(vendor, product.id)
    advisory = make_advisory()
    update = add_update(advisory)
    other = make_user("compliance")
    db.session.flush()
    assert upload_evidence(vendor_client, aid, "sweep.pdf", PDF).status_code == 302
    open_portal(vendor_client, assessment.recipients[0])  # one browser, two questionnaires
    evidence = db.session.scalar(
        select(Evidence).where(Evidence.response_id == assignment.response.id)
    )

    clients = {None: app.test_client(), "portal": vendor_client}
    for role in ("manager", "admin", "compliance"):
        clients[role] = app.test_client()
        AuthActions(clients[role]).login(role, **({"user": owner} if role == "manager" else {}))
    assert clients[None].post("/password/forgot", data={"email": other.email}).status_code == 302
    reset = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.user_id == other.id)
    )
    token, _ = create_token(owner, "sweep")
    values = {
        "message_id": db.session.scalar(select(OutboxMessage.id)),
        "user_id": other.id,
        "slug": advisory.slug,
        "key": "rotate",
        "number": update.number,
        "campaign_id": assessment.campaign_id,
        "assignment_id": assessment.id,
        "recipient_id": assessment.recipients[0].id,
        "alert_id": alert.id,
        "finding_id": finding.id,
        "token": portal_token(recipient),
        "evidence_id": evidence.id,
        "index": 2,
        "product_id": product.id,
        "use_id": use.id,
        "token_id": token.id,
        "vendor_id": vendor.id,
        "contact_id": vendor.contacts[0].id,
        "template_id": assessment.campaign.template_version.template_id,
        "version_id": assessment.campaign.template_version_id,
        "draft_id": create_empty("sweep-draft", "Sweep draft", "incident", owner).id,
        "deadline_id": 1,  # the post is refused for want of its token before any lookup
        "delegation_id": 1,  # likewise
    }
    exceptions = {
        "accounts.reset_password": {
            "token": links.derive_token(RESET_PURPOSE, reset.id, reset.nonce)
        },
        # The questionnaire still open to the vendor (the assessment is submitted).
        "portal.save_section": {"assignment_id": aid},
        "portal.review": {"assignment_id": aid},
        "portal.remove_evidence": {"assignment_id": aid},
    }
    return values, exceptions, clients


def _role_for(endpoint: str) -> str | None:
    """A role the permission table lets use the endpoint ("portal" for the vendor's pages)."""
    if is_public(endpoint):
        return "portal" if endpoint.startswith("portal.") else None
    roles = PERMISSIONS[endpoint]
    return next(role for role in ("manager", "admin", "compliance") if role in roles)


def test_item_14_every_state_changing_route_refuses_a_post_without_a_csrf_token(
    app, vendor, owner, assignment, recipient, vendor_client, aid
):
    """Item 14: "CSRF on every POST (Flask-WTF)." Walks the URL map: every POST, PUT, PATCH and
    DELETE route outside the bearer-token API, used by a role allowed to, with real rows, and no
    token: refused (400, or the portal form shown again with what was typed) and nothing
    changed."""
    values, exceptions, clients = _sweep_rows(
        app, vendor, owner, assignment, recipient, vendor_client, aid
    )
    swept, problems = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = sorted(rule.methods & UNSAFE)
        if not methods or rule.rule.startswith("/api/"):
            continue
        missing = sorted(set(rule.arguments) - set(values) - set(exceptions.get(rule.endpoint, {})))
        assert not missing, f"give the sweep a value for {missing} ({rule.endpoint})"
        url_values = {name: values[name] for name in rule.arguments}
        url_values.update(exceptions.get(rule.endpoint, {}))
        path = rule.build(url_values, append_unknown=False)[1]
        client = clients[_role_for(rule.endpoint)]
        message, typed = RESHOWN.get(rule.endpoint, ("The request could not be understood", {}))
        for method in methods:
            before = _snapshot()
            response = client.open(path, method=method, data=dict(typed), csrf=False)
            changed = [table for table, rows in _snapshot().items() if rows != before[table]]
            page = response.get_data(as_text=True)
            refused = response.status_code == 400 or (
                rule.endpoint in RESHOWN and response.status_code == 200
            )
            if not refused or message not in page or changed:
                problems.append((method, path, rule.endpoint, response.status_code, changed))
            problems += [(path, "typed text lost", v) for v in typed.values() if v not in page]
            swept.append(rule.endpoint)
    assert problems == []
    outside_api = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if r.methods & UNSAFE and not r.rule.startswith("/api/")
    }
    assert set(swept) == outside_api and len(swept) >= 59


def test_item_14_only_the_bearer_token_api_is_exempt_from_csrf(app):
    """Item 14: the API authenticates by bearer token, never by cookie, so it alone is exempt;
    the three portal views that check the token themselves are the only exempt views."""
    assert {bp.name for bp in csrf._exempt_blueprints} == {"api"}
    api_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    assert api_rules and all(r.rule.startswith("/api/") for r in api_rules)
    assert all(
        r.endpoint.startswith("api.")
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/api/")
    )
    assert csrf._exempt_views == {
        "vendorrisk.portal.link_views.start",
        "vendorrisk.portal.answer_views.save_section",
        "vendorrisk.portal.submit_views.review",
    }


def test_item_14_a_post_without_a_csrf_token_gets_a_friendly_400_page(client):
    """Item 14: "CSRF on every POST (Flask-WTF)", answered with a friendly page."""
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


def test_item_14_a_post_with_a_forged_csrf_token_is_refused(client):
    """Item 14: "CSRF on every POST": a forged token is no token."""
    user = make_user("manager")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_item_14_a_session_cookie_does_not_authenticate_the_api(client, auth, api):
    """Item 14: the API is exempt from CSRF only because no cookie authenticates it."""
    auth.login("manager")
    assert client.get("/vendors/").status_code == 200  # the session works for pages
    assert_problem(api.get("/vendors"), 401)
    assert_problem(api.post("/vendors", json={"name": "Acme"}), 401)


def test_item_15_free_text_answers_are_capped_at_10000_characters(vendor_client, aid):
    """Item 15: "Free-text answers are capped (e.g. 10,000 characters)." """
    assert MAX_TEXT_LENGTH == 10_000
    page = vendor_client.get(section_url(aid, 2)).text
    assert 'maxlength="10000"' in page
    too_long = save(vendor_client, aid, 2, {n("notes"): "x" * 10_001})
    assert too_long.status_code == 400
    assert "notes" not in draft_of(recipient_assignment(aid))
    assert save(vendor_client, aid, 2, {n("notes"): "x" * 10_000}).status_code == 302


def test_item_15_free_text_is_escaped_wherever_it_is_shown(
    client, auth, vendor_client, recipient, aid
):
    """Item 15: free text is "escaped"; "No `|safe` on user data." """
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    answer_everything(vendor_client, aid)
    assert save(vendor_client, aid, 2, {**COMPLETE[2], n("notes"): payload}).status_code == 302
    pages = [vendor_client.get(section_url(aid, 2)).text]
    assert "<script>alert" not in vendor_client.get(f"/portal/a/{aid}/submit").text
    assert submit(vendor_client, aid).status_code == 302
    pages.append(vendor_client.get(f"/portal/a/{aid}/receipt").text)
    auth.login("compliance")
    assert "<script>alert" not in client.get(f"/review/assignments/{aid}").text
    for index, page in enumerate(pages):
        assert payload not in page and "<script>alert" not in page, index
        assert "&lt;script&gt;alert(" in page, index
    templates = Path(vendorrisk.__file__).parent / "templates"
    uses = [
        f"{path.relative_to(templates)}:{number}"
        for path in sorted(templates.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\|\s*safe\b", line) and not line.lstrip().startswith("{#")
    ]
    assert uses == []


@pytest.mark.parametrize(
    "markdown, forbidden",
    [
        ("Hello <script>alert('x')</script> world", ["<script", "alert("]),
        ("<style>body { display: none }</style>text", ["<style", "display: none"]),
        ("[click](javascript:alert(1))", ["javascript:"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "JaVaScRiPt"]),
        ('<a href="java&#x09;script:alert(1)">x</a>', ["script:", "&#x09;"]),
        ("<img src=x onerror=alert(1)>", ["<img", "onerror", "alert("]),
        ('<p onclick="steal()" style="color:red">hi</p>', ["onclick", "steal", "style="]),
        ('<iframe src="https://evil.example"></iframe>', ["<iframe", "evil.example"]),
        ('<div onmouseover="x()">raw html block</div>', ["onmouseover", "<div"]),
        ("[data](data:text/html;base64,PHNjcmlwdD4=)", ["data:"]),
        ("[rel](/admin/users)", ["/admin/users"]),
        ("<svg onload=alert(1)><circle/></svg>", ["<svg", "onload"]),
        ('<form action="https://evil.example"><input name=x></form>', ["<form", "<input"]),
    ],
)
def test_item_15_dangerous_markup_is_removed(markdown, forbidden):
    """Item 15: "Markdown (advisories) is rendered with python-markdown and cleaned with nh3." """
    html = render(markdown)
    for fragment in forbidden:
        assert fragment not in html, html


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
    # A report download may be stricter still: nothing at all, in a sandbox.
    download = csp.get("default-src") == ["'none'"] and csp.get("sandbox") == []
    for name, sources in REQUIRED_CSP.items():
        expected = ["'none'"] if download and name == "default-src" else sources
        assert csp.get(name) == expected, (name, csp.get(name))
    # Beyond those four, only these: forms post back to us; images may be data: URLs
    # (Bootstrap's icons in CSS). Anything else added to the policy must be decided here.
    assert set(csp) - set(REQUIRED_CSP) <= ({"sandbox"} if download else {"form-action", "img-src"})
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


def _assert_download(response, mimetype: str) -> None:
    assert response.status_code == 200, (response.request.path, response.status_code)
    assert response.mimetype == mimetype, response.request.path
    assert response.headers["Content-Disposition"].startswith("attachment;"), response.request.path


def test_item_16_every_kind_of_response_carries_the_security_headers(
    app, client, auth, vendor, vendor_client, recipient, aid, monkeypatch
):
    """Item 16: "CSP with `default-src 'self'; object-src 'none'; base-uri 'none';
    frame-ancestors 'none'`, no `'unsafe-inline'` ...; `X-Content-Type-Options: nosniff`";
    item 14: "`Referrer-Policy: strict-origin`"; item 17: downloads are attachments; item 2:
    portal responses are not cached. One of each kind: page, API JSON, API problem, evidence,
    CSV, XLSX and PDF downloads, error pages, the feed, the health check and static files."""
    assessment = make_assessment(vendor)
    evidence = assessment.response.evidence[0]
    owner = auth.login("manager", user=vendor.owner)
    token = create_token(owner, "headers")[1]
    bearer = {"Authorization": f"Bearer {token}"}
    responses = {}
    responses["page"] = client.get(f"/vendors/{vendor.id}")
    responses["api json"] = client.get("/api/v1/vendors", headers=bearer)
    responses["api problem 401"] = client.get("/api/v1/vendors")
    responses["api problem 404"] = client.get("/api/v1/no-such-thing", headers=bearer)
    responses["api xlsx"] = client.get(f"/api/v1/vendors/{vendor.id}/export.xlsx", headers=bearer)
    responses["evidence"] = client.get(f"/review/evidence/{evidence.id}")
    responses["csv"] = client.get(f"/reports/vendors/{vendor.id}/findings.csv")
    responses["xlsx"] = client.get(f"/reports/vendors/{vendor.id}/export.xlsx")
    asked = client.post(f"/reports/vendors/{vendor.id}/pdf", data={})
    assert asked.status_code == 302
    job_id = int(asked.location.rstrip("/").split("/")[-1])
    responses["pdf"] = client.get(f"/reports/jobs/{job_id}/download")
    responses["404"] = client.get("/no-such-page")
    responses["405"] = client.get("/logout")
    auth.logout()
    auth.login("manager")
    responses["403"] = client.get("/audit/")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    responses["413"] = upload_evidence(vendor_client, aid, "big.pdf", b"%PDF-" + b"0" * 4096)
    monkeypatch.undo()
    responses["feed"] = client.get("/advisories/feed.atom")
    responses["healthz"] = client.get("/healthz")
    responses["static"] = client.get("/static/js/portal.js")
    responses["portal page"] = vendor_client.get(section_url(aid, 0))
    responses["portal link"] = vendor_client.get(portal_path(recipient))

    expected = {"405": 405, "403": 403, "404": 404, "413": 413, "api problem 401": 401}
    expected["api problem 404"] = 404
    for kind, response in responses.items():
        assert response.status_code == expected.get(kind, 200), (kind, response.status_code)
        assert_security_headers(response)
    for kind in ("api problem 401", "api problem 404"):
        assert responses[kind].mimetype == "application/problem+json", kind
    assert responses["api json"].mimetype == "application/json"
    for kind in ("405", "403", "404", "413"):
        assert responses[kind].mimetype == "text/html", kind
    assert "20 MiB" not in responses["413"].text and "1 KiB" in responses["413"].text
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    _assert_download(responses["api xlsx"], xlsx)
    _assert_download(responses["xlsx"], xlsx)
    _assert_download(responses["evidence"], "application/pdf")
    _assert_download(responses["csv"], "text/csv")
    _assert_download(responses["pdf"], "application/pdf")
    assert responses["feed"].mimetype == "application/atom+xml"
    for kind in ("portal page", "portal link", "413"):
        assert responses[kind].headers["Cache-Control"] == "no-store", kind
    for response in responses.values():
        response.close()


def test_item_16_a_signed_in_page_has_the_security_headers(client, auth):
    """Item 16: every response carries the headers; signed-in pages are not cached."""
    auth.login("manager")
    response = client.get("/")
    assert response.status_code == 200
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_item_16_the_login_page_has_the_security_headers(client):
    """Item 16: the sign-in page carries the headers."""
    response = client.get("/login")
    assert response.status_code == 200
    assert_security_headers(response)


def test_item_16_a_404_page_has_the_security_headers(client):
    """Item 16: a 404 page carries the headers."""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Not found" in response.text
    assert_security_headers(response)


def test_item_16_a_403_page_has_the_security_headers(client, auth):
    """Item 16: a 403 page carries the headers."""
    auth.login("manager")
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text
    assert_security_headers(response)


@pytest.mark.parametrize("path", ["/static/css/app.css", "/static/favicon.svg"])
def test_item_16_a_static_file_has_the_security_headers(client, path):
    """Item 16: static files carry the headers."""
    response = client.get(path)
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def test_item_16_a_bootstrap_asset_has_the_security_headers(client):
    """Item 16: Bootstrap's own assets carry the headers."""
    page = client.get("/login").text
    start = page.index('href="/bootstrap/') + len('href="')
    path = page[start : page.index('"', start)]
    response = client.get(path)
    assert response.status_code == 200
    assert_security_headers(response)
    response.close()


def test_item_16_the_health_check_has_the_security_headers(client):
    """Item 16: the health check carries the headers."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert_security_headers(response)


def test_item_16_a_csv_download_has_the_security_headers(client, auth):
    """Item 16: a CSV download carries the headers."""
    auth.login("compliance")
    response = client.get("/audit/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert_security_headers(response)


def test_item_16_a_redirect_has_the_security_headers(client):
    """Item 16: a redirect carries the headers."""
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert_security_headers(response)


def test_item_16_an_unhandled_error_renders_the_500_page_without_a_traceback(
    database_url, monkeypatch
):
    """Item 16: the 500 page carries the headers and no detail."""
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


def test_item_16_an_unhandled_error_under_api_is_a_json_problem_without_detail(
    database_url, monkeypatch
):
    """Item 16: an unexpected API error is a problem+json without detail."""
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


def _production_app(database_url, **extra):
    application = create_app(config_for(database_url, ENV_NAME="production", **extra))
    application.test_client_class = CSRFClient
    return application


def test_item_16_hsts_is_sent_in_production_only(database_url, client):
    """Item 16: "HSTS in production." """
    assert "Strict-Transport-Security" not in client.get("/login").headers
    production = _production_app(database_url)
    with production.app_context():
        response = production.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert (
        int(response.headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 31536000
    )


def test_item_16_hsts_is_sent_on_every_kind_of_response_in_production(
    database_url, db_session, recipient
):
    """Item 16: "HSTS in production": pages, API JSON and problems, downloads, error pages,
    the feed, the health check, static files and the portal."""
    production = _production_app(database_url)
    assert production.config["HSTS"] and production.config["SESSION_COOKIE_SECURE"]
    user = make_user("compliance")
    vendor_id = recipient.assignment.vendor_id
    bearer = {"Authorization": "Bearer " + create_token(user, "hsts")[1]}
    client = production.test_client()
    responses = {
        "page": client.get("/login"),
        "api json": client.get("/api/v1/vendors", headers=bearer),
        "api problem": client.get("/api/v1/vendors"),
        "download": client.get(f"/api/v1/vendors/{vendor_id}/export.xlsx", headers=bearer),
        "404": client.get("/no-such-page"),
        "405": client.get("/logout"),
        "feed": client.get(feed_path(user)),
        "healthz": client.get("/healthz"),
        "static": client.get("/static/css/app.css"),
        "portal": client.get(portal_path(recipient)),
    }
    for kind, response in responses.items():
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert hsts.startswith("max-age="), kind
        assert int(hsts.split("=")[1].split(";")[0]) >= 31536000, kind
        assert response.headers["X-Content-Type-Options"] == "nosniff", kind
        assert response.headers["Referrer-Policy"] == "strict-origin", kind
        response.close()
    assert responses["portal"].headers["Cache-Control"] == "no-store"


def _assert_no_inline_code(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.text.lower()
    assert "<script>" not in page and "<style" not in page and " style=" not in page, path
    assert " onclick=" not in page and "javascript:" not in page, path


@pytest.mark.parametrize(
    "path", ["/", "/profile", "/admin/users", "/admin/users/new", "/admin/outbox/", "/audit/"]
)
def test_item_16_foundation_pages_use_no_inline_scripts_or_styles(client, auth, path):
    """Item 16: "no 'unsafe-inline' for scripts or styles (so no inline `style=` attributes)."

    The CSP would block them; a page relying on one would break in the browser."""
    auth.login("admin")
    _assert_no_inline_code(client, path)


def test_item_16_the_sign_in_and_two_step_set_up_pages_use_no_inline_code(client, auth):
    """Item 16: no inline code on the sign-in and set-up pages either."""
    for path in ("/login", "/password/forgot"):
        _assert_no_inline_code(client, path)
    auth.login("manager")
    _assert_no_inline_code(client, "/profile/mfa")  # the QR code is an inline SVG
