"""Reminders: 7, 3 and 1 days before the due time and once when overdue; never twice; only
the latest after a missed run; a new schedule after an extension; none once submitted."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.portal.helpers import answer_everything, open_portal, submit
from tests.support.factories import create_campaign, make_contact, make_vendor
from vendorrisk.campaigns import reminders, services
from vendorrisk.campaigns.models import ReminderSent
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail.models import OutboxMessage

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


def _queued(template: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == template)
            .order_by(OutboxMessage.id)
        )
    )


def _kinds(assignment) -> list[tuple[str, bool]]:
    return [
        (r.offset_key, r.skipped)
        for r in db.session.scalars(
            select(ReminderSent)
            .where(ReminderSent.assignment_id == assignment.id)
            .order_by(ReminderSent.id)
        )
    ]


def test_reminders_go_at_seven_three_and_one_days_before_and_once_when_overdue(
    campaign, assignment, recipient
):
    due = campaign.due_at
    assert reminders.send_reminders(now=due - 7 * DAY - MINUTE) == 0
    for at, expected in [
        (due - 7 * DAY + MINUTE, 1),
        (due - 7 * DAY + 2 * MINUTE, 0),
        (due - 3 * DAY, 1),
        (due - 2 * DAY, 0),
        (due - DAY + MINUTE, 1),
        (due - MINUTE, 0),
        (due + MINUTE, 1),
        (due + 5 * DAY, 0),
    ]:
        assert reminders.send_reminders(now=at) == expected, at
    assert _kinds(assignment) == [("7d", False), ("3d", False), ("1d", False), ("overdue", False)]
    assert [m.recipient for m in _queued("reminder")] == [recipient.contact.email] * 3
    (overdue,) = _queued("overdue")
    assert overdue.subject.startswith("Overdue: ") and overdue.link_ref == str(recipient.id)
    first = _queued("reminder")[0]
    assert first.link_marker.startswith("[[secure-link:") and first.link_marker in first.body_text


def test_a_missed_cron_run_sends_only_the_latest_applicable_reminder(campaign, assignment):
    due = campaign.due_at
    assert reminders.send_reminders(now=due - DAY + MINUTE) == 1
    assert _kinds(assignment) == [("7d", True), ("3d", True), ("1d", False)]
    assert len(_queued("reminder")) == 1
    assert reminders.send_reminders(now=due - 12 * timedelta(hours=1)) == 0


def test_the_cli_command_is_idempotent(runner, version, vendor):
    campaign = create_campaign(version, [vendor], due_date=date.today() + timedelta(days=6))
    assert campaign.due_at - utcnow() < 7 * DAY
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0, first.output
    assert "reminded 1 assignments" in first.output
    second = runner.invoke(args=["reminders", "send"])
    assert "reminded 0 assignments" in second.output
    assert len(_queued("reminder")) == 1


def test_after_an_extension_a_new_schedule_starts(campaign, assignment):
    old_due = campaign.due_at
    assert reminders.send_reminders(now=old_due - DAY + MINUTE) == 1
    services.extend_due_date(
        campaign,
        campaign.due_date + timedelta(days=14),
        "More time",
        actor=assignment.campaign.created_by,
    )
    db.session.flush()
    new_due = campaign.due_at
    assert reminders.send_reminders(now=old_due + MINUTE) == 0  # not overdue any more
    assert reminders.send_reminders(now=new_due - 7 * DAY + MINUTE) == 1
    assert reminders.send_reminders(now=new_due - 7 * DAY + 2 * MINUTE) == 0
    keys = [
        (r.offset_key, r.due_at == new_due)
        for r in db.session.scalars(
            select(ReminderSent).where(ReminderSent.skipped.is_(False)).order_by(ReminderSent.id)
        )
    ]
    assert keys == [("1d", False), ("7d", True)]


def test_submitted_assignments_and_revoked_links_get_no_reminders(version, vendor_client, owner):
    done, waiting = make_vendor("Done Ltd", owner=owner), make_vendor("Waiting Ltd", owner=owner)
    campaign = create_campaign(version, [done, waiting])
    finished, open_one = campaign.assignments
    aid = open_portal(vendor_client, finished.recipients[0])
    answer_everything(vendor_client, aid)
    assert submit(vendor_client, aid).status_code == 302
    db.session.expire_all()

    extra = make_contact(waiting, ("executive",))
    colleague = services.add_recipient(open_one, extra, actor=None)
    services.revoke(open_one.recipients[0], actor=None)
    db.session.flush()

    assert reminders.send_reminders(now=campaign.due_at - 3 * DAY) == 1
    assert [m.recipient for m in _queued("reminder")] == [colleague.contact.email]
    assert _kinds(finished) == []
