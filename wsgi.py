"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from vendorrisk import create_app

app = create_app()
# What the app built at start-up (modules, models, settings) lives as long as the process: take it
# out of the garbage collector's full passes, which would otherwise walk all of it and pause a
# request now and then (docs/performance.md, "Garbage collection pauses"). Garbage first, so none
# of it is kept for good.
gc.collect()
gc.freeze()
