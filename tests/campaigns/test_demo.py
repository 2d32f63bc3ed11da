"""`flask demo` leaves a campaign answered, scored by the engine, reviewed and reported on."""

import pytest
from sqlalchemy import func, select

from vendorrisk.campaigns.demo import CAMPAIGN_NAME, ROSTER
from vendorrisk.campaigns.models import Campaign, Evidence, ImpactAlert, Revision
from vendorrisk.extensions import db
from vendorrisk.portal import services as portal
from vendorrisk.questionnaires.answers import decode_answer
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.reports.models import DONE, ReportJob
from vendorrisk.review.models import Finding, ReviewDecision
from vendorrisk.scoring import score_response


@pytest.fixture(autouse=True)
def folders(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "REPORT_FOLDER", str(tmp_path / "reports"))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_tells_the_story_of_one_answered_campaign_and_only_once(runner, db_session):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    campaign = db.session.scalar(select(Campaign).where(Campaign.name == CAMPAIGN_NAME))
    by_vendor = {a.vendor.name: a for a in campaign.assignments}
    assert set(by_vendor) == {name for name, *_ in ROSTER}
    template = parsed_version(campaign.template_version)
    bands = {}
    for name, style, decision, _note in ROSTER:
        assignment = by_vendor[name]
        revision = assignment.response.latest_submitted
        if style is None:
            assert revision is None and assignment.response_state == "not_started"
            continue
        # Scored by the engine from the answers given, not written in by hand.
        answers = {qid: decode_answer(data) for qid, data in revision.answers.items()}
        again = score_response(template, answers, portal.reference_dates(assignment))
        assert again.to_dict()["overall"] == revision.score["overall"]
        assert revision.engine_version and revision.score["trace"]
        assert assignment.review_state == decision
        bands[style] = revision.band
    assert bands["good"] == "A" and bands["poor"] == "D" and bands["mediocre"] not in ("A", "D")
    assert _count(ImpactAlert) == 1
    assert _count(ReviewDecision) == 4
    assert _count(Finding) > 0 and _count(Evidence) > 0
    assert db.session.scalar(select(ReportJob.state)) == DONE
    before = [_count(m) for m in (Campaign, Revision, Finding, ReportJob)]
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert [_count(m) for m in (Campaign, Revision, Finding, ReportJob)] == before
