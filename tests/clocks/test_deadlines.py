"""Recording awareness on an impact report, the deadlines it starts, filings and reminders."""

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from tests.conftest import make_user
from vendorrisk.audit.models import AuditEntry
from vendorrisk.clocks import services
from vendorrisk.clocks.regimes import ClockError
from vendorrisk.extensions import db
from vendorrisk.mail.models import OutboxMessage

CLOCK_TABLES = {"clock_settings", "firm_incidents", "regulatory_deadlines", "contracts"}


def test_the_clock_tables_match_their_models(app, db_session):
    """The 0016_clocks and 0017_contracts migrations create exactly what the models declare."""

    def only_clock_tables(obj, name, type_, reflected, compare_to):
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return getattr(table, "name", name) in CLOCK_TABLES

    context = MigrationContext.configure(
        db_session.connection(), opts={"compare_type": True, "include_object": only_clock_tables}
    )
    assert compare_metadata(context, db.metadata) == []


def _switch_on(*keys, tz="Europe/Berlin"):
    services.save_settings(tz, list(keys), make_user("admin"), datetime.now(UTC))


def _deadlines(assignment):
    return {d.stage: d for d in services.incident_for(assignment).deadlines}


def test_recording_awareness_shows_the_gdpr_deadline_in_the_firm_zone_and_utc(
    client, auth, submitted
):
    """A reviewer enters 27 Mar 2026 10:00 Berlin time; GDPR's 72 h end 30 Mar 11:00 CEST."""
    _switch_on("gdpr")
    auth.login("manager")
    response = client.post(
        f"/review/assignments/{submitted.id}/clocks/awareness",
        data={"zone": "firm", "aware_at": "2026-03-27T10:00", "note": "Vendor phoned."},
    )
    assert response.status_code == 302
    page = client.get(f"/review/assignments/{submitted.id}/clocks").text
    assert "2026-03-30 11:00 CEST" in page and "2026-03-30 09:00" in page
    assert "GDPR Art. 33(1)" in page
    assert _deadlines(submitted)["gdpr_authority"].due_at == datetime(2026, 3, 30, 9, tzinfo=UTC)


def test_an_awareness_time_in_the_future_is_refused_beside_the_field(client, auth, submitted):
    """Nothing is recorded and the message says why."""
    _switch_on("gdpr")
    auth.login("manager")
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/review/assignments/{submitted.id}/clocks/awareness",
        data={"zone": "utc", "aware_at": later},
    )
    assert response.status_code == 422
    assert "The awareness time is in the future." in response.text
    assert services.incident_for(submitted) is None


def test_a_skipped_wall_time_is_refused_not_guessed(client, auth, submitted):
    """02:30 on the night the clocks go forward does not exist in Berlin."""
    _switch_on("gdpr")
    auth.login("manager")
    response = client.post(
        f"/review/assignments/{submitted.id}/clocks/awareness",
        data={"zone": "firm", "aware_at": "2026-03-29T02:30"},
    )
    assert response.status_code == 422
    assert "does not exist in Europe/Berlin" in response.text


def test_dora_filings_start_the_next_clocks_and_are_kept_with_their_reference(submitted, owner):
    """Initial filed: intermediate due 72 h later; a filing needs a reference."""
    _switch_on("dora")
    aware = datetime(2026, 10, 24, 7, tzinfo=UTC)
    services.record_awareness(
        submitted,
        services.Awareness(aware, classified_at=aware + timedelta(hours=1)),
        owner,
        datetime(2026, 10, 24, 9, tzinfo=UTC),
    )
    rows = _deadlines(submitted)
    assert rows["dora_initial"].due_at == datetime(2026, 10, 24, 12, tzinfo=UTC)
    assert rows["dora_intermediate"].due_at is None
    now = datetime(2026, 10, 24, 12, tzinfo=UTC)
    try:
        services.mark_met(rows["dora_initial"], now, "  ", owner, now)
    except ClockError as exc:
        assert str(exc) == "Enter the reference of what was filed."
    services.mark_met(
        rows["dora_initial"], datetime(2026, 10, 24, 11, tzinfo=UTC), "IR-1", owner, now
    )
    assert rows["dora_initial"].state(now) == "met"
    assert rows["dora_intermediate"].due_at == datetime(2026, 10, 27, 11, tzinfo=UTC)


def test_switching_a_regime_off_keeps_its_deadlines_marked(submitted, owner):
    """They stay on record with the time the regime was switched off, and get no reminder."""
    _switch_on("gdpr", "nydfs")
    services.record_awareness(
        submitted,
        services.Awareness(datetime(2026, 1, 5, tzinfo=UTC)),
        owner,
        datetime(2026, 1, 5, 1, tzinfo=UTC),
    )
    _switch_on("gdpr")
    rows = _deadlines(submitted)
    assert rows["nydfs_superintendent"].switched_off_at is not None
    assert rows["gdpr_authority"].switched_off_at is None


