"""Who sees the dashboard: the home page of managers and compliance officers; administrators
keep their overview; nobody signed out sees anything."""

from vendorrisk.permissions import PERMISSIONS


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for path in (
        "/dashboard/",
        "/dashboard/charts/residual.svg",
        "/dashboard/overdue",
        "/dashboard/impact",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location, path
    assert client.post("/dashboard/impact/1/handle", data={"note": "x"}).status_code in (302, 400)


def test_the_home_page_is_the_dashboard_for_managers_and_compliance_officers(db_session, signed_in):
    for role in ("manager", "compliance"):
        home = signed_in(role).get("/")
        assert home.status_code == 200 and "Portfolio dashboard" in home.text, role
        assert 'href="/static/css/dashboard.css"' in home.text


def test_administrators_keep_their_overview_with_a_card_to_the_dashboard(db_session, signed_in):
    client = signed_in("admin")
    home = client.get("/")
    assert "Portfolio dashboard" not in home.text and 'href="/dashboard/"' in home.text
    assert client.get("/dashboard/").status_code == 200


def test_only_managers_may_mark_impact_signals_handled():
    assert PERMISSIONS["dashboard.impact_handle"] == frozenset({"admin", "manager"})
    for endpoint in ("dashboard.index", "dashboard.chart", "dashboard.overdue", "dashboard.impact"):
        assert PERMISSIONS[endpoint] == frozenset({"admin", "manager", "compliance"})


def test_the_dashboard_page_carries_no_inline_style_or_script(portfolio, signed_in):
    page = signed_in(portfolio.manager).get("/?scope=all").text
    assert 'style="' not in page and "<script>" not in page and " on" + "click=" not in page
    assert "<svg" not in page  # charts are images from their own URL
