"""The API blueprint; the resource modules in `vendorrisk.api.views` attach their routes to it."""

from flask import Blueprint

from vendorrisk.api import auth, errors

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(auth.authenticate)
errors.init_blueprint(bp)
