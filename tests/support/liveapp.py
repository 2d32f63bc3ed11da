"""An app with the test configuration built from the environment, for subprocesses:

    python -m flask --app "tests.support.liveapp:create()" outbox send

LIVEAPP_DATABASE_URL names the database; MAIL_PORT, MAIL_TIMEOUT, OUTBOX_LEASE_SECONDS and
OUTBOX_BATCH_SIZE, when set, override the test configuration's values.
"""

import os

from tests.conftest import test_config
from vendorrisk import create_app

NUMBERS = ("MAIL_PORT", "MAIL_TIMEOUT", "OUTBOX_LEASE_SECONDS", "OUTBOX_BATCH_SIZE")


def create():
    overrides = {name: int(os.environ[name]) for name in NUMBERS if name in os.environ}
    return create_app(test_config(os.environ["LIVEAPP_DATABASE_URL"], **overrides))
