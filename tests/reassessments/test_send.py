"""`flask reassessments send`: the due vendors are asked once, with their earlier answers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.reassessments.conftest import TIER_1, TIER_2, TIER_4, assessed, vendor
from vendorrisk.campaigns.models import Assignment, ReusedAnswer
from vendorrisk.extensions import db
from vendorrisk.mail.models import OutboxMessage
from vendorrisk.reassessments import services
from vendorrisk.reassessments.models import ReassessmentSend
from vendorrisk.reassessments.services import add_months


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_send_creates_the_due_assignments_once(baseline, sender, runner):
    never = vendor("Never Assessed Ltd", TIER_1)
    recent = vendor("Recently Assessed Ltd", TIER_1)
    assessed(baseline, recent, days_ago=60)
    old = vendor("Long Ago Ltd", TIER_2)
    assessed(baseline, old, days_ago=800, answers={"has_plan": "yes", "security_owner": "Kim"})
    low = vendor("Low Tier Ltd", TIER_4)  # tier 4 is not on the schedule
    assignments, messages = _count(Assignment), _count(OutboxMessage)

    result = runner.invoke(args=["reassessments", "send", "--sender", "sender@firm.example"])
    assert result.exit_code == 0, result.output
    assert "sent 2 reassessments in 1 campaigns" in result.output
    sends = db.session.scalars(select(ReassessmentSend)).all()
    assert {s.vendor_id for s in sends} == {never.id, old.id}
    assert {s.tier for s in sends} == {1, 2}
    assert _count(Assignment) == assignments + 2
    asked = {s.vendor_id: s.assignment for s in sends}
    assert asked[old.id].campaign.created_by_id == sender.id
    # The invitations went into the outbox, one per recipient of each new assignment.
    recipients = [r for a in asked.values() for r in a.recipients]
    assert len(recipients) == 2  # the security contact of each
    assert _count(OutboxMessage) == messages + len(recipients)
    assert all(r.last_message.template == "invitation" for r in recipients)
    # The earlier answers are offered, not answered: the draft stays empty.
    offered = db.session.scalars(
        select(ReusedAnswer.question_id).where(
            ReusedAnswer.response_id == asked[old.id].response.id
        )
    ).all()
    assert sorted(offered) == ["has_plan", "security_owner"]
    assert asked[old.id].response.draft == {}
    assert recent.id not in asked and low.id not in asked

    again = runner.invoke(args=["reassessments", "send", "--sender", "sender@firm.example"])
    assert again.exit_code == 0, again.output
    assert "sent 0 reassessments in 0 campaigns" in again.output
    assert _count(Assignment) == assignments + 2
    assert _count(OutboxMessage) == messages + len(recipients)
    assert _count(ReassessmentSend) == 2


def test_a_vendor_with_an_open_assignment_is_not_asked_again(baseline, sender):
    busy = vendor("Busy Ltd", TIER_1)
    from tests.support.factories import create_campaign

    create_campaign(baseline, [busy])  # sent by hand, not answered yet
    result = services.send_due(date.today(), sender)
    assert result.sent == []


def test_send_refuses_without_a_sender(baseline, runner):
    vendor("Never Assessed Ltd", TIER_1)
    result = runner.invoke(args=["reassessments", "send"])
    assert result.exit_code != 0
    assert "--sender or REASSESSMENT_SENDER" in result.output
    assert _count(ReassessmentSend) == 0


def test_a_schedule_naming_an_incident_template_is_refused(baseline, sender, runner, app):
    from tests.support.factories import approved_version

    approved_version()  # the small incident questionnaire, connector-breach-check
    app.config["REASSESSMENT_SCHEDULE"] = {1: (12, "connector-breach-check")}
    result = runner.invoke(args=["reassessments", "send", "--sender", "sender@firm.example"])
    assert result.exit_code != 0
    assert "incident template, not a baseline" in result.output


def test_due_lists_what_falls_due_within_60_days(baseline, runner):
    soon = vendor("Due Soon Ltd", TIER_1)
    assessed(baseline, soon, days_ago=340)  # 12 months after: in about 25 days
    later = vendor("Due Later Ltd", TIER_1)
    assessed(baseline, later, days_ago=200)
    items = services.upcoming(date.today())
    assert [i.vendor.name for i in items] == ["Due Soon Ltd"]
    last = items[0].last_on
    assert items[0].due_on == add_months(last, 12)
    result = runner.invoke(args=["reassessments", "due"])
    assert "Due Soon Ltd" in result.output and "Due Later Ltd" not in result.output


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 11, 15), 24) == date(2028, 11, 15)


def test_the_schedule_is_read_from_the_environment_with_clear_errors():
    import pytest

    from vendorrisk.config import parse_schedule

    assert parse_schedule("1:12:base-a, 3:36:base-b") == {1: (12, "base-a"), 3: (36, "base-b")}
    assert parse_schedule("") == {}
    with pytest.raises(RuntimeError, match="'1:twelve:base' is not tier:months:template-slug"):
        parse_schedule("1:twelve:base")
    with pytest.raises(RuntimeError, match="the tier is 1 to 4 and the months 1 to 120"):
        parse_schedule("5:12:base")


def test_the_workers_daily_task_sends_as_the_configured_sender_and_only_then(
    baseline, sender, app, monkeypatch
):
    """`flask worker` queues reassessments.send daily: with no REASSESSMENT_SENDER it sends
    nothing; with one it sends what is due, once."""
    from vendorrisk.core import tasks

    assert any(p.task == "reassessments.send" and p.every == 86400 for p in tasks.PERIODIC)
    due = vendor("Never Assessed Ltd", TIER_1)
    monkeypatch.setitem(app.config, "REASSESSMENT_SENDER", None)
    assert tasks.TASKS["reassessments.send"]() == 0
    assert _count(ReassessmentSend) == 0
    monkeypatch.setitem(app.config, "REASSESSMENT_SENDER", "sender@firm.example")
    assert tasks.TASKS["reassessments.send"]() == 1
    assert tasks.TASKS["reassessments.send"]() == 0
    [send] = db.session.scalars(select(ReassessmentSend)).all()
    assert send.vendor_id == due.id and send.assignment.campaign.created_by_id == sender.id
