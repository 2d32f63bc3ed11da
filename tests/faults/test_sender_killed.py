"""A `flask outbox send` process is killed (SIGKILL) in the middle of a batch, while the relay
holds a message it has taken in but not yet acknowledged. The rows it had leased wait until the
lease runs out, then another sender delivers them: no message is lost, at most one (the one in
flight) arrives twice, with the same Message-ID. Vendors keep saving meanwhile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

from sqlalchemy import select

from tests.faults.conftest import StallingRelay, migrated_app
from tests.portal.helpers import n, save
from tests.support.factories import approved_version, create_campaign, make_vendor, portal_path
from tests.support.load import ROOT
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.mail.models import QUEUED, SENT, OutboxMessage

LEASE = 3
DELIVERED_BEFORE_THE_STALL = 3


def _sender(url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "LIVEAPP_DATABASE_URL": url,
        "MAIL_PORT": str(port),
        "MAIL_TIMEOUT": "10",
        "OUTBOX_LEASE_SECONDS": str(LEASE),
    }
    return subprocess.Popen(  # noqa: S603 - our own command
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "tests.support.liveapp:create()",
            "outbox",
            "send",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_sender_killed_mid_batch_loses_nothing_and_resends_at_most_one(scratch_url):
    relay = StallingRelay(after=DELIVERED_BEFORE_THE_STALL)
    relay.start()
    app = migrated_app(scratch_url, MAIL_PORT=relay.port, OUTBOX_LEASE_SECONDS=LEASE)
    first = None
    try:
        with app.app_context():
            vendors = [make_vendor(f"Killed sender {i}") for i in range(6)]
            campaign = create_campaign(approved_version(), vendors)
            recipient = campaign.assignments[0].recipients[0]
            link, aid = portal_path(recipient), recipient.assignment_id
            db.session.commit()
            queued = {m.id: m.message_id for m in db.session.scalars(select(OutboxMessage))}
            db.session.remove()
            db.engine.dispose()
        assert len(queued) == 6
        vendor = app.test_client()
        assert vendor.post(link, data={}).status_code == 302

        first = _sender(scratch_url, relay.port)
        assert relay.handler.stalled.wait(60), first.communicate(timeout=5)[0]
        # The sender waits for the relay's answer; a vendor's save goes through meanwhile
        # (the relay still holds its answer back, so the sender is still waiting).
        assert save(vendor, aid, 2, {n("notes"): "Saved during the send"}).status_code == 302
        assert first.poll() is None and not relay.handler.released.is_set()
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)

        with app.app_context():
            rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
            assert [r.state for r in rows].count(SENT) == DELIVERED_BEFORE_THE_STALL
            leased = [r for r in rows if r.state == QUEUED]
            assert len(leased) == 3 and all(r.lease_owner and r.lease_until for r in leased)
            # While the dead sender's lease holds, nobody else takes its rows.
            assert outbox.send_pending().claimed == 0
            wait = max(r.lease_until for r in leased) - utcnow()
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
        time.sleep(max(0.0, wait.total_seconds()) + 0.3)

        second = _sender(scratch_url, relay.port)
        output = second.communicate(timeout=60)[0]
        assert second.returncode == 0, output
        assert "sent 3, waiting to retry 0, failed 0" in output

        with app.app_context():
            states = {r.id: r.state for r in db.session.scalars(select(OutboxMessage))}
            db.session.remove()
            db.engine.dispose()
        assert states == dict.fromkeys(queued, SENT)
        relay.wait_for(lambda _m: len(relay.messages) >= 7, timeout=10)
        time.sleep(0.2)
        counts = Counter(m["Message-ID"] for m in relay.messages)
        assert set(counts) == set(queued.values())  # nothing lost
        assert sorted(counts.values()) == [1, 1, 1, 1, 1, 2]  # the one in flight, twice
    finally:
        if first is not None:
            if first.poll() is None:
                first.kill()
                first.wait(10)
            first.stdout.close()
        relay.stop()
