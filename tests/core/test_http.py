"""Numbers in URLs and query strings: whatever a person, a stale bookmark or a scanner sends,
the answer is a page or a plain 404, never a 500 (PostgreSQL refuses to compare an id column
with a number beyond 32 bits, SQLite with one beyond 64)."""

import pytest
from werkzeug.routing import IntegerConverter

from tests.api.conftest import assert_problem
from tests.vendors.factories import make_vendor
from vendorrisk.api.tokens import create_token
from vendorrisk.core.http import MAX_ID

TOO_BIG = MAX_ID + 1
WAY_TOO_BIG = 2**64  # beyond SQLite's integers too


def _int_routes(app):
    for rule in app.url_map.iter_rules():
        numbers = [a for a, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if numbers:
            for number in (TOO_BIG, WAY_TOO_BIG):
                values = {a: number if a in numbers else "x" for a in rule.arguments}
                yield rule, rule.build(values, append_unknown=False)[1]


def test_an_id_beyond_what_a_database_holds_is_a_404_on_every_route(app, client):
    """Turned away before any sign-in check or query, whatever the method."""
    swept = []
    for rule, path in _int_routes(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            assert response.status_code == 404, (method, path, response.status_code)
            swept.append(rule.endpoint)
    assert len(set(swept)) >= 60  # every kind of page: vendors, campaigns, portal, API ...


def test_the_largest_id_a_database_holds_reaches_the_view_and_finds_nothing(client, auth):
    auth.login("manager")
    for path in (
        f"/vendors/{MAX_ID}",
        f"/campaigns/{MAX_ID}",
        f"/findings/{MAX_ID}",
        f"/templates/versions/{MAX_ID}",
        f"/review/assignments/{MAX_ID}",
    ):
        assert client.get(path).status_code == 404, path


def test_the_api_answers_an_id_too_large_with_a_problem(client, auth):
    user = auth.login("manager")
    bearer = {"Authorization": "Bearer " + create_token(user, "ids")[1]}
    assert_problem(client.get(f"/api/v1/vendors/{TOO_BIG}", headers=bearer), 404)
    assert_problem(client.get(f"/api/v1/vendors/{WAY_TOO_BIG}", headers=bearer), 404)
    assert_problem(client.get(f"/api/v1/vendors/{MAX_ID}", headers=bearer), 404)


@pytest.mark.parametrize("value", [str(TOO_BIG), str(WAY_TOO_BIG), "-5", "0", "abc", ""])
@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("manager", "/vendors/?page="),
        ("manager", "/findings/?page="),
        ("manager", "/findings/?owner="),
        ("manager", "/findings/?vendor_id="),
        ("manager", "/dashboard/overdue?page="),
        ("manager", "/dashboard/impact?page="),
        ("compliance", "/audit/?page="),
        ("admin", "/admin/outbox/?page="),
    ],
)
def test_odd_numbers_in_a_list_query_still_show_a_page(client, auth, role, path, value):
    auth.login(role)
    response = client.get(path + value)
    assert response.status_code == 200, response.status_code


def test_a_page_beyond_the_last_shows_the_last_page(client, auth):
    auth.login("manager")
    for i in range(3):
        make_vendor(f"Paged vendor {i}")
    response = client.get(f"/vendors/?page={WAY_TOO_BIG}")
    assert response.status_code == 200
    assert "Paged vendor 2" in response.text
