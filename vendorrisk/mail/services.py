"""Queueing e-mail in the outbox and delivering it with leases, retries and stable Message-IDs."""

import logging
import secrets
import smtplib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid

from email_validator import EmailNotValidError, validate_email
from flask import current_app, g, render_template
from flask_mail import Connection, Message
from markupsafe import escape
from sqlalchemy import func, select, update

from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail.due import due as outbox_due
from vendorrisk.mail.models import FAILED, QUEUED, SENT, OutboxMessage

log = logging.getLogger(__name__)

# Stands in for a secret link in a stored message; replaced only while the message is sent.
# Each message gets its own random marker, made after everything a person typed into it already
# exists: no name, message or answer can contain it, so no typed text is ever read as a link.
LINK_MARKER_PREFIX = "[[secure-link:"

LinkResolver = Callable[[str], str | None]
LinkPrefetch = Callable[[list[str]], list]
_link_resolvers: dict[str, LinkResolver] = {}
_link_prefetchers: dict[str, LinkPrefetch] = {}


class MailAddressError(ValueError):
    """A recipient address that cannot be used in a message header."""


def register_link_resolver(
    purpose: str, resolver: LinkResolver, prefetch: LinkPrefetch | None = None
) -> None:
    """Register how to derive the secret link for messages of a purpose (e.g. password reset).

    `prefetch`, if given, loads and returns the rows behind a whole batch of references in a
    few queries; while the batch is built they stay in the session, so resolving each message's
    link reads nothing more from the database.
    """
    _link_resolvers[purpose] = resolver
    if prefetch is not None:
        _link_prefetchers[purpose] = prefetch


def clean_address(address: str) -> str:
    """Return a normalised address, refusing anything that could inject a header."""
    if any(ch in address for ch in "\r\n\0"):
        raise MailAddressError("The e-mail address contains a line break.")
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise MailAddressError(str(exc)) from exc


def queue(
    template: str,
    to: str,
    subject: str,
    *,
    link: tuple[str, str | int] | None = None,
    related: tuple[str, object] | None = None,
    **context,
) -> OutboxMessage:
    """Render `emails/<template>.txt/.html` and add the message to the outbox (no commit)."""
    subject = " ".join(subject.split())[:255]
    marker = new_link_marker() if link else None
    context.setdefault("link", marker)
    domain = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN", "vendorrisk.local")
    message = OutboxMessage(
        message_id=make_msgid(domain=domain),
        template=template,
        link_purpose=link[0] if link else None,
        link_ref=str(link[1]) if link else None,
        link_marker=marker,
        recipient=clean_address(to),
        subject=subject,
        body_text=render_template(f"emails/{template}.txt", **context),
        body_html=render_template(f"emails/{template}.html", **context),
        related_type=related[0] if related else None,
        related_id=str(related[1]) if related else None,
    )
    db.session.add(message)
    g.outbox_pending = True
    return message


def new_link_marker() -> str:
    """Return a fresh marker for where a message's secret link goes (128 random bits)."""
    return f"{LINK_MARKER_PREFIX}{secrets.token_hex(16)}]]"


def _link_for(message: OutboxMessage) -> str | None:
    if message.link_purpose is None:
        return None
    resolver = _link_resolvers.get(message.link_purpose)
    return resolver(message.link_ref or "") if resolver else None


class _TimeoutConnection(Connection):
    """Flask-Mail's connection with a socket timeout, so a slow relay cannot hang a worker."""

    def configure_host(self):
        cls = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        timeout = current_app.config["MAIL_TIMEOUT"]
        host = cls(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class _ConsoleConnection:
    """Development transport: prints each message instead of relaying it."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send(self, msg: Message) -> None:
        print(  # noqa: T201 - the console transport's whole purpose
            f"\n--- e-mail to {', '.join(map(str, msg.recipients))}: {msg.subject}\n{msg.body}\n---",
            flush=True,
        )


@dataclass
class SendReport:
    """What one run of the sender did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _claim(owner: str, limit: int, now: datetime) -> list[int]:
    lease_until = now + timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    due = (
        select(OutboxMessage.id)
        .where(outbox_due(OutboxMessage.__table__.c, now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(lease_owner=owner, lease_until=lease_until)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.lease_owner == owner, OutboxMessage.state == QUEUED)
            .order_by(OutboxMessage.id)
        )
    )


def _prefetch_links(messages: Sequence[OutboxMessage]) -> list:
    """Load what the batch's links need; the caller holds the rows (the session holds weakly)."""
    refs: dict[str, list[str]] = {}
    for message in messages:
        if message.link_purpose in _link_prefetchers:
            refs.setdefault(message.link_purpose, []).append(message.link_ref or "")
    return [row for purpose, batch in refs.items() for row in _link_prefetchers[purpose](batch)]


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _fill_link(message: OutboxMessage) -> tuple[str, str | None]:
    """Return the bodies with the message's own marker replaced by its link.

    Only the marker stored with the message is replaced; a message queued without a link has
    none, so its text goes out exactly as rendered, whatever it contains.
    """
    text, html = message.body_text, message.body_html
    marker = message.link_marker
    if not marker or (marker not in text and marker not in (html or "")):
        return text, html
    link = _link_for(message)
    if link is None:
        raise LookupError("the link for this message has been retired")
    text = text.replace(marker, link)
    html = html.replace(marker, str(escape(link))) if html else html
    return text, html


def _build(message: OutboxMessage) -> Message:
    text, html = _fill_link(message)
    msg = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=text,
        html=html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        reply_to=current_app.config.get("MAIL_REPLY_TO"),
        extra_headers={"Auto-Submitted": "auto-generated"},
    )
    msg.msgId = message.message_id  # a resend after a crash keeps its Message-ID
    return msg


