"""A vendor given more time leaves the dashboard's overdue figures at once: they are counted
live from each vendor's own due time, beside the stored portfolio state (which no due date
enters, so it is neither stale nor computed again)."""

from datetime import date, timedelta

from tests.dashboard.helpers import list_total, number_links
from vendorrisk.campaigns import deadlines
from vendorrisk.dashboard import snapshot


def test_an_extension_takes_the_vendor_out_of_the_overdue_counts_and_lists(
    portfolio, signed_in, monkeypatch
):
    client = signed_in("compliance")
    before = number_links(client.get("/dashboard/?scope=all").text)
    assert before["overdue questionnaires"][0] == 2  # payroll and print, incident campaign
    print_row = portfolio.assignment(portfolio.incident, portfolio.vendors.print)
    new_date = date.today() + timedelta(days=7)
    deadlines.extend(portfolio.incident, [print_row], new_date, "Asked.", portfolio.manager)

    def refuse(*args, **kwargs):
        raise AssertionError("the portfolio was computed, not read")

    monkeypatch.setattr(snapshot, "compute", refuse)
    html = client.get("/dashboard/?scope=all").text
    after = number_links(html)
    assert after["overdue questionnaires"][0] == 1
    assert "1 overdue" in html  # the incident campaign's row
    assert after["current vendors"] == before["current vendors"]  # the stored state, read
    overdue = client.get("/dashboard/overdue?scope=all").text
    assert list_total(overdue) == 1
    assert "Acme Payroll" in overdue and "Delta Print" not in overdue
    # Owner scope: print is not the manager's, so the manager's count stays 1 (payroll).
    mine = number_links(signed_in(portfolio.manager).get("/?scope=mine").text)
    assert mine["overdue questionnaires"][0] == 1


def test_the_overdue_list_shows_an_extended_vendors_own_date_once_that_has_passed(
    portfolio, signed_in
):
    print_row = portfolio.assignment(portfolio.incident, portfolio.vendors.print)
    # The campaign was due three days ago; print was given one more day, passed two days ago.
    print_row.extended_due_at = portfolio.incident.due_at + timedelta(days=1)
    page = signed_in("compliance").get("/dashboard/overdue?scope=all").text
    assert list_total(page) == 2
    assert page.index("Acme Payroll") < page.index("Delta Print")  # most overdue first
    row = page[page.index("Delta Print") :]
    row = row[: row.index("</tr>")]
    assert "(extended)" in row and "2 days" in row
