"""A batch of invitations is built from a few queries, however many recipients it holds."""

from datetime import date, timedelta

from sqlalchemy import event

from tests.conftest import make_user
from tests.mail.helpers import settle
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox


def _send_counting_selects(vendor_count: int) -> tuple[int, int]:
    vendors = [make_vendor(contacts=[("primary", "security")]) for _ in range(vendor_count)]
    create_campaign(
        approved_version(),
        vendors,
        actor=make_user("manager"),
        due_date=date.today() + timedelta(days=14),
    )
    db.session.commit()
    selects: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        report = outbox.send_pending()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return report.sent, len(selects)


def test_building_a_batch_of_invitations_reads_the_same_number_of_rows_for_2_or_12(
    db_session, relay
):
    sent_small, small = _send_counting_selects(2)
    sent_large, large = _send_counting_selects(12)

    assert (sent_small, sent_large) == (2, 12)
    settle(relay, 14)
    assert large == small, f"{small} SELECTs for 2 invitations, {large} for 12"
    bodies = [m.get_body(("plain",)).get_content() for m in relay.messages]
    assert len(bodies) == 14 and all("/p/" in body for body in bodies)
