"""The campaign pages: resend, revoke and add a recipient (each audited), who may do what, and
a page whose query count does not grow with the number of vendors."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from tests.support.factories import create_campaign, make_contact, make_vendor, portal_path
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.models import IN_PROGRESS, SUBMITTED, Campaign, DueDateChange, Recipient
from vendorrisk.campaigns.triage import PAGE_SIZE
from vendorrisk.extensions import db
from vendorrisk.mail.models import OutboxMessage


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _invitations_to(address: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.recipient == address, OutboxMessage.template == "invitation")
    )


def test_resend_from_the_campaign_page_retires_the_old_link_and_queues_a_new_one(
    client, auth, campaign, recipient, vendor_client
):
    manager = auth.login("manager")
    old = portal_path(recipient)
    page = client.get(f"/campaigns/{campaign.id}").text
    assert f"/campaigns/{campaign.id}/recipients/{recipient.id}/resend" in page
    response = client.post(f"/campaigns/{campaign.id}/recipients/{recipient.id}/resend", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert vendor_client.get(old).status_code == 404
    assert vendor_client.get(portal_path(recipient)).status_code == 200
    assert _invitations_to(recipient.contact.email) == 2
    (entry,) = _audit("recipient.link_resent")
    assert entry.actor_id == manager.id and entry.object_id == str(recipient.id)


def test_revoke_from_the_campaign_page_ends_one_link_and_leaves_a_colleagues_alone(
    client, auth, campaign, assignment, vendor, vendor_client
):
    manager = auth.login("manager")
    colleague = make_contact(vendor, ("executive",))
    response = client.post(
        f"/campaigns/{campaign.id}/assignments/{assignment.id}/recipients",
        data={"contact": str(colleague.id)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    first, second = assignment.recipients
    assert (
        client.post(f"/campaigns/{campaign.id}/recipients/{first.id}/revoke", data={}).status_code
        == 302
    )
    db.session.expire_all()
    assert vendor_client.get(portal_path(first)).status_code == 404
    assert vendor_client.get(portal_path(second)).status_code == 200
    assert "link revoked" in client.get(f"/campaigns/{campaign.id}").text
    (entry,) = _audit("recipient.link_revoked")
    assert entry.actor_id == manager.id and entry.object_id == str(first.id)


def test_adding_a_recipient_invites_that_contact_with_a_link_of_their_own(
    client, auth, campaign, assignment, vendor
):
    manager = auth.login("manager")
    colleague = make_contact(vendor, ("executive",), name="Eve Executive")
    url = f"/campaigns/{campaign.id}/assignments/{assignment.id}/recipients"
    form = client.get(url).text
    assert "Eve Executive" in form
    taken = assignment.recipients[0].contact
    assert f'value="{taken.id}"' not in form
    assert client.post(url, data={"contact": str(colleague.id)}).status_code == 302
    db.session.expire_all()
    added = db.session.scalar(select(Recipient).where(Recipient.contact_id == colleague.id))
    assert added.assignment_id == assignment.id and added.added_by_id == manager.id
    assert _invitations_to(colleague.email) == 1
    (entry,) = _audit("recipient.added")
    assert entry.actor_id == manager.id
    # Someone else's contact cannot be slipped in.
    stranger = make_vendor("Elsewhere Ltd").contacts[0]
    refused = client.post(url, data={"contact": str(stranger.id)})
    assert refused.status_code == 200 and "Not a valid choice" in refused.text
    assert db.session.scalar(select(Recipient).where(Recipient.contact_id == stranger.id)) is None


def test_recipient_actions_are_404_for_a_recipient_of_another_campaign(
    client, auth, campaign, version, owner
):
    auth.login("manager")
    other = create_campaign(version, [make_vendor("Other Ltd", owner=owner)])
    stranger = other.assignments[0].recipients[0]
    for action in ("resend", "revoke"):
        url = f"/campaigns/{campaign.id}/recipients/{stranger.id}/{action}"
        assert client.post(url, data={}).status_code == 404
    url = f"/campaigns/{campaign.id}/assignments/{other.assignments[0].id}/recipients"
    assert client.get(url).status_code == 404


def test_compliance_reads_campaign_pages_but_every_campaign_post_is_403(
    app, client, auth, campaign, assignment, recipient, vendor, version
):
    posting = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("campaigns.") and "POST" in r.methods
    }
    # Exporting selected rows is a read (compliance officers export every campaign).
    assert posting - {"campaigns.bulk_export"} == {
        "campaigns.new",
        "campaigns.new_filter",
        "campaigns.new_edit",
        "campaigns.new_preview",
        "campaigns.new_send",
        "campaigns.resend",
        "campaigns.revoke",
        "campaigns.add_recipient",
        "campaigns.extend",
        "campaigns.bulk_remind",
        "campaigns.bulk_extend",
    }  # each one is tried below
    auth.login("compliance")
    for url in ("/campaigns/", f"/campaigns/{campaign.id}"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/campaigns/{campaign.id}").text
    assert "Resend" not in page and "Revoke" not in page and "Extend the due date" not in page
    colleague = make_contact(vendor, ("executive",))
    launch = {
        "name": "X",
        "template_version": str(version.id),
        "vendors": [str(vendor.id)],
        "due_date": (campaign.due_date + timedelta(days=1)).isoformat(),
        "timezone": "UTC",
    }
    posts = [
        *((f"/campaigns/new/{step}", launch) for step in ("filter", "edit", "preview", "send")),
        (
            "/campaigns/new",
            {
                "name": "X",
                "template_version": str(version.id),
                "vendors": [str(vendor.id)],
                "action": "send",
                "due_date": (campaign.due_date + timedelta(days=1)).isoformat(),
                "timezone": "UTC",
            },
        ),
        (f"/campaigns/{campaign.id}/recipients/{recipient.id}/resend", {}),
        (f"/campaigns/{campaign.id}/recipients/{recipient.id}/revoke", {}),
        (
            f"/campaigns/{campaign.id}/assignments/{assignment.id}/recipients",
            {"contact": str(colleague.id)},
        ),
        (
            f"/campaigns/{campaign.id}/extend",
            {"due_date": (campaign.due_date + timedelta(days=5)).isoformat(), "reason": "x"},
        ),
        (f"/campaigns/{campaign.id}/bulk/remind", {"ids": [str(assignment.id)]}),
        (
            f"/campaigns/{campaign.id}/bulk/extend",
            {
                "ids": [str(assignment.id)],
                "new_due_date": (campaign.due_date + timedelta(days=5)).isoformat(),
            },
        ),
    ]
    messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url
    assert client.get("/campaigns/new").status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == messages
    assert recipient.revoked_at is None and len(assignment.recipients) == 1
    assert db.session.scalar(select(DueDateChange)) is None
    assert assignment.extended_due_at is None
    assert len(_audit("access.denied")) == len(posts) + 1


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_may_use_every_campaign_page(client, auth, campaign, role):
    auth.login(role)
    for url in ("/campaigns/", "/campaigns/new", f"/campaigns/{campaign.id}"):
        assert client.get(url).status_code == 200, url


def test_signed_out_visitors_are_sent_to_sign_in(client, campaign):
    for url in ("/campaigns/", f"/campaigns/{campaign.id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


@contextmanager
def _counting():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _page_queries(client, vendors: int, version, owner) -> int:
    vendor_list = [make_vendor(f"Bulk {vendors}-{i}", owner=owner) for i in range(vendors)]
    campaign = create_campaign(version, vendor_list, message="Please answer")
    extra = make_contact(vendor_list[0], ("executive",))
    from vendorrisk.campaigns import services

    services.add_recipient(campaign.assignments[0], extra, actor=None)
    db.session.flush()
    with _counting() as statements:
        response = client.get(f"/campaigns/{campaign.id}")
    assert response.status_code == 200
    assert response.text.count("Resend") >= vendors
    return len(statements)


def test_the_campaign_page_runs_as_many_queries_for_30_vendors_as_for_3(
    client, auth, version, owner
):
    auth.login("manager")
    few = _page_queries(client, 3, version, owner)
    many = _page_queries(client, 30, version, owner)
    assert few == many, (few, many)
    assert few < 25


def test_the_campaign_list_runs_a_fixed_number_of_queries(client, auth, version, owner):
    auth.login("manager")
    for n in range(2):
        create_campaign(version, [make_vendor(f"List {n}", owner=owner)])
    with _counting() as two:
        assert client.get("/campaigns/").status_code == 200
    for n in range(2, 8):
        create_campaign(version, [make_vendor(f"List {n}", owner=owner)])
    with _counting() as eight:
        assert client.get("/campaigns/").status_code == 200
    assert len(two) == len(eight)


def _bulk_campaign(version, owner, count: int, **kwargs):
    vendors = [make_vendor(f"Paged {count}-{i:03d}", owner=owner) for i in range(count)]
    campaign = create_campaign(version, vendors, **kwargs)
    db.session.flush()
    return campaign


def _vendor_rows(html: str) -> list[str]:
    return re.findall(r">(Paged \d+-\d{3})</a>", html)


def test_a_large_campaign_is_shown_fifty_vendors_a_page_in_name_order(client, auth, version, owner):
    auth.login("manager")
    campaign = _bulk_campaign(version, owner, PAGE_SIZE + 5)
    first = client.get(f"/campaigns/{campaign.id}").text
    assert _vendor_rows(first) == [f"Paged 55-{i:03d}" for i in range(PAGE_SIZE)]
    assert "Page 1 of 2" in first and "0 of 55" in first
    second = client.get(f"/campaigns/{campaign.id}?page=2").text
    assert _vendor_rows(second) == [f"Paged 55-{i:03d}" for i in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert client.get(f"/campaigns/{campaign.id}?page=99").text.count("Paged 55-") >= 5


def test_the_filters_count_and_show_where_each_assignment_stands(client, auth, version, owner):
    auth.login("manager")
    campaign = _bulk_campaign(version, owner, 4)
    done, started = campaign.assignments[0], campaign.assignments[1]
    done.response_state, started.response_state = SUBMITTED, IN_PROGRESS
    campaign.due_at = campaign.due_at.replace(year=2000)  # long past: the rest are overdue
    db.session.flush()
    page = client.get(f"/campaigns/{campaign.id}").text
    counts = dict(
        re.findall(
            r'>(All|Not started|In progress|Submitted|Overdue) <span class="badge[^"]*">(\d+)<',
            page,
        )
    )
    assert counts == {
        "All": "4",
        "Not started": "2",
        "In progress": "1",
        "Submitted": "1",
        "Overdue": "3",
    }
    shown = _vendor_rows(client.get(f"/campaigns/{campaign.id}?state=submitted").text)
    assert shown == [done.vendor.name]
    overdue = _vendor_rows(client.get(f"/campaigns/{campaign.id}?state=overdue").text)
    assert done.vendor.name not in overdue and len(overdue) == 3
    unknown = client.get(f"/campaigns/{campaign.id}?state=nonsense&page=x")
    assert unknown.status_code == 200 and len(_vendor_rows(unknown.text)) == 4


def test_the_page_reads_the_same_number_of_rows_for_60_vendors_as_for_600(
    client, auth, version, owner
):
    auth.login("manager")
    sizes = []
    for count in (60, 600):
        campaign = _bulk_campaign(version, owner, count)
        # Building 600 vendors can take over a minute on a busy machine; the session's
        # last-seen time is then written on the next request. Let that happen here, uncounted.
        client.get("/")
        with _counting() as statements:
            assert client.get(f"/campaigns/{campaign.id}?page=2").status_code == 200
        sizes.append(len(statements))
    assert sizes[0] == sizes[1]
