"""More time for some vendors of a campaign: a due date of their own, chosen for the rows
selected in the triage table, audited, refused when not later or in the past, never given to a
vendor that has submitted; the table, its overdue filter, links and reminders follow it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import make_user
from tests.dashboard.helpers import CLEAN, past_due, submit
from tests.support.factories import create_campaign, make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns import deadlines, reminders, services
from vendorrisk.campaigns.models import Assignment, ReminderSent
from vendorrisk.campaigns.triage import BulkError, Query, triage
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail.models import OutboxMessage

DAY = timedelta(days=1)
GRACE = timedelta(days=30)  # PORTAL_LINK_GRACE_DAYS


@pytest.fixture
def sender(db_session):
    return make_user("manager", name="Sam Sender")


@pytest.fixture
def three(version, sender):
    """A campaign to Alpha, Beta and Gamma, its due date past: all three are overdue."""
    vendors = [make_vendor(name) for name in ("Alpha Co", "Beta Co", "Gamma Co")]
    campaign = create_campaign(version, vendors, actor=sender, name="Connector check")
    past_due(campaign, days=2)
    return campaign, {a.vendor.name: a for a in campaign.assignments}


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def _mail(template: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == template)
            .order_by(OutboxMessage.id)
        )
    )


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/vendors/\d+">([^<]+)</a>', html)


# --- the service --------------------------------------------------------------------------------


def test_an_extension_sets_each_vendors_own_due_time_and_audits_old_and_new_dates(three, sender):
    campaign, by = three
    new_date = date.today() + 10 * DAY
    old_day = campaign.due_date
    result = deadlines.extend(
        campaign, [by["Alpha Co"], by["Beta Co"]], new_date, " Asked on the phone. ", sender
    )
    new_due = services.due_at_for(new_date, campaign.timezone)
    assert [a.vendor.name for a in result.extended] == ["Alpha Co", "Beta Co"]
    for name in ("Alpha Co", "Beta Co"):
        assignment = by[name]
        assert assignment.extended_due_at == new_due == assignment.effective_due_at
        assert not assignment.is_overdue()
        assert services.assignment_due_day(assignment) == new_date
        assert all(r.expires_at >= new_due + GRACE for r in assignment.recipients)
    assert by["Gamma Co"].extended_due_at is None and by["Gamma Co"].is_overdue()
    entries = _entries("assignment.extended")
    assert [e.object_id for e in entries] == [str(by["Alpha Co"].id), str(by["Beta Co"].id)]
    assert entries[0].actor_id == sender.id
    assert entries[0].details["old_due_date"] == old_day.isoformat()
    assert entries[0].details["new_due_date"] == new_date.isoformat()
    assert entries[0].details["reason"] == "Asked on the phone."
    # The campaign itself keeps its date.
    assert campaign.due_date == old_day


NOT_LATER = "Choose a day after each selected vendor's current due date: Alpha Co ("


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        (lambda due: date.today() - DAY, "The new due date is in the past."),
        (lambda due: due, NOT_LATER),
        (lambda due: due - 3 * DAY, NOT_LATER),  # still in the future, but earlier
    ],
    ids=["past", "same-day", "earlier"],
)
def test_a_date_not_later_than_the_current_one_or_past_is_refused_and_changes_nothing(
    version, sender, chosen, message
):
    campaign = create_campaign(version, [make_vendor("Alpha Co")], actor=sender)  # due in 14 days
    (assignment,) = campaign.assignments
    new_date = chosen(campaign.due_date)
    expiry = assignment.recipients[0].expires_at
    with pytest.raises(services.CampaignError, match=re.escape(message)) as raised:
        deadlines.extend(campaign, [assignment], new_date, "", sender)
    assert raised.value.field == "new_due_date"
    assert assignment.extended_due_at is None
    assert assignment.recipients[0].expires_at == expiry
    assert _entries("assignment.extended") == []


def test_a_second_extension_must_be_later_than_the_vendors_own_date(three, sender):
    campaign, by = three
    alpha = by["Alpha Co"]
    deadlines.extend(campaign, [alpha], date.today() + 20 * DAY, None, sender)
    with pytest.raises(services.CampaignError) as raised:
        deadlines.extend(campaign, [alpha, by["Beta Co"]], date.today() + 18 * DAY, None, sender)
    later = date.today() + 20 * DAY
    assert f"Alpha Co ({later:%d %B %Y})" in str(raised.value)
    assert "Beta Co" not in str(raised.value)  # Beta could have had it: all or none
    assert by["Beta Co"].extended_due_at is None
    assert len(_entries("assignment.extended")) == 1


def test_vendors_that_have_submitted_are_skipped(three, sender):
    campaign, by = three
    submit(by["Beta Co"], CLEAN)
    submit(by["Gamma Co"], CLEAN)
    result = deadlines.extend(
        campaign, list(by.values()), date.today() + 5 * DAY, "Holiday season.", sender
    )
    assert [a.vendor.name for a in result.extended] == ["Alpha Co"]
    assert sorted(a.vendor.name for a in result.skipped) == ["Beta Co", "Gamma Co"]
    assert by["Beta Co"].extended_due_at is None and by["Gamma Co"].extended_due_at is None
    assert len(_entries("assignment.extended")) == 1
    day = f"{date.today() + 5 * DAY:%d %B %Y}"
    assert deadlines.extended_message(result) == (
        f"1 vendor has until {day}. 2 others were left as before: they have submitted already."
    )
    only_beta = deadlines.extend(campaign, [by["Beta Co"]], date.today() + 6 * DAY, "", sender)
    assert deadlines.extended_message(only_beta) == (
        "No vendor was given more time: the vendor selected has submitted already."
    )


def test_an_extension_of_the_whole_campaign_past_a_vendors_date_applies_to_it_too(version, sender):
    campaign = create_campaign(version, [make_vendor("Alpha Co")], actor=sender)
    (assignment,) = campaign.assignments
    deadlines.extend(campaign, [assignment], campaign.due_date + 2 * DAY, None, sender)
    services.extend_due_date(campaign, campaign.due_date + 5 * DAY, "Everyone.", sender)
    assert assignment.effective_due_at == campaign.due_at  # the later of the two
    assert services.assignment_due_day(assignment) == campaign.due_date
    # A query reads the same rule as the object.
    in_sql = db.session.scalar(
        select(Assignment.effective_due_at)
        .join(Assignment.campaign)
        .where(Assignment.id == assignment.id)
    )
    assert in_sql == assignment.effective_due_at


def test_the_vendor_can_be_told_the_new_date_which_counts_as_the_reminders_due(three, sender):
    campaign, by = three
    alpha = by["Alpha Co"]
    deadlines.extend(campaign, [alpha], date.today() + 2 * DAY, None, sender, notify=True)
    (notice,) = _mail("extended")
    assert notice.recipient == alpha.recipients[0].contact.email
    assert notice.subject.startswith("More time: ")
    assert f"due by {date.today() + 2 * DAY:%d %B %Y}, end of day" in notice.body_text
    assert notice.link_marker in notice.body_text
    assert _entries("assignment.extended")[0].details["notified"] == 1
    # The hourly run sends nothing more for the new date until the next reminder is due.
    reminders.send_reminders(now=utcnow())
    assert _mail("reminder") == [] and [m.recipient for m in _mail("overdue")] == [
        by["Beta Co"].recipients[0].contact.email,
        by["Gamma Co"].recipients[0].contact.email,
    ]


# --- reminders ----------------------------------------------------------------------------------


def test_an_overdue_vendor_given_more_time_is_no_longer_reminded_as_overdue(three, sender):
    campaign, by = three
    alpha = by["Alpha Co"]
    new_due = services.due_at_for(date.today() + 10 * DAY, campaign.timezone)
    deadlines.extend(campaign, [alpha], date.today() + 10 * DAY, None, sender)
    assert reminders.send_reminders(now=utcnow()) == 2  # Beta and Gamma, overdue
    overdue = {m.recipient for m in _mail("overdue")}
    assert alpha.recipients[0].contact.email not in overdue
    # Alpha is reminded for its own date instead, a week before it.
    assert reminders.send_reminders(now=new_due - 7 * DAY + timedelta(minutes=1)) == 1
    (reminder,) = _mail("reminder")
    assert reminder.recipient == alpha.recipients[0].contact.email
    assert f"due by {date.today() + 10 * DAY:%d %B %Y}" in reminder.body_text
    sent = db.session.scalar(
        select(ReminderSent).where(
            ReminderSent.assignment_id == alpha.id, ReminderSent.offset_key == "7d"
        )
    )
    assert sent.due_at == new_due


# --- the triage table's bulk action --------------------------------------------------------------


def _extend(client, campaign, ids, new_date, **extra):
    data = {"ids": [str(i) for i in ids], "new_due_date": new_date.isoformat(), **extra}
    return client.post(f"/campaigns/{campaign.id}/bulk/extend", data=data)


def test_the_bulk_action_extends_the_selected_rows_and_the_table_follows(
    client, auth, three, sender
):
    campaign, by = three
    auth.login(user=sender)
    base = f"/campaigns/{campaign.id}"
    assert _names(client.get(f"{base}?state=overdue").text) == ["Alpha Co", "Beta Co", "Gamma Co"]
    new_date = date.today() + 12 * DAY
    response = _extend(
        client, campaign, [by["Alpha Co"].id, by["Beta Co"].id], new_date, extension_reason="PTO"
    )
    assert response.status_code == 302
    page = client.get(response.location).text
    assert f"2 vendors have until {new_date:%d %B %Y}." in page
    assert page.count(f"Due {new_date:%d %b %Y} (extended)") == 2
    assert _names(client.get(f"{base}?state=overdue").text) == ["Gamma Co"]
    db.session.expire_all()
    assert by["Alpha Co"].extended_due_at == services.due_at_for(new_date, campaign.timezone)
    assert by["Gamma Co"].extended_due_at is None
    entries = _entries("assignment.extended")
    assert len(entries) == 2 and {e.actor_id for e in entries} == {sender.id}
    assert entries[0].details["reason"] == "PTO"
    assert _mail("extended") == []  # the box was not ticked
    view = triage(campaign.id, Query(state="overdue"))
    assert view.counts["overdue"] == 1
    exported = client.post(
        f"{base}/bulk/export", data={"ids": [str(by["Alpha Co"].id)], "format": "csv"}
    ).text.splitlines()
    assert exported[0].endswith(",Due") and exported[1].endswith(f",{new_date.isoformat()}")


def test_the_bulk_action_can_e_mail_the_vendors_the_new_date(client, auth, three, sender):
    campaign, by = three
    auth.login(user=sender)
    response = _extend(client, campaign, [by["Alpha Co"].id], date.today() + 9 * DAY, notify="y")
    assert response.status_code == 302
    assert [m.recipient for m in _mail("extended")] == [by["Alpha Co"].recipients[0].contact.email]


def test_a_submitted_vendor_among_the_selected_is_skipped_and_the_page_says_why(
    client, auth, three, sender
):
    campaign, by = three
    submit(by["Beta Co"], CLEAN)
    auth.login(user=sender)
    response = _extend(client, campaign, [by["Alpha Co"].id, by["Beta Co"].id], date.today() + DAY)
    page = client.get(response.location).text
    assert "1 vendor has until" in page
    assert "1 other was left as before: it has submitted already." in page
    db.session.expire_all()
    assert by["Beta Co"].extended_due_at is None and by["Alpha Co"].extended_due_at is not None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "This field is required."),
        ("not-a-date", "Not a valid date value."),
        ((date.today() - DAY).isoformat(), "The new due date is in the past."),
        ("9999-12-31", "Enter a date between 01 January 1900 and 31 December 2199."),
    ],
    ids=["empty", "garbage", "past", "year-9999"],
)
def test_a_bad_date_is_shown_beside_the_field_and_changes_nothing(
    client, auth, three, sender, value, message
):
    campaign, by = three
    auth.login(user=sender)
    ids = [str(by["Alpha Co"].id), str(by["Beta Co"].id)]
    response = client.post(
        f"/campaigns/{campaign.id}/bulk/extend", data={"ids": ids, "new_due_date": value}
    )
    assert response.status_code == 400
    field = re.search(r'<input[^>]*name="new_due_date"[^>]*>\s*<div[^>]*>([^<]*)<', response.text)
    assert field is not None and "is-invalid" in field.group(0)
    assert field.group(1) == message.replace("'", "&#39;")
    # The rows stay selected, so the person can correct the date and send again.
    assert response.text.count('form="bulk" id="sel-') == 3
    assert response.text.count(" checked>") == 2
    db.session.expire_all()
    assert by["Alpha Co"].extended_due_at is None and by["Beta Co"].extended_due_at is None
    assert _entries("assignment.extended") == []


def test_a_date_not_later_than_a_vendors_own_is_shown_beside_the_field(client, auth, three, sender):
    campaign, by = three
    deadlines.extend(campaign, [by["Alpha Co"]], date.today() + 8 * DAY, None, sender)
    auth.login(user=sender)
    response = _extend(client, campaign, [by["Alpha Co"].id], date.today() + 4 * DAY)
    assert response.status_code == 400
    assert 'id="new_due_date-error">Choose a day after each selected vendor' in response.text
    db.session.expire_all()
    assert by["Alpha Co"].effective_due_at == services.due_at_for(
        date.today() + 8 * DAY, campaign.timezone
    )


def test_nothing_selected_or_a_post_without_its_csrf_token_changes_nothing(
    client, auth, three, sender
):
    campaign, by = three
    auth.login(user=sender)
    later = (date.today() + 5 * DAY).isoformat()
    url = f"/campaigns/{campaign.id}/bulk/extend"
    page = client.post(url, data={"new_due_date": later}, follow_redirects=True).text
    assert "Select at least one vendor first." in page
    response = client.post(
        url, data={"ids": [str(by["Alpha Co"].id)], "new_due_date": later}, csrf=False
    )
    assert response.status_code == 400  # as every form posted without its CSRF token
    # Another campaign's assignment is not this campaign's row.
    other = create_campaign(by["Alpha Co"].campaign.template_version, [make_vendor("Other Co")])
    page = client.post(
        url,
        data={"ids": [str(other.assignments[0].id)], "new_due_date": later},
        follow_redirects=True,
    ).text
    assert "Select at least one vendor first." in page
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.extended_due_at.is_not(None))
        )
        == 0
    )


def test_a_compliance_officer_may_not_extend(client, auth, three):
    campaign, by = three
    auth.login("compliance")
    page = client.get(f"/campaigns/{campaign.id}").text
    assert "Extend the due date" not in page and 'name="new_due_date"' not in page
    response = _extend(client, campaign, [by["Alpha Co"].id], date.today() + 5 * DAY)
    assert response.status_code == 403
    db.session.expire_all()
    assert by["Alpha Co"].extended_due_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client, three):
    campaign, by = three
    response = _extend(client, campaign, [by["Alpha Co"].id], date.today() + 5 * DAY)
    assert response.status_code == 302 and "/login" in response.location


def test_no_row_selected_is_an_error_of_the_selection(three):
    campaign, _ = three
    with pytest.raises(BulkError):
        deadlines.selected_assignments(campaign, [])
