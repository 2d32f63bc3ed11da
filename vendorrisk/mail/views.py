"""The outbox page for administrators."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from vendorrisk.audit import services as audit
from vendorrisk.extensions import db
from vendorrisk.mail import services
from vendorrisk.mail.models import OutboxMessage

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")

PER_PAGE = 50
STATES = ("queued", "sent", "failed")


@bp.route("/")
def outbox():
    state = request.args.get("state", "")
    page = max(1, request.args.get("page", 1, type=int))
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if state in STATES:
        query = query.where(OutboxMessage.state == state)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    messages = db.session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    counts = dict(
        db.session.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    )
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    return render_template(
        "mail/outbox.html",
        messages=messages,
        counts=counts,
        state=state,
        page=page,
        pages=pages,
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
