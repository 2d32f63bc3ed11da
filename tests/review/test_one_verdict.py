"""One verdict everywhere: the API, the review page, both PDFs and the XLSX agree, overrides included.

For every shipped template, random valid answer sets are stored as a submitted revision and a
reviewer overrides a random few questions; then the result API's JSON, the figures the review
page shows, the vendor PDF's and the campaign PDF's context and the workbook's score rows must
give the same overall score, band, verdict and category scores.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import make_user
from tests.scoring.strategies import valid_values
from tests.support.factories import create_campaign, make_vendor, shipped_version
from vendorrisk.api.tokens import create_token
from vendorrisk.campaigns.models import Revision
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.portal.services import reference_dates
from vendorrisk.questionnaires.answers import Answer, encode_answer
from vendorrisk.questionnaires.schema import Template
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.reports import xlsx
from vendorrisk.reports.builders import campaign as campaign_report
from vendorrisk.reports.builders import vendor as vendor_report
from vendorrisk.reports.builders.common import Limits, Meta
from vendorrisk.review import effective
from vendorrisk.review import services as review
from vendorrisk.scoring import score_response

SHIPPED = sorted(p.name for p in (Path(__file__).parents[2] / "questionnaires").glob("*.yaml"))
EXAMPLES = settings(
    max_examples=3,
    deadline=None,
    database=None,
    # Each example builds a campaign and four documents: shrinking a failure would take minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def valid_answers(draw: st.DrawFn, template: Template) -> dict[str, Answer]:
    """Draw a valid answer set: each question answered, left blank, or N/A where allowed."""
    answers: dict[str, Answer] = {}
    for question in template.questions():
        roll = draw(st.integers(0, 9))
        if roll == 0:
            continue
        if roll == 1 and question.allow_na:
            answers[question.id] = Answer(None, na=True, comment="Not applicable.")
            continue
        answers[question.id] = Answer(draw(valid_values(question)))
    return answers


def _submit(assignment, template: Template, answers: dict[str, Answer]) -> Revision:
    """Store answers as a submitted revision, scored as the portal scores a submission."""
    result = score_response(template, answers, reference_dates(assignment))
    now = utcnow()
    revision = Revision(
        response=assignment.response,
        number=1,
        answers={qid: encode_answer(a) for qid, a in answers.items()},
        evidence_index=[],
        attestation_name="Pat Doe",
        attestation_title="CISO",
        attestation_hash="0" * 64,
        score=result.to_dict(),
        band=result.band,
        overall=float(result.overall) if result.overall is not None else None,
        not_exposed=result.not_exposed,
        impact=bool(result.impact_signals),
        engine_version=result.engine_version,
        submitted_at=now,
        late=False,
    )
    db.session.add(revision)
    assignment.response_state = "submitted"
    assignment.submitted_at = now
    db.session.flush()
    return revision


def _shown(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def _from_api(client, token: str, assignment_id: int) -> dict:
    response = client.get(
        f"/api/v1/assignments/{assignment_id}/result",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text[:300]
    body = response.get_json()
    return {
        "overall": _shown(body["overall"]),
        "band": body["band"],
        "not_exposed": body["not_exposed"],
        "needs_review": body["verdict"] == "needs_review",
        "categories": [_shown(c["score"]) for c in body["categories"]],
        "overrides": len(body["overrides"]),
    }


def _attribute(name: str, page: str) -> str | None:
    match = re.search(rf'{name}="([^"]*)"', page)
    return (match.group(1) or None) if match else None


def _from_review_page(client, assignment_id: int) -> dict:
    response = client.get(f"/review/assignments/{assignment_id}")
    assert response.status_code == 200
    page = response.text
    summary = page[page.index('id="effective-summary"') :]
    rows = re.findall(
        r'<tr data-category="[^"]*"><td>[^<]*</td>\s*<td class="text-end">([^<]*)</td>', page
    )
    return {
        "overall": _attribute("data-overall", summary),
        "band": _attribute("data-band", summary),
        "not_exposed": 'data-verdict="not_exposed"' in summary,
        "needs_review": 'id="needs-reviewer"' in page,
        "categories": [None if r == "not scored" else r for r in rows],
        "overrides": None,
    }


def _meta() -> Meta:
    return Meta("VR-TEST", datetime.now(UTC), "Compliance", "compliance")


def _from_vendor_pdf(vendor) -> dict:
    report = vendor_report.build(vendor, _meta(), Limits())
    latest = report.assessments[0].latest
    assert latest is not None
    return {
        "overall": latest.overall,
        "band": latest.band,
        "not_exposed": latest.not_exposed,
        "needs_review": bool(latest.review_items),
        "categories": [c.score for c in latest.categories],
        "overrides": len(latest.result.overrides) if latest.result else 0,
    }


def _from_campaign_pdf(campaign) -> dict:
    report = campaign_report.build(campaign, _meta(), Limits())
    (line,) = report.lines
    return {
        "overall": line.overall,
        "band": line.band,
        "not_exposed": line.not_exposed,
        "needs_review": line.needs_review,
        "categories": [line.categories.get(cat_id) for cat_id, _ in report.categories],
        "overrides": None,
    }


def _from_workbook(vendor) -> dict:
    sheet = next(s for s in xlsx.for_vendor(vendor) if s.name == "Scores")
    titles = [c.title for c in sheet.columns]
    rows = [dict(zip(titles, row, strict=True)) for row in sheet.rows]
    first = rows[0]
    return {
        "overall": _shown(first["Overall score"]),
        "band": first["Band"],
        "not_exposed": first["Result"] == "Not exposed",
        "needs_review": first["Result"] == "Needs reviewer",
        "categories": [_shown(r["Category score"]) for r in rows if r["Category"] is not None],
        "overrides": first["Reviewer overrides"],
    }


def _same(views: dict[str, dict]) -> None:
    keys = {"overall", "band", "not_exposed", "needs_review", "categories"}
    first_name, first = next(iter(views.items()))
    for name, view in views.items():
        for key in keys:
            assert view[key] == first[key], (key, first_name, first[key], name, view[key])


@pytest.mark.parametrize("filename", SHIPPED)
def test_every_page_report_and_api_shows_the_same_result(client, auth, db_session, filename):
    """For random valid answers and random overrides, API, review page, PDFs and XLSX agree."""
    version = shipped_version(filename)
    template = parsed_version(version)
    reviewer = make_user("manager", name="Robin Reviewer")
    reader = auth.login("compliance")
    token = create_token(reader, "agreement test")[1]

    @EXAMPLES
    @given(st.data())
    def check(data: st.DataObject) -> None:
        vendor = make_vendor()
        campaign = create_campaign(version, [vendor], due_date=date(2030, 1, 31))
        assignment = campaign.assignments[0]
        answers = data.draw(valid_answers(template), label="answers")
        revision = _submit(assignment, template, answers)
        computed = effective.for_revision(revision)
        assert computed is not None
        scored = [e.question_id for e in computed.computed.trace if e.possible]
        chosen = data.draw(
            st.lists(st.sampled_from(scored), unique=True, max_size=3) if scored else st.just([]),
            label="overridden",
        )
        for question_id in chosen:
            percent = data.draw(st.integers(0, 100), label=question_id)
            review.override_points(revision, question_id, percent, "Checked.", reviewer, None)
        db.session.flush()
        expected = effective.for_assignment(assignment)
        assert expected is not None
        views = {
            "api": _from_api(client, token, assignment.id),
            "review page": _from_review_page(client, assignment.id),
            "vendor pdf": _from_vendor_pdf(vendor),
            "campaign pdf": _from_campaign_pdf(campaign),
            "xlsx": _from_workbook(vendor),
        }
        _same(views)
        assert views["api"]["overall"] == expected.overall_display
        assert views["api"]["band"] == expected.band
        assert views["api"]["overrides"] == len(expected.overrides)
        assert views["xlsx"]["overrides"] == len(expected.overrides)
        if expected.result.not_exposed:
            assert views["api"]["overall"] is None and views["api"]["band"] is None

    check()
