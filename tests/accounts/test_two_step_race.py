"""Two sign-ins racing with the same TOTP code: the database lets only one of them use it."""

import pyotp
from sqlalchemy import update

from tests.conftest import make_user
from vendorrisk.accounts import services
from vendorrisk.accounts.models import User
from vendorrisk.extensions import db


def test_a_code_claimed_by_a_concurrent_sign_in_is_refused(db_session):
    user = make_user("admin")
    code = pyotp.TOTP(user.totp_secret).now()
    step = services._check_code(user.totp_secret, code, None)
    # The other sign-in committed first; this one still holds the old value in memory.
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    assert user.totp_last_step is None
    assert services.verify_totp(user, code) is False


def test_a_fresh_code_is_claimed_once(db_session):
    user = make_user("admin")
    code = pyotp.TOTP(user.totp_secret).now()
    assert services.verify_totp(user, code) is True
    assert user.totp_last_step is not None
    assert services.verify_totp(user, code) is False
