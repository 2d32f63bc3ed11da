"""A write that loses a race gets a clear 409 page, never a 500."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tests.conftest import test_config
from vendorrisk import create_app
from vendorrisk.permissions import PERMISSIONS, PUBLIC


def test_unique_key_and_stale_version_races_answer_409(database_url, monkeypatch):
    app = create_app(test_config(database_url))

    @app.route("/_race/<kind>")
    def race(kind):
        if kind == "unique":
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        raise StaleDataError("version mismatch")

    monkeypatch.setitem(PERMISSIONS, "race", PUBLIC)
    client = app.test_client()
    for kind in ("unique", "stale"):
        response = client.get(f"/_race/{kind}")
        assert response.status_code == 409
        assert "Someone else changed this at the same moment" in response.text
        assert "Traceback" not in response.text and "UNIQUE" not in response.text
