"""Static links are kept per script root: right under a prefix, and the same as url_for's."""

from __future__ import annotations

import re

from flask import url_for


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]*/static/[^"]*)"', html)


def test_static_links_follow_the_script_root_they_are_served_under(app):
    client = app.test_client()
    plain = _links(client.get("/login").text)
    prefixed = _links(client.get("/login", base_url="http://localhost/vr/").text)
    again = _links(client.get("/login").text)
    assert plain and len(prefixed) == len(plain)
    assert all(link.startswith("/vr/") for link in prefixed)
    assert again == plain
    with app.test_request_context():
        assert f"{url_for('static', filename='css/app.css')}" in plain
        bootstrap = url_for("bootstrap.static", filename="css/bootstrap.min.css")
    assert bootstrap in plain  # Bootstrap served from the app, not a CDN


def test_other_links_are_built_for_each_request(app):
    client = app.test_client()
    assert (
        'href="/vr/">VendorRisk</a>' in client.get("/login", base_url="http://localhost/vr/").text
    )
    assert 'href="/">VendorRisk</a>' in client.get("/login").text
