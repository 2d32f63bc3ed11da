"""What a server process does once its app is built, before its first request.

A new gunicorn worker's first requests used to compile each page's templates (155 ms of the
dashboard's first request at 100,000 vendors): the templates are compiled here instead, once
per process. Then what start-up built (modules, models, settings, compiled templates) lives as
long as the process: it is taken out of the garbage collector's full passes, which would
otherwise walk all of it and pause a request now and then (docs/performance.md, "Garbage
collection pauses"). Garbage first, so none of it is kept for good.
"""

import gc

from flask import Flask

# What the app's template folders hold: pages, e-mails, feeds and charts.
TEMPLATE_EXTENSIONS = ("html", "txt", "xml", "svg")


def prepare(app: Flask) -> None:
    """Compile every template into the app's template cache, then freeze the heap."""
    env = app.jinja_env
    for name in env.list_templates(extensions=TEMPLATE_EXTENSIONS):
        env.get_template(name)
    gc.collect()
    gc.freeze()
