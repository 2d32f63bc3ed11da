"""Contacts: one primary per vendor, validated e-mail, campaign recipients, and erasure."""

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.vendors.factories import make_contact, make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.vendors import services
from vendorrisk.vendors.models import Contact


def _contact_count(vendor) -> int:
    return db.session.scalar(select(func.count(Contact.id)).where(Contact.vendor_id == vendor.id))


def _post_contact(client, vendor, **overrides):
    data = {
        "name": "Robin Example",
        "email": "robin@vendor.example",
        "phone": "+44 20 7946 0000",
        "title": "CISO",
        "kinds": ["security"],
    }
    data.update(overrides)
    return client.post(f"/vendors/{vendor.id}/contacts/new", data=data)


def _error_beside(response, field: str) -> str:
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.text, response.text[:3000]
    return response.text.split(f'id="{field}-error">', 1)[1].split("</div>", 1)[0]


def test_a_manager_adds_a_contact_with_several_kinds(client, auth, db_session):
    vendor = make_vendor()
    auth.login("manager")
    response = _post_contact(
        client, vendor, kinds=["primary", "security"], email="Robin@Vendor.Example"
    )
    assert response.status_code == 302
    contact = vendor.contacts[0]
    assert contact.kinds == ["primary", "security"] and contact.email == "robin@vendor.example"


def test_a_second_primary_contact_is_refused_beside_the_field(client, auth, db_session):
    vendor = make_vendor()
    first = make_contact(vendor, kinds=["primary"], name="First Person")
    auth.login("manager")
    response = _post_contact(client, vendor, kinds=["primary"])
    assert "First Person is already the primary contact" in _error_beside(response, "kinds")
    assert _contact_count(vendor) == 1
    second = make_contact(vendor, kinds=["executive"])
    response = client.post(
        f"/vendors/{vendor.id}/contacts/{second.id}/edit",
        data={"name": second.name, "email": second.email, "kinds": ["primary", "executive"]},
    )
    assert "already the primary contact" in _error_beside(response, "kinds")
    db.session.expire_all()
    assert not second.is_primary and first.is_primary


def test_the_database_also_refuses_two_live_primaries(db_session):
    vendor = make_vendor()
    make_contact(vendor, kinds=["primary"])
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Contact(vendor_id=vendor.id, name="X", email="x@v.example", is_primary=True))
        db.session.flush()


@pytest.mark.parametrize(
    "email", ["not-an-address", "robin@", "robin@@vendor.example", "robin@vendor"]
)
def test_an_invalid_email_is_refused_beside_the_field(client, auth, db_session, email):
    vendor = make_vendor()
    auth.login("manager")
    response = _post_contact(client, vendor, email=email)
    assert "not a valid e-mail address" in _error_beside(response, "email")
    assert _contact_count(vendor) == 0


def test_the_same_address_twice_at_one_vendor_is_refused(client, auth, db_session):
    vendor = make_vendor()
    make_contact(vendor, kinds=["primary"], email="dup@vendor.example")
    auth.login("manager")
    response = _post_contact(client, vendor, email="DUP@vendor.example")
    assert "already has a contact with this e-mail" in _error_beside(response, "email")


def test_make_primary_hands_the_role_over_in_one_step(client, auth, db_session):
    vendor = make_vendor()
    first = make_contact(vendor, kinds=["primary"])
    second = make_contact(vendor, kinds=["security"])
    auth.login("manager")
    response = client.post(f"/vendors/{vendor.id}/contacts/{second.id}/primary", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert second.is_primary and second.is_security and not first.is_primary


def test_another_vendors_contact_is_not_found(client, auth, db_session):
    vendor, other = make_vendor(), make_vendor()
    contact = make_contact(other)
    auth.login("manager")
    assert client.get(f"/vendors/{vendor.id}/contacts/{contact.id}/edit").status_code == 404


def test_breach_campaigns_go_to_the_security_contacts_when_there_are_some(db_session):
    vendor = make_vendor()
    primary = make_contact(vendor, kinds=["primary"])
    assert services.campaign_recipients(vendor) == [primary]
    security = make_contact(vendor, kinds=["security"])
    both = make_contact(vendor, kinds=["security", "privacy"])
    make_contact(vendor, kinds=["executive"])
    assert services.campaign_recipients(vendor) == [security, both]
    services.erase_contact(security)
    services.erase_contact(both)
    assert services.campaign_recipients(vendor) == [primary]
    services.erase_contact(primary)
    assert services.campaign_recipients(vendor) == []


# --- erasure --------------------------------------------------------------------------------


def _audit_for(contact_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "contact", AuditEntry.object_id == str(contact_id))
            .order_by(AuditEntry.id)
        )
    )


