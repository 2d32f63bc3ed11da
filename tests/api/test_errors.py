"""Every error under /api/ is application/problem+json: never an HTML page, never a traceback."""

import pytest

from tests.advisories.helpers import make_product
from tests.api.conftest import assert_problem


def test_an_unknown_api_path_is_a_problem(api):
    assert_problem(api.get("/nothing-here", api.token()), 404)
    assert_problem(api.get("/nothing-here"), 404)


def test_a_wrong_method_is_a_problem(api):
    response = api.call("DELETE", "/vendors", api.token())
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_a_wrong_method_on_a_page_says_what_is_allowed(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "Not allowed" in response.text


def test_malformed_json_is_a_400_problem(api):
    response = api.post("/vendors", api.token(), data="{not json", content_type="application/json")
    body = assert_problem(response, 400)
    assert body["type"].endswith("malformed-json")


def test_a_body_that_is_not_json_is_a_415_problem(api):
    assert_problem(api.post("/vendors", api.token(), data={"name": "x"}), 415)


def test_a_json_body_that_is_not_an_object_is_refused(api):
    assert_problem(api.post("/vendors", api.token(), json=["name"]), 422, "body")


def test_wrong_types_name_each_field(api):
    response = api.post(
        "/vendors",
        api.token(),
        json={
            "name": 42,
            "owner_id": "7",
            "contract_start": "soon",
            "colour": "red",
        },
    )
    body = assert_problem(response, 422, "name", "owner_id", "contract_start", "colour")
    assert body["errors"]["colour"] == "Unknown field."


def test_unknown_ids_are_404_problems(api):
    token = api.token()
    for path in (
        "/vendors/999999",
        "/campaigns/999999",
        "/assignments/999999/result",
        "/advisories/no-such-advisory",
    ):
        assert_problem(api.get(path, token), 404)
    assert_problem(api.patch("/vendors/999999", token, json={"name": "x"}), 404)
    assert_problem(api.get("/vendors/99999999999999999999999", token), 404)  # beyond any id


def test_an_unexpected_error_is_a_500_problem_without_detail(app, api, monkeypatch):
    from vendorrisk.api.views import catalogue

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(catalogue, "product_json", boom)
    token = api.token()
    make_product()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = api.get("/products", token)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    body = assert_problem(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert body["title"]


@pytest.mark.parametrize(
    "query,field",
    [
        ("page=0", "page"),
        ("page=x", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=1.5", "per_page"),
    ],
)
def test_bad_pagination_is_a_422_naming_the_parameter(api, query, field):
    assert_problem(api.get(f"/vendors?{query}", api.token()), 422, field)
