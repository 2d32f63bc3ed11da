"""Send a campaign to 1,000 vendors through the outbox into a local SMTP server, next to plain
smtplib sending the same 1,000 messages over one connection.

    .venv/bin/python bench/send.py [--vendors N]

Prints `name: value unit` lines.
"""

import argparse
import os
import smtplib
import sys
import tempfile
import time
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.smtp import SMTPServer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vendors", type=int, default=1000)
    args = parser.parse_args()

    server = SMTPServer()
    server.start()
    workdir = Path(tempfile.mkdtemp(prefix="vr-bench-send-"))
    os.environ.pop("DATABASE_URL", None)

    from flask_migrate import upgrade

    from tests.conftest import make_user, test_config
    from tests.support.factories import approved_version, create_campaign, make_vendor
    from vendorrisk import create_app
    from vendorrisk.extensions import db
    from vendorrisk.mail import services as outbox
    from vendorrisk.mail.models import OutboxMessage

    app = create_app(
        test_config(
            f"sqlite:///{workdir / 'bench.db'}",
            MAIL_PORT=server.port,
            OUTBOX_BATCH_SIZE=200,
            MAIL_TIMEOUT=10,
        )
    )
    with app.app_context():
        upgrade(revision="heads")
        vendors = [make_vendor(contacts=[("primary", "security")]) for _ in range(args.vendors)]
        version = approved_version()
        started = time.perf_counter()
        create_campaign(
            version, vendors, actor=make_user("manager"), due_date=date.today() + timedelta(days=14)
        )
        db.session.commit()
        queued = time.perf_counter() - started
        # The same messages, links filled in, so both sides send the same bytes' worth.
        bodies = [
            (m.recipient, m.subject, m.body_text, m.body_html)
            for m in db.session.query(OutboxMessage)
        ]

        started = time.perf_counter()
        sent = 0
        while True:
            report = outbox.send_pending()
            sent += report.sent
            if report.claimed == 0:
                break
        outbox_seconds = time.perf_counter() - started
    server.wait_for(lambda m: True, timeout=30)
    while len(server.messages) < sent:
        time.sleep(0.05)

    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as smtp:
        for recipient, subject, body, html in bodies:
            message = EmailMessage()
            message["From"] = "VendorRisk <vendorrisk@localhost>"
            message["To"] = recipient
            message["Subject"] = subject
            message.set_content(body)
            if html:
                message.add_alternative(html, subtype="html")
            smtp.send_message(message)
    plain_seconds = time.perf_counter() - started
    server.stop()

    outbox_rate = sent / outbox_seconds
    plain_rate = len(bodies) / plain_seconds
    print(f"send campaign queue: {queued:.2f} s")
    print(f"send outbox messages: {sent} messages")
    print(f"send outbox rate: {outbox_rate:.0f} messages/s")
    print(f"send smtplib rate: {plain_rate:.0f} messages/s")
    print(f"send outbox ratio: {outbox_rate / plain_rate:.2f} x")


if __name__ == "__main__":
    main()
