"""The lists behind the dashboard's numbers: residual risk beside the inherent tier, and the
filters the dashboard links to."""

from tests.dashboard.helpers import list_total


def test_the_vendor_list_shows_residual_risk_beside_the_inherent_tier(portfolio, signed_in):
    page = signed_in("compliance").get("/vendors/")
    row = page.text[page.text.index("Beta Mail") :]
    row = row[: row.index("</tr>")]
    # Inherent tier 2, residual tier 1 with the reason on hover and for screen readers.
    assert "Tier 2 · High" in row and "Tier 1 · Critical" in row
    assert "Baseline Annual baseline rated D: raises the risk 2 tiers" in row


def test_the_vendor_page_explains_its_residual_risk(portfolio, signed_in):
    page = signed_in("compliance").get(f"/vendors/{portfolio.vendors.payroll.id}")
    assert 'id="residual-h"' in page.text
    card = page.text[page.text.index('id="residual-h"') :]
    assert "Tier 2 · High" in card and "lower than the inherent Tier 1 · Critical" in card
    assert "rated A: lowers the risk 1 tier" in card


def test_the_vendor_list_filters_out_of_date_assessments(portfolio, signed_in):
    client = signed_in("compliance")
    page = client.get("/vendors/?assessment=stale")
    assert list_total(page.text) == 2
    assert "Gamma Cloud" in page.text and "Delta Print" in page.text
    assert "Acme Payroll" not in page.text


def test_the_vendor_list_filters_by_score_range_and_says_so(portfolio, signed_in):
    client = signed_in("compliance")
    page = client.get("/vendors/?score_category=certificate_rotation&score_band=D")
    assert list_total(page.text) == 1 and "Beta Mail" in page.text
    assert "in the range <strong>0 to 49</strong>" in page.text
    assert 'name="score_band" value="D"' in page.text  # kept when other filters change
    export = client.get("/vendors/export.csv?score_category=certificate_rotation&score_band=D")
    assert export.status_code == 200 and export.text.count("\n") == 2  # header and Beta Mail


def test_the_findings_list_filters_by_owner_and_by_expiring_acceptance(portfolio, signed_in):
    client = signed_in("compliance")
    mine = client.get(f"/findings/?state=open&owner={portfolio.manager.id}")
    assert list_total(mine.text) == 3 and "of vendors owned by Morgan Owner" in mine.text
    expiring = client.get("/findings/?state=risk_accepted&expiring=30")
    assert list_total(expiring.text) == 1 and "Logs kept 7 days" in expiring.text
    none_yet = client.get("/findings/?state=risk_accepted&expiring=5")
    assert list_total(none_yet.text) == 0


def test_the_overdue_list_names_vendor_campaign_and_lateness(portfolio, signed_in):
    page = signed_in("compliance").get("/dashboard/overdue?scope=all")
    assert list_total(page.text) == 2
    assert "Acme Payroll" in page.text and "Delta Print" in page.text
    assert "Connector breach" in page.text and "3 days" in page.text
