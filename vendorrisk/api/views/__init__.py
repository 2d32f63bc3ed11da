"""API resources, one module each; `register` attaches them to the app."""

from flask import Flask


def register(app: Flask) -> None:
    """Register the API blueprint (CSRF does not apply: callers send a bearer token)."""
    from vendorrisk.api.blueprint import bp
    from vendorrisk.api.views import (  # noqa: F401  (each module attaches its routes to bp)
        advisories,
        campaigns,
        catalogue,
        exports,
        findings,
        meta,
        oscal,
        vendors,
    )
    from vendorrisk.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
