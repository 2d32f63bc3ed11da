"""The review page shows the effective result, its needs-reviewer items, and no score when ruled out."""

import re
from datetime import date

from tests.api.test_result import NOT_EXPOSED_ANSWERS
from tests.conftest import make_user
from tests.reports.test_effective_in_reports import CONTRADICTORY
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db
from vendorrisk.review import effective
from vendorrisk.review import services as review


def _assignment(answers):
    version = approved_version()
    campaign = create_campaign(version, [make_vendor()], due_date=date(2030, 1, 31))
    assignment = campaign.assignments[0]
    submit(assignment, answers)
    return assignment


def _summary(page: str) -> str:
    start = page.index('id="effective-summary"')
    return page[start : page.index("</div></div>", start)]


def test_a_vendor_ruled_out_shows_no_score_only_the_reason(client, auth, db_session):
    """ "Not exposed" stands alone: no overall figure and no band next to it."""
    assignment = _assignment(NOT_EXPOSED_ANSWERS)
    auth.login("manager")
    summary = _summary(client.get(f"/review/assignments/{assignment.id}").text)
    assert "Not exposed" in summary
    assert "uses_connector answered" in summary
    assert "data-overall" not in summary and "Band " not in summary
    assert not re.search(r"\d+\.\d", summary)


def test_contradictory_answers_are_listed_for_the_reviewer_with_the_answers(
    client, auth, db_session
):
    """Each review flag is a needs-reviewer item naming the questions and the answers given."""
    assignment = _assignment(CONTRADICTORY)
    auth.login("manager")
    page = client.get(f"/review/assignments/{assignment.id}").text
    box = page[page.index('id="needs-reviewer"') : page.index('id="effective-summary"')]
    assert 'data-kind="contradiction"' in box
    assert "Did you use the affected connector?" in box and "<strong>No</strong>" in box
    assert "Yes, some of it" in box
    assert "Needs reviewer: see the items above" in _summary(page)


def test_the_review_page_leads_with_the_effective_score_and_keeps_the_engines(
    client, auth, db_session
):
    """After an override the big figure is the effective one; the engine's is shown beside."""
    assignment = _assignment(WEAK_ANSWERS)
    revision = assignment.response.latest_submitted
    review.override_points(revision, "rotated", 100, "Saw it.", make_user("manager"), "0")
    db.session.flush()
    result = effective.for_assignment(assignment)
    assert result is not None and result.changed
    auth.login("manager")
    summary = _summary(client.get(f"/review/assignments/{assignment.id}").text)
    assert f'data-overall="{result.overall_display}"' in summary
    assert f'data-band="{result.band}"' in summary
    assert f"own score: <strong>{result.computed.overall_display}</strong>" in summary
