"""WSGI entry point: `gunicorn wsgi:app`."""

from vendorrisk import create_app

app = create_app()
