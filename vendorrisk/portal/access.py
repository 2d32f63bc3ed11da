"""Portal access: which assignments this browser may open, kept apart from staff sessions.

Pressing Continue on a link page grants access for that recipient. The grant lives in a signed
cookie of its own (`vr_portal`), lasts 8 hours idle and never beyond the link's expiry, and one
browser can hold grants for several assignments. Every request re-checks the recipient row, so a
revoked or re-issued link ends access at once.
"""

import time
from functools import cache
from typing import Any

from flask import abort, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import joinedload

from vendorrisk.campaigns.models import Assignment, Campaign, Recipient, Response
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.portal.page_rows import section_rows

COOKIE = "vr_portal"
IDLE_SECONDS = 8 * 3600
# The grant's last-seen time moves (and the cookie is signed and sent again) at most once a
# minute: idle time is counted in hours, and signing on every page was a cost of every request.
TOUCH_SECONDS = 60


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="portal-access")


def _grants() -> dict[str, list[int]]:
    """Return {recipient id: [nonce tag, last seen epoch]} from the cookie."""
    if "portal_grants" not in g:
        raw = request.cookies.get(COOKIE)
        grants: dict = {}
        if raw:
            try:
                grants = _serializer().loads(raw)
            except BadSignature:
                grants = {}
        g.portal_grants = grants if isinstance(grants, dict) else {}
    return g.portal_grants


def grant(recipient: Recipient, *, scoped: bool = False) -> None:
    """Give this browser access to the recipient's assignment.

    `scoped` marks a delegate's grant, so only their requests pay for reading their scope.
    """
    entry: list[Any] = [recipient.nonce[:8], int(time.time())]
    if scoped:
        entry.append(1)
    _grants()[str(recipient.id)] = entry
    g.portal_dirty = True


def _valid(recipient: Recipient | None, entry: list[Any], now: float) -> bool:
    return (
        recipient is not None
        and recipient.usable()
        and entry[0] == recipient.nonce[:8]  # a re-issued link ends older grants
        and now - entry[1] <= IDLE_SECONDS
    )


def held_recipients() -> list[Recipient]:
    """Return the recipients this browser currently holds valid access for."""
    now = time.time()
    result = []
    for rid, entry in list(_grants().items()):
        recipient = db.session.get(Recipient, int(rid))
        if recipient is not None and _valid(recipient, entry, now):
            result.append(recipient)
        else:
            _grants().pop(rid, None)
            g.portal_dirty = True
    return result


@cache
def _page_graph() -> tuple:
    """What every portal page reads about the recipient's assignment, in one query.

    The response's evidence and revisions load lazily when the page reads them: one small query
    each, which costs the ORM far less than a selectin load of the same rows. Built on first use,
    because building loader options configures every mapper (a cost no command should pay).
    """
    return (
        joinedload(Recipient.contact),
        joinedload(Recipient.assignment).options(
            joinedload(Assignment.vendor),
            joinedload(Assignment.campaign).joinedload(Campaign.template_version),
            # The earlier answers offered for reuse are read by every page (a few rows at most).
            joinedload(Assignment.response).joinedload(Response.reused_answers),
        ),
    )


def _touch(entry: list[Any], now: float) -> None:
    """Note that the grant was used now, when its last-seen time is a minute old or more."""
    if now - entry[1] >= TOUCH_SECONDS:
        entry[1] = int(now)
        g.portal_dirty = True


def held_recipient(assignment_id: int) -> Recipient | None:
    """Return the recipient as whom this browser works on an assignment (None: no access)."""
    now = time.time()
    for rid, entry in _grants().items():
        recipient = db.session.get(Recipient, int(rid), options=_page_graph())
        if recipient is not None and recipient.assignment_id == assignment_id:
            if _valid(recipient, entry, now):
                _touch(entry, now)
                g.portal_recipient = recipient
                g.portal_scoped = len(entry) > 2
                return recipient
    return None


def assignment_or_404(assignment_id: int) -> tuple[Assignment, Recipient]:
    """Return an assignment this browser may work on, and as which recipient; 404 otherwise."""
    recipient = held_recipient(assignment_id)
    if recipient is None:
        abort(404)
    return recipient.assignment, recipient


def assignment_view_or_404(assignment_id: int):
    """Like `assignment_or_404`, as plain-row views for a page that only reads (a section GET)."""
    grants = _grants()
    ids = [int(rid) for rid in grants if rid.isdigit()]
    now = time.time()
    moment = utcnow()
    for recipient, assignment in section_rows(assignment_id, ids) if ids else ():
        entry = grants[str(recipient.id)]
        if (
            recipient.usable(moment)
            and entry[0] == recipient.nonce[:8]
            and now - entry[1] <= IDLE_SECONDS
        ):
            _touch(entry, now)
            g.portal_recipient = recipient
            g.portal_scoped = len(entry) > 2
            return assignment, recipient
    abort(404)


def holds_scoped_grant() -> bool:
    """Tell whether this browser holds any delegate's (scoped) grant, reading only the cookie."""
    return any(len(entry) > 2 for entry in _grants().values())


def has_expired_grant_for(assignment_id: int) -> bool:
    """Tell whether the browser held access to this assignment that has since lapsed."""
    for rid in _grants():
        recipient = db.session.get(Recipient, int(rid))
        if recipient is not None and recipient.assignment_id == assignment_id:
            return True
    return False


def save_cookie(response):
    """Write the grants back when they changed (after each portal request)."""
    if g.get("portal_dirty"):
        grants = _grants()
        if grants:
            response.set_cookie(
                COOKIE,
                _serializer().dumps(grants),
                max_age=IDLE_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=current_app.config["SESSION_COOKIE_SECURE"],
            )
        else:
            response.delete_cookie(COOKIE)
    return response
