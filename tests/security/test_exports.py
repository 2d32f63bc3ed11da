"""SECURITY.md item 25: exports never turn vendor text into spreadsheet formulas."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.reports.helpers import AT_SUM, HYPERLINK, formula_campaign, workbook_of
from vendorrisk.core.spreadsheet import csv_text, safe_cell


def test_item_25_vendor_text_in_the_workbook_is_never_a_formula(client, auth):
    """Item 25: "Vendor text in ... XLSX never becomes a formula."

    SECURITY.md 25: formula-looking answers are stored as text cells, exactly as typed."""
    campaign = formula_campaign()
    auth.login("compliance")
    book = workbook_of(client.get(f"/reports/campaigns/{campaign.id}/export.xlsx"))
    sheet = book["Answers"]
    found = {}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value in (HYPERLINK, AT_SUM, "-1 day", "+44 20 7946"):
                found[cell.value] = cell
    assert set(found) == {HYPERLINK, AT_SUM, "-1 day", "+44 20 7946"}
    for cell in found.values():
        assert cell.data_type == "s", (cell.value, cell.data_type)
        assert cell.quotePrefix is True


def test_item_25_csv_exports_quote_formula_text(client, auth):
    """Item 25: "Vendor text in CSV ... never becomes a formula." """
    campaign = formula_campaign()
    auth.login("compliance")
    response = client.get(f"/reports/campaigns/{campaign.id}/answers.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    notes = {r["Vendor"]: r["Answer"] for r in rows if r["Question ID"] == "notes"}
    assert notes == {"Formula Vendor One": "'" + HYPERLINK, "Formula Vendor Two": "'" + AT_SUM}
    for sheet in ("scores", "findings"):
        assert client.get(f"/reports/campaigns/{campaign.id}/{sheet}.csv").status_code == 200
    assert client.get(f"/reports/campaigns/{campaign.id}/secrets.csv").status_code == 404


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_item_25_every_formula_lead_character_is_written_as_text(start):
    """Item 25: "a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
    written as text." """
    value = start + "HYPERLINK(1)"
    assert safe_cell(value) == "'" + value
    assert list(csv.reader(io.StringIO(csv_text(["Answer"], [[value]]), newline=""))) == [
        ["Answer"],
        ["'" + value],
    ]
    book = Workbook()
    book.active.append([safe_cell(value)])
    buffer = io.BytesIO()
    book.save(buffer)
    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["A1"]
    assert cell.data_type == "s"
    assert safe_cell("Plain answer") == "Plain answer" and safe_cell(42) == 42