def test_an_owner_is_reminded_once_through_the_outbox(submitted, owner):
    """Due within 12 h and not met: one message to the owner; a second run sends nothing."""
    _switch_on("gdpr")
    now = datetime.now(UTC)
    services.record_awareness(submitted, services.Awareness(now - timedelta(hours=65)), owner, now)
    deadline = _deadlines(submitted)["gdpr_authority"]
    services.set_owner(deadline, owner)
    assert services.send_reminders(now) == 1
    assert services.send_reminders(now) == 0
    message = db.session.scalars(
        select(OutboxMessage).filter_by(related_type="regulatory_deadline")
    ).one()
    assert message.recipient == owner.email
    assert "Notify the supervisory authority" in message.subject
    assert "GDPR Art. 33(1)" in message.body_text


def test_a_correction_of_the_awareness_time_is_audited_with_the_old_value(submitted, owner):
    """Never a silent change: the audit entry names the value it replaced."""
    _switch_on("gdpr")
    now = datetime(2026, 2, 1, tzinfo=UTC)
    services.record_awareness(
        submitted, services.Awareness(datetime(2026, 1, 10, tzinfo=UTC)), owner, now
    )
    services.record_awareness(
        submitted, services.Awareness(datetime(2026, 1, 9, tzinfo=UTC)), owner, now
    )
    entry = db.session.scalars(
        select(AuditEntry).filter_by(action="clocks.awareness_corrected")
    ).one()
    assert entry.details["before"]["aware_at"].startswith("2026-01-10")


def test_only_admins_change_the_settings_and_an_unknown_zone_is_refused(client, auth, db_session):
    """A mistyped zone is shown beside the field, not replaced by UTC."""
    auth.login("admin")
    response = client.post(
        "/settings/clocks", data={"time_zone": "Europe/Berlln", "regimes": ["gdpr"]}
    )
    assert response.status_code == 422
    assert "is not an IANA time zone name" in response.text
    response = client.post(
        "/settings/clocks", data={"time_zone": "Europe/Berlin", "regimes": ["gdpr", "dora"]}
    )
    assert response.status_code == 302
    assert services.settings().regimes == ["gdpr", "dora"]


def test_compliance_officers_read_but_do_not_record(client, auth, submitted):
    """The permission table: reading for staff, recording for managers."""
    auth.login("compliance")
    assert client.get(f"/review/assignments/{submitted.id}/clocks").status_code == 200
    response = client.post(
        f"/review/assignments/{submitted.id}/clocks/awareness",
        data={"zone": "utc", "aware_at": "2026-01-01T00:00"},
    )
    assert response.status_code == 403


def test_the_remind_command_queues_and_reports_the_count(runner, submitted, owner):
    """`flask clocks remind` says how many reminders it queued."""
    _switch_on("nydfs")
    now = datetime.now(UTC)
    services.record_awareness(submitted, services.Awareness(now - timedelta(hours=100)), owner, now)
    services.set_owner(_deadlines(submitted)["nydfs_superintendent"], owner)
    result = runner.invoke(args=["clocks", "remind"])
    assert result.output.strip() == "queued 1 reminders"


def test_marking_met_without_a_reference_is_refused_beside_the_field(client, auth, submitted):
    """The filing form reopens with the message; nothing is marked."""
    _switch_on("gdpr")
    auth.login("manager")
    client.post(
        f"/review/assignments/{submitted.id}/clocks/awareness",
        data={"zone": "utc", "aware_at": "2026-01-05T08:00"},
    )
    deadline = _deadlines(submitted)["gdpr_authority"]
    response = client.post(
        f"/clocks/deadlines/{deadline.id}/met",
        data={f"m{deadline.id}-zone": "utc", f"m{deadline.id}-met_at": "2026-01-06T08:00"},
    )
    assert response.status_code == 422
    assert "This field is required." in response.text or "Enter the reference" in response.text
    assert deadline.met_at is None
    response = client.post(
        f"/clocks/deadlines/{deadline.id}/met",
        data={
            f"m{deadline.id}-zone": "utc",
            f"m{deadline.id}-met_at": "2026-01-06T08:00",
            f"m{deadline.id}-reference": "DPA case 2026-114",
        },
    )
    assert response.status_code == 302
    db.session.refresh(deadline)
    assert (
        deadline.filing_reference == "DPA case 2026-114"
        and deadline.state(deadline.met_at) == "met"
    )
