"""Template filters and globals shared by every page."""

from datetime import datetime

from flask import Flask
from flask_login import current_user

from vendorrisk.core.text import counted
from vendorrisk.core.timeutil import format_local
from vendorrisk.navigation import HOME_CARDS, NAV_LINKS
from vendorrisk.permissions import allowed
from vendorrisk.questionnaires.display import answer_text
from vendorrisk.review.queries import category_label
from vendorrisk.scoring.certificates import certificate_views
from vendorrisk.scoring.result import round_display


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Show a stored UTC time in the viewer's time zone, naming the zone."""
    tz = getattr(current_user, "timezone", None) if current_user else None
    return format_local(value, tz, fmt)


def can(endpoint: str) -> bool:
    """Tell templates whether the signed-in user may use an endpoint."""
    if not current_user or not current_user.is_authenticated:
        return False
    return allowed(current_user.role, endpoint)


def init_app(app: Flask) -> None:
    """Register filters and globals."""
    app.jinja_env.filters["local_time"] = local_time
    # Scores as every page, report and the API round them (half up, one decimal).
    app.jinja_env.filters["score_text"] = round_display
    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["answer_text"] = answer_text
    app.jinja_env.globals["certificate_views"] = certificate_views
    app.jinja_env.globals["category_label"] = category_label
    app.jinja_env.filters["counted"] = counted
    app.jinja_env.globals["nav_links"] = NAV_LINKS
    app.jinja_env.globals["home_cards"] = HOME_CARDS
