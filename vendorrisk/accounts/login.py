"""Flask-Login wiring: a user is loaded only through a live server-side session."""

from flask import Flask, session

from vendorrisk.accounts import services, unlock
from vendorrisk.accounts.models import UserSession
from vendorrisk.extensions import db, login_manager
from vendorrisk.mail import services as outbox


@login_manager.user_loader
def load_user(user_id: str):
    """Load the user of this browser's session if that session is still valid."""
    user = services.session_user(user_id, session.get("sid"))
    pending = db.session.new | db.session.deleted | db.session.dirty
    if user is not None and pending and all(isinstance(o, UserSession) for o in pending):
        # Save the new last-seen time now: a request that only reads would otherwise roll it
        # back, and the idle timeout would end a session that is in use. (The user is loaded
        # before the view runs; anything else pending is left to the view's own commit.)
        db.session.commit()
    return user


def init_app(app: Flask) -> None:
    """Configure sign-in and register the reset and unlock link resolvers for the outbox."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are checked on the server instead
    outbox.register_link_resolver(services.RESET_PURPOSE, services.reset_link)
    outbox.register_link_resolver(unlock.UNLOCK_PURPOSE, unlock.unlock_link)
