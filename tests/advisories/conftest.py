"""Fixtures for the advisory tests."""

import pytest

from tests.conftest import AuthActions, make_user
from tests.support.factories import approved_version


@pytest.fixture
def manager(db_session):
    return make_user("manager")


@pytest.fixture
def small_version(db_session):
    """The small test questionnaire (id connector-breach-check), approved."""
    return approved_version()


def login(app, role: str, **kwargs):
    """Return a client signed in with a new user of a role, and the user."""
    client = app.test_client()
    user = AuthActions(client).login(role, **kwargs)
    return client, user
