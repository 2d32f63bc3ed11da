"""Erasing a contact also blanks what the outbox holds about them."""

from sqlalchemy import select

from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db
from vendorrisk.mail.models import FAILED, OutboxMessage
from vendorrisk.mail.services import ERASED_ADDRESS
from vendorrisk.vendors.services import erase_contact


def test_erasing_a_contact_scrubs_their_messages_and_stops_unsent_ones(db_session):
    vendor = make_vendor(contacts=[("primary", "security")])
    contact = vendor.contacts[0]
    address = contact.email
    create_campaign(approved_version(), [vendor])
    before = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == address)
    ).all()
    assert before and contact.name in before[0].body_text

    erasure = erase_contact(contact)
    db.session.flush()

    assert (
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == address)) is None
    )
    for message in before:
        db.session.refresh(message)
        assert message.recipient == ERASED_ADDRESS
        assert address not in message.body_text and "[erased]" == message.body_text
        assert message.state == FAILED  # it was still queued: it must never go out
    assert any("outbox" in kept for kept, _why in erasure.kept)