def test_an_admin_erases_a_contact_and_the_record_stays_intact(client, auth, db_session):
    vendor = make_vendor("Erasure Ltd")
    contact = make_contact(
        vendor,
        kinds=["primary", "security"],
        name="Pat Private",
        email="pat.private@erasure.example",
        phone="+44 20 7946 0999",
        title="Head of Security",
    )
    services.update_contact(
        contact,
        {
            "name": "Pat Private",
            "email": contact.email,
            "phone": contact.phone,
            "title": "CISO",
            "kinds": ["primary", "security"],
        },
    )
    contact_id = contact.id
    before = [e.id for e in _audit_for(contact_id)]
    auth.login("admin")
    confirm = client.get(f"/vendors/{vendor.id}/contacts/{contact_id}/erase").text
    assert "is the primary contact" in confirm
    response = client.post(f"/vendors/{vendor.id}/contacts/{contact_id}/erase", data={})
    assert response.status_code == 200
    assert "What was kept, and why" in response.text
    assert f"The record #{contact_id}" in response.text
    assert "needs a new primary contact" in response.text

    db.session.expire_all()
    erased = db.session.get(Contact, contact_id)
    assert erased.vendor_id == vendor.id and erased.erased_at is not None
    assert (erased.name, erased.email, erased.phone, erased.title) == (None, None, None, None)
    assert erased.kinds == ["primary", "security"]
    entries = _audit_for(contact_id)
    assert [e.id for e in entries][: len(before)] == before  # earlier entries untouched
    assert entries[-1].action == "contact.erased"
    assert entries[-1].details["fields"] == ["name", "email", "phone", "title"]
    dumped = json.dumps([e.details for e in entries])
    for value in ("Pat", "Private", "pat.private", "7946", "Head of Security", "CISO"):
        assert value not in dumped

    page = client.get(f"/vendors/{vendor.id}").text
    assert "No primary contact." in page and "the previous one was erased" in page
    assert f"Erased contact #{contact_id}" in page and "pat.private" not in page


def test_an_erased_contact_cannot_be_edited_or_erased_again(client, auth, db_session):
    vendor = make_vendor()
    contact = make_contact(vendor)
    services.erase_contact(contact)
    with pytest.raises(services.VendorError):
        services.erase_contact(contact)
    with pytest.raises(services.VendorError):
        services.update_contact(contact, {"name": "Back", "email": "back@v.example"})
    auth.login("manager")
    response = client.get(f"/vendors/{vendor.id}/contacts/{contact.id}/edit")
    assert response.status_code == 302


def test_after_erasing_the_primary_a_new_primary_can_be_named(db_session):
    vendor = make_vendor()
    old = make_contact(vendor, kinds=["primary"])
    services.erase_contact(old)
    new = make_contact(vendor, kinds=["primary"])
    assert vendor.primary_contact is new


def test_the_cli_erases_every_contact_with_the_address_and_says_what_it_kept(runner, db_session):
    one, two = make_vendor("First Vendor"), make_vendor("Second Vendor")
    make_contact(one, kinds=["primary"], email="shared.person@example.com")
    make_contact(two, kinds=["security"], email="shared.person@example.com")
    other = make_contact(two, kinds=["primary"], email="someone.else@example.com")
    result = runner.invoke(
        args=["contacts", "erase", "--email", "Shared.Person@example.com", "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Erased contact #") == 2
    assert "Kept the record #" in result.output and "refer to it by id" in result.output
    assert "only primary contact of First Vendor" in result.output
    assert services.contacts_by_email("shared.person@example.com") == []
    assert other.email == "someone.else@example.com"


def test_the_cli_asks_before_erasing_and_stops_on_no(runner, db_session):
    vendor = make_vendor()
    make_contact(vendor, email="keep.me@example.com")
    result = runner.invoke(
        args=["contacts", "erase", "--email", "keep.me@example.com"], input="n\n"
    )
    assert result.exit_code != 0
    assert len(services.contacts_by_email("keep.me@example.com")) == 1


def test_the_cli_says_when_no_contact_has_the_address(runner, db_session):
    result = runner.invoke(args=["contacts", "erase", "--email", "nobody@example.com", "--yes"])
    assert result.exit_code != 0 and "No vendor contact" in result.output
