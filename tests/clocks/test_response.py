"""The vendor's response clock against its contract clause and the campaign's due date."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from vendorrisk.clocks import vendor_clock
from vendorrisk.clocks.response import measure
from vendorrisk.extensions import db
from vendorrisk.mail.models import OutboxMessage

ASKED = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _measure(stated_at, now, hours=24):
    return measure(
        asked_at=ASKED,
        due_at=ASKED + timedelta(days=7),
        clause_hours=hours,
        acknowledged_at=ASKED + timedelta(hours=1),
        stated_at=stated_at,
        stated="affected" if stated_at else None,
        submitted_at=stated_at,
        findings_closed_at=None,
        now=now,
    )


def test_a_statement_30_hours_after_a_24_hour_clause_breaches_it():
    """Late against the clause, still on time against the due date."""
    clock = _measure(ASKED + timedelta(hours=30), ASKED + timedelta(days=2))
    assert clock.clause_breached
    stated = clock.milestone("stated")
    assert (stated.within_clause, stated.within_due) == (False, True)
    assert clock.milestone("acknowledged").within_clause is True


def test_silence_breaches_the_clause_once_it_has_run_out_and_not_before():
    """No statement yet: open while the clause runs, breached after."""
    assert not _measure(None, ASKED + timedelta(hours=23)).clause_breached
    assert _measure(None, ASKED + timedelta(hours=25)).clause_breached
    assert not _measure(ASKED + timedelta(hours=24), ASKED + timedelta(days=3)).clause_breached


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (-4, "must be a positive number of hours"),
        (0, "must be a positive number of hours"),
        (24 * 400, "is more than a year: check the figure"),
    ],
)
def test_negative_or_absurd_clause_hours_are_refused(hours, message):
    """Never clamped to something plausible."""
    with pytest.raises(ValueError, match=message):
        _measure(None, ASKED, hours=hours)


def test_a_breached_24_hour_clause_raises_one_finding_and_tells_the_owner(late_vendor, owner):
    """An internal high finding naming the contract; one e-mail to the owner; not raised twice."""
    now = datetime.now(UTC)
    (finding,) = vendor_clock.raise_breaches(late_vendor, now)
    assert finding.title == "Breach-notification clause missed (24 h)"
    assert "MSA-2024-7" in finding.detail and "30.0 h after being asked" in finding.detail
    assert finding.internal and finding.severity == "high"
    message = db.session.scalars(select(OutboxMessage).filter_by(template="clause_breach")).one()
    assert message.recipient == owner.email
    assert vendor_clock.raise_breaches(late_vendor, now) == []


def test_the_review_page_links_an_impact_report_to_our_clocks(client, auth, late_vendor):
    """The answers raised an impact signal: the reviewer is offered the regulatory clocks."""
    auth.login("manager")
    assignment = late_vendor.assignments[0]
    page = client.get(f"/review/assignments/{assignment.id}").text
    assert f"/review/assignments/{assignment.id}/clocks" in page


def test_the_check_vendors_command_reports_what_it_raised(runner, late_vendor):
    """`flask clocks check-vendors` raises the finding once."""
    assert runner.invoke(args=["clocks", "check-vendors"]).output.strip() == "raised 1 findings"
    assert runner.invoke(args=["clocks", "check-vendors"]).output.strip() == "raised 0 findings"


def test_the_clocks_page_shows_the_vendors_response_against_the_clause(client, auth, late_vendor):
    """Stated 30 h after being asked: not within the 24 h clause, within the due date."""
    auth.login("compliance")
    page = client.get(f"/review/assignments/{late_vendor.assignments[0].id}/clocks").text
    assert "Contract MSA-2024-7: notice within 24 h" in page
    assert "clause breached" in page
    assert "Stated affected" in page


def test_the_campaign_triage_table_shows_the_breached_clause(client, auth, late_vendor):
    """The notice-clause column flags the vendor and links to its clocks."""
    auth.login("manager")
    page = client.get(f"/campaigns/{late_vendor.id}").text
    assert "Breached</span> 24 h" in page
    assert f"/review/assignments/{late_vendor.assignments[0].id}/clocks" in page


def test_the_vendor_page_flags_the_breached_clause_and_links_the_register(
    client, auth, late_vendor
):
    """The assessment row carries the clause badge; the profile links the contract register."""
    auth.login("compliance")
    vendor = late_vendor.assignments[0].vendor
    page = client.get(f"/vendors/{vendor.id}").text
    assert "24 h notice clause breached" in page
    assert f"/vendors/{vendor.id}/contracts" in page
