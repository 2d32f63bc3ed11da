"""The server's entry point: the app, its templates compiled and what it built at start-up kept
out of GC passes."""

from tests.support.scratch import app_environment, run_python

SCRIPT = """
import gc
import wsgi
from flask import Flask
from vendorrisk.core.serving import TEMPLATE_EXTENSIONS
assert isinstance(wsgi.app, Flask)
assert "portal.landing" in {rule.endpoint for rule in wsgi.app.url_map.iter_rules()}
env = wsgi.app.jinja_env
names = env.list_templates(extensions=TEMPLATE_EXTENSIONS)
cached = {key[1] for key in env.cache}
assert "dashboard/index.html" in names and set(names) <= cached, set(names) - cached
print(gc.get_freeze_count())
"""


def test_the_entry_point_freezes_what_start_up_built(tmp_path):
    """`gunicorn wsgi:app` gets a finished app whose templates are compiled (a new worker's
    first requests do not compile them), and the objects made while building it are frozen
    (`gc.freeze`), so full collections during requests do not walk them."""
    env = app_environment(tmp_path)
    done = run_python(SCRIPT, env)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip().splitlines()[-1]) > 10_000
