"""Links to static files, built once per place the app is mounted.

Every page links the same files (Bootstrap's stylesheet and script, ours, the icon): building
each link through the URL map on every request was a measurable part of the vendor's form page
(docs/performance.md). A static file's link depends only on its endpoint, its file name and the
script root the app is served under, so the templates' `url_for` keeps each one it has built for
that script root, and Bootstrap's tags are made once the same way. Every other link is built as
before.
"""

from collections.abc import Callable

from flask import Flask, has_request_context, request
from markupsafe import Markup

STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def init_app(app: Flask, bootstrap) -> None:
    """Give the templates a `url_for` that keeps static links, and Bootstrap's tags."""
    build = app.url_for
    links: dict[tuple[str, str, str], str] = {}

    def url_for(endpoint: str, /, **values) -> str:
        if endpoint in STATIC_ENDPOINTS and values.keys() == {"filename"} and has_request_context():
            key = (request.script_root, endpoint, values["filename"])
            link = links.get(key)
            if link is None:
                link = links[key] = build(endpoint, **values)
            return link
        return build(endpoint, **values)

    app.jinja_env.globals["url_for"] = url_for
    app.jinja_env.globals["bootstrap_css"] = _kept(bootstrap.load_css)
    app.jinja_env.globals["bootstrap_js"] = _kept(bootstrap.load_js)


def _kept(make: Callable[[], Markup]) -> Callable[[], Markup]:
    """Return `make` that runs once per script root (its tags hold only static links), like
    the links above: outside a request it runs each time."""
    made: dict[str, Markup] = {}

    def tags() -> Markup:
        if not has_request_context():
            return make()
        root = request.script_root
        if root not in made:
            made[root] = make()
        return made[root]

    return tags
