"""Absolute URLs for messages built outside a request (the outbox sender, CLI commands)."""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """Build an absolute URL for an endpoint under EXTERNAL_BASE_URL."""
    base = urlsplit(current_app.config["EXTERNAL_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
