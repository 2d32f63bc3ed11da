"""The dashboard's panels show the numbers worked out by hand, and each links to its list."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from tests.dashboard.helpers import list_total, number_links
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.models import ImpactAlert
from vendorrisk.extensions import db

T1, T2, T3, T4 = (
    f"Tier {n} · {name}" for n, name in ((1, "Critical"), (2, "High"), (3, "Moderate"), (4, "Low"))
)


def _all(client):
    page = client.get("/dashboard/?scope=all")
    assert page.status_code == 200
    return page.text, number_links(page.text)


def test_every_panel_shows_the_numbers_worked_out_by_hand(portfolio, signed_in):
    html, n = _all(signed_in("compliance"))
    # Residual risk: payroll 1 -> 2 (band A), mail 2 -> 1 (band D), cloud 3 -> 2 (impact
    # signal), print 4 -> 3 (open critical finding); the offboarded vendor is not counted.
    assert n["current vendors"][0] == 4
    assert [n[f"vendors of inherent {t}"][0] for t in (T1, T2, T3, T4)] == [1, 1, 1, 1]
    assert [n[f"vendors of residual {t}"][0] for t in (T1, T2, T3, T4)] == [1, 2, 1, 0]
    # Findings: critical (print, past its date), high and low (mail's baseline), low
    # (payroll's); the medium one is risk accepted.
    assert n["open findings"][0] == 4
    assert [n[f"{s} findings open"][0] for s in ("critical", "high", "medium", "low")] == [
        1,
        1,
        0,
        2,
    ]
    assert n["findings past their date"][0] == 1
    assert n["critical findings past their date"][0] == 1
    assert n["risk acceptances expiring in 30 days"][0] == 1
    # Campaigns: the baseline (2 of 3 answered) and the incident, past due (1 of 3).
    assert n["open campaigns"][0] == 2
    assert "2 of 3" in html and "1 of 3" in html and "2 overdue" in html
    assert n["overdue questionnaires"][0] == 2
    assert n["impact signals not handled"][0] == 1
    # Cloud and print never had a baseline accepted.
    assert n["vendors with no accepted baseline assessment in 365 days"][0] == 2
    assert "2 never assessed" in html
    # Scores of the latest submitted answers, by inherent tier and range.
    assert n["vendors with a Certificate rotation score"][0] == 2
    cert, readiness = " in certificate rotation", " in incident readiness"
    assert n[f"{T1} vendors scoring 85–100{cert}"][0] == 1
    assert n[f"{T2} vendors scoring 0–49{cert}"][0] == 1
    assert n[f"{T3} vendors scoring 85–100{cert}"][0] == 0
    assert n["vendors with a Incident readiness score"][0] == 3
    assert [n[f"{t} vendors scoring 85–100{readiness}"][0] for t in (T1, T2, T3, T4)] == [
        1,
        1,
        1,
        0,
    ]


def test_each_number_links_to_a_list_that_shows_as_many_rows(portfolio, signed_in):
    client = signed_in("compliance")
    _html, n = _all(client)
    checked = 0
    for label, (number, href) in n.items():
        path = urlsplit(href).path
        if path.startswith(("/vendors/", "/findings/", "/dashboard/overdue", "/dashboard/impact")):
            listing = client.get(href)
            assert listing.status_code == 200, href
            assert list_total(listing.text) == number, (label, href)
            checked += 1
    assert checked >= 30


def test_the_findings_links_carry_the_filters_the_counts_use(portfolio, signed_in):
    _html, n = _all(signed_in("compliance"))
    query = parse_qs(urlsplit(n["critical findings past their date"][1]).query)
    assert query == {"overdue": ["y"], "severity": ["critical"]}
    query = parse_qs(urlsplit(n["risk acceptances expiring in 30 days"][1]).query)
    assert query == {"state": ["risk_accepted"], "expiring": ["30"]}


def test_open_campaigns_show_response_rates_with_labelled_progress_bars(portfolio, signed_in):
    html, _ = _all(signed_in("compliance"))
    baseline = portfolio.baseline
    assert f'href="/campaigns/{baseline.id}"' in html
    assert 'aria-valuenow="2" aria-valuemin="0" aria-valuemax="3"' in html
    assert "pct-67" in html  # the bar's width is a class: no inline style (CSP)
    assert 'style="' not in html


def test_a_manager_marks_an_impact_signal_handled_with_a_note_and_it_is_audited(
    app, portfolio, signed_in
):
    client = signed_in(portfolio.manager)
    alert = db.session.scalars(select(ImpactAlert)).one()
    refused = client.post(f"/dashboard/impact/{alert.id}/handle", data={"note": "  "})
    assert refused.status_code == 302
    db.session.refresh(alert)
    assert alert.handled_at is None
    done = client.post(
        f"/dashboard/impact/{alert.id}/handle",
        data={
            "note": "Called their CISO; no customer data left the tenant.",
            "return_to": "impact",
        },
    )
    assert done.status_code == 302 and done.location.endswith("/dashboard/impact")
    db.session.refresh(alert)
    assert alert.handled_by_id == portfolio.manager.id
    assert alert.handling_note.startswith("Called their CISO")
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "impact_alert.handled")
    ).one()
    assert entry.object_id == str(alert.id) and entry.actor_id == portfolio.manager.id
    assert "CISO" not in str(entry.details)  # ids only in the audit log
    _html, n = _all(client)
    assert n["impact signals not handled"][0] == 0
    again = client.post(
        f"/dashboard/impact/{alert.id}/handle", data={"note": "Twice"}, follow_redirects=True
    )
    assert "already marked this signal handled" in again.text


def test_compliance_officers_see_signals_but_cannot_mark_them_handled(portfolio, signed_in):
    client = signed_in("compliance")
    html = client.get("/dashboard/impact?scope=all").text
    assert "Gamma Cloud" in html and "Mark handled" not in html
    alert = db.session.scalars(select(ImpactAlert)).one()
    assert (
        client.post(f"/dashboard/impact/{alert.id}/handle", data={"note": "x"}).status_code == 403
    )


def test_expiring_acceptances_and_stale_vendors_are_listed_by_name(portfolio, signed_in):
    html, _ = _all(signed_in("compliance"))
    assert "Logs kept 7 days" in html and "in 10 days" in html
    stale = html[html.index('id="stale-h"') : html.index('id="advisories-h"')]
    assert "Gamma Cloud" in stale and "Delta Print" in stale and "never" in stale
    assert "Acme Payroll" not in stale


def test_recent_advisories_show_their_exposed_vendor_counts(portfolio, signed_in):
    from vendorrisk.advisories.models import CONFIRMED, SUSPECTED, Advisory, Exposure

    def advisory(slug, days_ago):
        row = Advisory(
            slug=slug,
            title=slug.replace("-", " ").title(),
            publisher="CERT",
            published_on=date.today() - timedelta(days=days_ago),
            severity="high",
            status="active",
            summary="s",
            body="b",
            source="app",
            content_hash="0",
        )
        db.session.add(row)
        db.session.flush()
        return row

    recent, old = advisory("connector-compromise", 5), advisory("old-news", 200)
    v = portfolio.vendors
    for advisory_row, vendor, state in (
        (recent, v.payroll, CONFIRMED),
        (recent, v.cloud, SUSPECTED),
        (old, v.mail, CONFIRMED),
    ):
        db.session.add(
            Exposure(
                advisory_id=advisory_row.id,
                vendor_id=vendor.id,
                state=state,
                set_by_id=portfolio.reviewer.id,
            )
        )
    db.session.flush()
    client = signed_in("compliance")
    html, n = _all(client)
    assert n["vendors exposed to Connector Compromise"][0] == 2
    assert "(1 confirmed)" in html and "Old News" not in html
    mine = number_links(signed_in(portfolio.manager).get("/").text)
    assert mine["vendors exposed to Connector Compromise"][0] == 1


def test_an_empty_portfolio_shows_empty_states_not_errors(db_session, signed_in):
    client = signed_in("compliance")
    page = client.get("/")
    assert page.status_code == 200
    for text in (
        "No campaign is waiting for answers",
        "Nothing is overdue.",
        "No risk acceptance runs out",
        "No submitted answers score",
    ):
        assert text in page.text
    for name in ("residual", "findings", "scores-certificate_rotation"):
        assert client.get(f"/dashboard/charts/{name}.svg").status_code == 200


def test_a_later_not_exposed_answer_rules_a_vendor_out_of_the_advisory_count(
    portfolio, signed_in, incident_version
):
    from tests.dashboard.helpers import CLEAN, submit
    from tests.support.factories import create_campaign
    from vendorrisk.advisories.models import CONFIRMED, Advisory, Exposure

    advisory = Advisory(
        slug="connector-compromise",
        title="Connector Compromise",
        publisher="CERT",
        published_on=date.today() - timedelta(days=2),
        severity="critical",
        status="active",
        summary="s",
        body="b",
        source="app",
        content_hash="0",
    )
    db.session.add(advisory)
    db.session.flush()
    v = portfolio.vendors
    for vendor in (v.payroll, v.print):
        db.session.add(
            Exposure(
                advisory_id=advisory.id,
                vendor_id=vendor.id,
                state=CONFIRMED,
                set_by_id=portfolio.reviewer.id,
            )
        )
    db.session.flush()
    client = signed_in("compliance")
    assert (
        number_links(client.get("/?scope=all").text)["vendors exposed to Connector Compromise"][0]
        == 2
    )
    asked = create_campaign(incident_version, [v.print], name="Connector follow-up")
    asked.advisory_slug = advisory.slug
    submit(asked.assignments[0], CLEAN)  # "we did not use the connector": not exposed
    assert (
        number_links(client.get("/?scope=all").text)["vendors exposed to Connector Compromise"][0]
        == 1
    )
