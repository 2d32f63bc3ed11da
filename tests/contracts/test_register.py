"""The contract register: one schema for the form and CSV, overlaps shown, CSV round trip."""

import csv
import io
from datetime import date, timedelta

import pytest

from tests.conftest import make_user
from tests.support.factories import make_vendor
from vendorrisk.contracts import services
from vendorrisk.contracts.models import Contract
from vendorrisk.extensions import db

BASE = {
    "contractual_arrangement_reference_number": "MSA-1",
    "start_date_of_the_contractual_arrangement": "2024-01-01",
    "end_date_of_the_contractual_arrangement": "2026-12-31",
    "breach_notification_hours": "24",
    "right_to_audit": "true",
    "dpa_in_place": "false",
    "criticality_or_importance_assessment": "critical_or_important",
}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"breach_notification_hours": "-24"}, "breach_notification_hours", "positive number"),
        ({"breach_notification_hours": "99999"}, "breach_notification_hours", "more than a year"),
        (
            {"end_date_of_the_contractual_arrangement": "2023-01-01"},
            "end_date_of_the_contractual_arrangement",
            "The end is before the start.",
        ),
        (
            {"criticality_or_importance_assessment": "very"},
            "criticality_or_importance_assessment",
            "Input should be",
        ),
    ],
)
def test_bad_contract_input_is_refused_with_a_message_for_the_field(
    db_session, change, field, message
):
    """Never clamped or guessed."""
    with pytest.raises(services.ContractError) as err:
        services.add_contract(make_vendor(), {**BASE, **change})
    assert message in err.value.errors[field]


def test_overlapping_contracts_are_kept_and_shown(client, auth, db_session):
    """Both contracts stay; the vendor's register page says they overlap."""
    vendor = make_vendor()
    services.add_contract(vendor, BASE)
    services.add_contract(
        vendor,
        {
            **BASE,
            "contractual_arrangement_reference_number": "DPA-2",
            "start_date_of_the_contractual_arrangement": "2026-06-01",
            "end_date_of_the_contractual_arrangement": "",
        },
    )
    auth.login("compliance")
    page = client.get(f"/vendors/{vendor.id}/contracts").text
    assert "Contracts MSA-1 and DPA-2 overlap" in page


def test_the_form_adds_a_contract_and_shows_schema_messages_beside_fields(client, auth, db_session):
    """The form goes through the same schema as the CSV."""
    vendor = make_vendor()
    auth.login("manager")
    bad = client.post(
        f"/vendors/{vendor.id}/contracts", data={**BASE, "breach_notification_hours": "-1"}
    )
    assert bad.status_code == 422 and "must be a positive number of hours" in bad.text
    good = client.post(f"/vendors/{vendor.id}/contracts", data=BASE)
    assert good.status_code == 302
    (contract,) = services.contracts_of(vendor.id)
    assert contract.breach_notification_hours == 24 and contract.dpa_in_place is False


def test_the_csv_export_imports_back_and_a_bad_row_keeps_the_whole_file_out(db_session):
    """Round trip; then one bad row: nothing imported and the row named."""
    vendor = make_vendor(name="Acme Mail Ltd")
    services.add_contract(vendor, BASE)
    exported = services.export_csv()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert rows[0]["vendor"] == "Acme Mail Ltd" and rows[0]["right_to_audit"] == "true"
    db.session.query(Contract).delete()
    result = services.import_csv(exported.encode())
    assert (result.imported, result.errors) == (1, [])
    (contract,) = services.contracts_of(vendor.id)
    assert contract.end_date_of_the_contractual_arrangement == date(2026, 12, 31)
    rows[0]["contractual_arrangement_reference_number"] = "MSA-9"
    bad = dict(
        rows[0], contractual_arrangement_reference_number="MSA-10", breach_notification_hours="-5"
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=services.CSV_COLUMNS)
    writer.writeheader()
    writer.writerows([rows[0], bad])
    result = services.import_csv(out.getvalue().encode())
    assert result.imported == 0
    assert result.errors == [
        "Row 3: breach_notification_hours: The breach-notification clause must be a positive number of hours."
    ]
    assert len(services.contracts_of(vendor.id)) == 1


def test_an_oversized_or_unknown_column_file_is_refused_before_any_row(db_session):
    """Capped: the size and the header are checked first."""
    assert services.import_csv(b"x" * (services.MAX_BYTES + 1)).errors == [
        "The file is larger than 2 MiB: split it."
    ]
    assert "Unknown: colour" in services.import_csv(b"vendor,colour\nA,red\n").errors[0]


def test_the_dashboard_lists_notice_and_renewal_dates_due_soon(client, auth, db_session):
    """A notice date 20 days out is on the dashboard; one a year out is not."""
    today = date.today()
    vendor = make_vendor(name="Renewco")
    services.add_contract(
        vendor,
        {
            **BASE,
            "end_date_of_the_contractual_arrangement": "",
            "notice_date": (today + timedelta(days=20)).isoformat(),
            "renewal_date": (today + timedelta(days=400)).isoformat(),
        },
    )
    auth.login("manager")
    page = client.get("/dashboard/").text
    assert f"Last day to give notice {(today + timedelta(days=20)).isoformat()}" in page
    assert "Renews" not in page


def test_the_dashboard_contract_card_follows_the_dashboards_scope(client, auth, db_session):
    """A manager's own scope lists their vendors' dates only, and says so; "all vendors"
    lists everyone's."""
    today = date.today()
    manager = auth.login("manager")
    mine = make_vendor(name="Mine Renewals Ltd", owner=manager)
    theirs = make_vendor(name="Theirs Renewals Ltd", owner=make_user("manager"))
    for vendor, days in ((mine, 20), (theirs, 25)):
        services.add_contract(
            vendor,
            {
                **BASE,
                "end_date_of_the_contractual_arrangement": "",
                "notice_date": (today + timedelta(days=days)).isoformat(),
            },
        )
    own = client.get("/dashboard/?scope=mine").text
    assert "next 90 days (my vendors)" in own
    assert "Mine Renewals Ltd" in own and "Theirs Renewals Ltd" not in own
    everyone = client.get("/dashboard/?scope=all").text
    assert "next 90 days (all vendors)" in everyone
    assert "Mine Renewals Ltd" in everyone and "Theirs Renewals Ltd" in everyone