def _retry_later(message: OutboxMessage, error: str, now: datetime) -> bool:
    message.attempts += 1
    message.last_error = error[:2000]
    message.lease_owner = None
    message.lease_until = None
    if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.state = FAILED
        return False
    message.next_attempt_at = now + _backoff(message.attempts)
    return True


def send_pending(limit: int | None = None) -> SendReport:
    """Deliver due messages over one connection; each is committed as sent once accepted."""
    report = SendReport()
    owner = uuid.uuid4().hex
    ids = _claim(owner, limit or current_app.config["OUTBOX_BATCH_SIZE"], utcnow())
    report.claimed = len(ids)
    if not ids:
        return report
    console = current_app.config["MAIL_TRANSPORT"] == "console"
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
    ).all()
    # Each message is committed on its own; there is no need to reload the batch after each.
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        # Every message is built (its secret link derived) before the relay is reached, and the
        # reading transaction ends: no transaction is held while the relay is talked to, since
        # on SQLite every transaction takes the write lock and a slow relay would stall the app.
        loaded = _prefetch_links(messages)
        batch: list[tuple[OutboxMessage, Message | LookupError]] = []
        for message in messages:
            try:
                batch.append((message, _build(message)))
            except LookupError as exc:
                batch.append((message, exc))
        del loaded
        db.session.commit()
        connection = (
            _ConsoleConnection() if console else _TimeoutConnection(current_app.extensions["mail"])
        )
        with connection as conn:
            for message, built in batch:
                try:
                    if isinstance(built, LookupError):
                        raise built
                    conn.send(built)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, LookupError) as exc:
                    # This message is refused; the connection is still good for the others.
                    ok = _retry_later(message, f"{type(exc).__name__}: {exc}", utcnow())
                    report.retrying += ok
                    report.failed += not ok
                else:
                    message.state, message.sent_at = SENT, utcnow()
                    message.attempts += 1
                    message.lease_owner = message.lease_until = None
                    message.last_error = None
                    report.sent += 1
                db.session.commit()
    except (OSError, smtplib.SMTPException) as exc:  # OSError: refused, unreachable, timed out
        db.session.rollback()
        now = utcnow()
        for message in db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.lease_owner == owner, OutboxMessage.state == QUEUED
            )
        ):
            ok = _retry_later(message, f"{type(exc).__name__}: {exc}", now)
            report.retrying += ok
            report.failed += not ok
        db.session.commit()
        log.warning("outbox: relay unavailable (%s); messages wait for the next run", exc)
    finally:
        session.expire_on_commit = expire_on_commit
    return report


def send_all(limit: int | None = None) -> SendReport:
    """Send batches until nothing due is left (or the relay starts refusing)."""
    total = SendReport()
    while True:
        report = send_pending(limit)
        total.claimed += report.claimed
        total.sent += report.sent
        total.retrying += report.retrying
        total.failed += report.failed
        if report.sent == 0 or report.retrying:
            return total


def send_after_request(app) -> None:
    """Deliver what a request queued, after its response has gone out: on a worker when
    there is a task queue (REDIS_URL), else here."""
    from vendorrisk.core import tasks

    with app.app_context():
        try:
            if tasks.enqueue("outbox.send"):
                return
            send_pending()
        except Exception:  # the outbox keeps the rows; cron picks them up
            log.exception("outbox: sending after the request failed")
            db.session.rollback()
        finally:
            db.session.remove()


def retry_now(message: OutboxMessage) -> None:
    """Put a failed or waiting message back in the queue for the next run."""
    message.state = QUEUED
    message.next_attempt_at = utcnow()
    message.lease_owner = message.lease_until = None


ERASED_ADDRESS = "erased@invalid.invalid"


def scrub_recipient(address: str) -> int:
    """Blank an erased person's address and the texts sent to them; unsent ones never go out."""
    messages = db.session.scalars(
        select(OutboxMessage).where(func.lower(OutboxMessage.recipient) == address.strip().lower())
    ).all()
    for message in messages:
        message.recipient = ERASED_ADDRESS
        message.subject = "[erased]"
        message.body_text = "[erased]"
        message.body_html = None
        if message.state == QUEUED:
            message.state = FAILED
            message.last_error = "recipient erased"
    return len(messages)
