"""The campaign's triage table: effective figures per vendor, filters and sorting by GET
parameters, bulk reminders and exports of the selected rows, and a constant query count."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from tests.conftest import make_user
from tests.reports import seed
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.triage import Query, triage
from vendorrisk.extensions import db
from vendorrisk.mail.models import OutboxMessage
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.review import services as review

GOOD = {
    "uses_connector": Answer("yes"),
    "data_accessed": Answer("no"),
    "rotated": Answer("yes"),
    "rotated_on": Answer(date(2021, 1, 14)),
    "credentials_reset": Answer("all"),
    "notify_hours": Answer(12),
    "notes": Answer("Nothing else."),
}
POOR = {
    "uses_connector": Answer("yes"),
    "data_accessed": Answer("yes"),  # an impact signal
    "rotated": Answer("no"),  # a failed critical question
    "credentials_reset": Answer("none"),
    "notify_hours": Answer(96),
    "notes": Answer("Nothing else."),
}


@pytest.fixture(autouse=True)
def uploads(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


@pytest.fixture
def sender(db_session):
    return make_user("manager", name="Sam Sender")


def _campaign(sender, names, answers):
    vendors = [make_vendor(name) for name in names]
    campaign = create_campaign(approved_version(), vendors, actor=sender, name="Connector check")
    by_vendor = {a.vendor.name: a for a in campaign.assignments}
    for name, given in answers.items():
        seed.submit(by_vendor[name], given, rng=random.Random(1))
    return campaign, by_vendor


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/vendors/\d+">([^<]+)</a>', html)


def test_the_table_shows_effective_score_band_criticals_impact_decision_and_findings(
    client, auth, sender
):
    campaign, by = _campaign(
        sender, ["Good Co", "Poor Co", "Quiet Co"], {"Good Co": GOOD, "Poor Co": POOR}
    )
    review.decide(by["Good Co"], sender, "accepted", "Fine.", [])
    db.session.flush()
    view = triage(campaign.id, Query())
    rows = {r.vendor_name: r for r in view.rows}
    good, poor, quiet = rows["Good Co"], rows["Poor Co"], rows["Quiet Co"]
    assert good.effective.overall_display and good.band == good.effective.band
    assert poor.failed_criticals == 1 and poor.impact and poor.open_findings > 0
    assert good.failed_criticals == 0 and not good.impact
    assert good.decision_label == "Accepted" and poor.decision_label == "Not reviewed"
    assert quiet.effective is None and quiet.score is None

    auth.login(user=sender)
    page = client.get(f"/campaigns/{campaign.id}").text
    assert good.effective.overall_display in page and poor.effective.overall_display in page
    assert f"band-{poor.band.lower()}" in page and ">Impact</span>" in page
    assert 'aria-sort="ascending"' in page  # sorted by vendor name by default


def test_filters_and_sorting_work_from_the_query_string(client, auth, sender):
    campaign, by = _campaign(
        sender, ["Good Co", "Poor Co", "Quiet Co"], {"Good Co": GOOD, "Poor Co": POOR}
    )
    review.decide(by["Good Co"], sender, "accepted", "Fine.", [])
    db.session.flush()
    auth.login(user=sender)
    base = f"/campaigns/{campaign.id}"
    assert _names(client.get(f"{base}?impact=yes").text) == ["Poor Co"]
    assert _names(client.get(f"{base}?impact=no").text) == ["Good Co", "Quiet Co"]
    assert _names(client.get(f"{base}?decision=accepted").text) == ["Good Co"]
    assert _names(client.get(f"{base}?band=none").text) == ["Quiet Co"]
    poor_band = triage(campaign.id, Query()).rows[1].band
    assert _names(client.get(f"{base}?band={poor_band}").text) == ["Poor Co"]
    # Highest score first; the unanswered vendor last whichever way.
    assert _names(client.get(f"{base}?sort=-score").text) == ["Good Co", "Poor Co", "Quiet Co"]
    assert _names(client.get(f"{base}?sort=score").text) == ["Poor Co", "Good Co", "Quiet Co"]
    assert _names(client.get(f"{base}?sort=-findings").text)[0] == "Poor Co"
    # Nonsense is ignored, never a 500.
    response = client.get(f"{base}?sort=drop&decision=x&impact=maybe&band=%3Cb%3E&page=-4")
    assert response.status_code == 200 and len(_names(response.text)) == 0


def test_an_override_changes_the_score_the_table_shows_and_sorts_by(client, auth, sender):
    campaign, by = _campaign(sender, ["Good Co", "Poor Co"], {"Good Co": GOOD, "Poor Co": POOR})
    poor = by["Poor Co"].response.latest_submitted
    review.override_points(poor, "rotated", 100, "Rotated after all; seen the ticket.", sender, "0")
    review.override_points(poor, "credentials_reset", 100, "Reset; seen it.", sender, "0")
    review.override_points(poor, "notify_hours", 100, "Contract says 12 hours.", sender, "0")
    db.session.flush()
    rows = {r.vendor_name: r for r in triage(campaign.id, Query(sort="score")).rows}
    assert rows["Poor Co"].effective.changed
    assert str(rows["Poor Co"].score) == rows["Poor Co"].effective.overall_display


def test_remind_now_queues_reminders_for_the_selected_unanswered_vendors_only(client, auth, sender):
    campaign, by = _campaign(sender, ["Good Co", "Quiet Co", "Other Co"], {"Good Co": GOOD})
    auth.login(user=sender)
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    response = client.post(
        f"/campaigns/{campaign.id}/bulk/remind",
        data={"ids": [str(by["Good Co"].id), str(by["Quiet Co"].id)]},
    )
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "1 vendor reminded; 1 other has answered already" in page
    reminders = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "reminder")
    ).all()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before + 1
    assert [m.recipient for m in reminders] == [by["Quiet Co"].recipients[0].contact.email]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assignment.reminded"))
    assert entry.object_id == str(by["Quiet Co"].id) and entry.actor_id == sender.id
    # Nothing selected: told so, nothing queued.
    page = client.post(f"/campaigns/{campaign.id}/bulk/remind", data={}, follow_redirects=True)
    assert "Select at least one vendor first." in page.text


def test_export_writes_the_selected_rows_as_csv_and_xlsx(client, auth, sender):
    campaign, by = _campaign(
        sender, ["Good Co", "Poor Co", "Quiet Co"], {"Good Co": GOOD, "Poor Co": POOR}
    )
    rows = {r.vendor_name: r for r in triage(campaign.id, Query()).rows}
    auth.login(user=sender)
    ids = [str(by["Poor Co"].id), str(by["Good Co"].id)]
    response = client.post(
        f"/campaigns/{campaign.id}/bulk/export", data={"ids": ids, "format": "csv"}
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0][:5] == ["Vendor", "Response", "Overdue", "Submitted (UTC)", "Score"]
    assert [r[0] for r in table[1:]] == ["Good Co", "Poor Co"]
    assert table[2][4] == rows["Poor Co"].effective.overall_display
    assert table[2][6] == "1" and table[2][7] == "yes"

    response = client.post(
        f"/campaigns/{campaign.id}/bulk/export", data={"ids": ids, "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "Good Co" and isinstance(values[1][4], int | float)
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export.xlsx")
    )


def test_a_manager_who_did_not_send_the_campaign_cannot_export_its_rows(client, auth, sender):
    campaign, by = _campaign(sender, ["Good Co"], {"Good Co": GOOD})
    auth.login("manager")
    page = client.get(f"/campaigns/{campaign.id}").text
    assert "Export CSV" not in page and "Remind now" in page
    response = client.post(
        f"/campaigns/{campaign.id}/bulk/export", data={"ids": [str(by["Good Co"].id)]}
    )
    assert response.status_code == 403


def _queries(app, client, url: str) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_table_costs_the_same_queries_for_a_few_or_many_vendors(app, client, auth, sender):
    small, few_by = _campaign(
        sender, [f"Small {i}" for i in range(3)], {"Small 0": GOOD, "Small 1": POOR}
    )
    large, by = _campaign(
        sender,
        [f"Large {i:02}" for i in range(60)],
        {"Large 00": GOOD, "Large 01": POOR, "Large 02": GOOD, "Large 55": POOR},
    )
    for assignment in (few_by["Small 1"], by["Large 01"], by["Large 55"]):
        latest = assignment.response.latest_submitted
        review.override_points(latest, "rotated", 100, "Seen the ticket.", sender, "0")
    db.session.flush()
    auth.login(user=sender)
    for query in ("", "?sort=-score", "?impact=yes"):
        few = _queries(app, client, f"/campaigns/{small.id}{query}")
        many = _queries(app, client, f"/campaigns/{large.id}{query}")
        assert many == few, query
