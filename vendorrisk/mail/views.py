"""The outbox page for administrators."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from vendorrisk.audit import services as audit
from vendorrisk.core.pagination import window
from vendorrisk.extensions import db
from vendorrisk.mail import services
from vendorrisk.mail.models import OutboxMessage

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")

PER_PAGE = 50
STATES = ("queued", "sent", "failed")


@bp.route("/")
def outbox():
    state = request.args.get("state", "")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if state in STATES:
        query = query.where(OutboxMessage.state == state)
    shown = window(query, PER_PAGE)
    messages = db.session.scalars(shown.query).all()
    counts = dict(
        db.session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    )
    return render_template(
        "mail/outbox.html",
        messages=messages,
        counts=counts,
        state=state,
        page=shown.page,
        pages=shown.pages,
        states=STATES,
    )


@bp.route("/<int:message_id>/retry", methods=["POST"])
def outbox_retry(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    if message.state == "sent":
        flash("That message was already sent.", "info")
    else:
        services.retry_now(message)
        audit.record("outbox.retry", "outbox_message", message.id)
        db.session.commit()
        flash("The message will be sent on the next run.", "success")
    return redirect(url_for(".outbox"))
