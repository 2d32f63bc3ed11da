"""A vendor manager sees their own vendors first, with a switch to everyone's."""

from urllib.parse import parse_qs, urlsplit

from tests.dashboard.helpers import list_total, number_links
from tests.support.factories import create_campaign
from vendorrisk.extensions import db


def test_a_manager_lands_on_their_own_vendors_with_a_switch_to_all(portfolio, signed_in):
    client = signed_in(portfolio.manager)
    home = client.get("/")
    assert home.status_code == 200 and "Portfolio dashboard" in home.text
    assert "vendors you own" in home.text
    assert (
        'href="/?scope=all"' in home.text and 'aria-current="page" href="/?scope=mine"' in home.text
    )
    n = number_links(home.text)
    # Payroll and mail (the offboarded vendor is not current).
    assert n["current vendors"][0] == 2
    assert n["open findings"][0] == 3  # mail's high and low, payroll's low
    assert n["overdue questionnaires"][0] == 1  # payroll's incident questionnaire
    assert n["impact signals not handled"][0] == 0
    assert n["open campaigns"][0] == 1  # both answered the baseline: only the incident is open
    assert n["vendors with no accepted baseline assessment in 365 days"][0] == 0

    everyone = number_links(client.get("/?scope=all").text)
    assert everyone["current vendors"][0] == 4 and everyone["open findings"][0] == 4


def test_in_the_own_scope_every_list_link_is_filtered_by_owner_and_agrees(portfolio, signed_in):
    client = signed_in(portfolio.manager)
    n = number_links(client.get("/").text)
    for label, (number, href) in n.items():
        parts = urlsplit(href)
        if parts.path.startswith(("/vendors/", "/findings/")):
            assert parse_qs(parts.query)["owner"] == [str(portfolio.manager.id)], label
        elif parts.path.startswith("/dashboard/"):
            assert parse_qs(parts.query)["scope"] == ["mine"], label
        else:
            continue
        assert list_total(client.get(href).text) == number, (label, href)


def test_a_manager_who_owns_no_vendor_sees_the_whole_portfolio_and_is_told(portfolio, signed_in):
    client = signed_in("manager")
    home = client.get("/")
    assert "You are not the owner of any current vendor yet" in home.text
    assert number_links(home.text)["current vendors"][0] == 4
    assert "My vendors" not in home.text


def test_compliance_officers_start_with_the_whole_portfolio(portfolio, signed_in):
    home = signed_in("compliance").get("/")
    assert "all vendors" in home.text and "My vendors" not in home.text
    assert number_links(home.text)["current vendors"][0] == 4


def test_charts_follow_the_scope_they_are_asked_for(portfolio, signed_in):
    client = signed_in(portfolio.manager)
    mine = client.get("/dashboard/charts/residual.svg?scope=mine").text
    everyone = client.get("/dashboard/charts/residual.svg?scope=all").text
    assert "Residual 1; Tier 2 · High: Inherent 1, Residual 1" in mine
    assert "Tier 2 · High: Inherent 1, Residual 2" in everyone


def test_a_manager_whose_campaign_went_to_others_vendors_starts_on_all_of_them(
    portfolio, signed_in, incident_version
):
    """Right after their campaign to vendors others own, a manager sees that work first."""
    manager = portfolio.manager
    campaign = create_campaign(
        incident_version, [portfolio.vendors.cloud], name="Relay check", actor=manager
    )
    client = signed_in(manager)
    home = client.get("/").text
    assert "all vendors" in home and "Relay check" in home
    assert "work at vendors other people own" in home
    assert number_links(home)["current vendors"][0] == 4
    assert "2 owned" in home and "4 current" in home  # both counts say what they count
    # Asked for, their own vendors are still one click away.
    mine = client.get("/?scope=mine").text
    assert number_links(mine)["current vendors"][0] == 2
    # Once the work there is done (reviewed, no open finding), they start on their own again.
    (assignment,) = campaign.assignments
    assignment.review_state = "accepted"
    db.session.flush()
    home = client.get("/").text
    assert "vendors you own" in home and "Relay check" not in home
