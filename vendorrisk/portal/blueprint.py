"""The portal's blueprint, with what every portal response gets."""

from flask import Blueprint

from vendorrisk.portal import access

bp = Blueprint("portal", __name__)


@bp.after_app_request
def _portal_cookie(response):
    return access.save_cookie(response)


@bp.after_request
def _no_store(response):
    # Vendor answers must not linger in shared or browser caches (the link pages included).
    response.headers["Cache-Control"] = "no-store"
    return response
