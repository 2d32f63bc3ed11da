"""WSGI entry point: `gunicorn wsgi:app`."""

from vendorrisk import create_app
from vendorrisk.core.serving import prepare

app = create_app()
prepare(app)  # templates compiled and the start-up heap frozen before the first request
