"""/api/v1/openapi.json: the OpenAPI 3.1 document describing this API."""

from flask import jsonify, url_for

from vendorrisk.api.blueprint import bp
from vendorrisk.api.openapi import document


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(url_for(".openapi", _external=True).rsplit("/", 1)[0]))
