"""GET /assignments/{id}/result gives the effective result: overrides applied, numbers as numbers."""

from datetime import date

from tests.conftest import make_user
from tests.review.conftest import submit
from tests.support.factories import approved_version, create_campaign, make_vendor
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.review import services as review

NOT_EXPOSED_ANSWERS = {
    "uses_connector": Answer("no"),
    "data_accessed": Answer("no"),
    "notify_hours": Answer(24),
    "soc2_report": Answer(None, na=True, comment="No external audit yet."),
}


def _assignment(answers):
    version = approved_version()
    campaign = create_campaign(version, [make_vendor()], due_date=date(2030, 1, 31))
    assignment = campaign.assignments[0]
    submit(assignment, answers)
    return assignment


def _numbers(value) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def test_scores_are_json_numbers_never_strings(api, submitted):
    """overall, category scores, points and trace percentages are numbers ("68.7" was a string)."""
    body = api.get(f"/assignments/{submitted.id}/result", api.token()).get_json()
    assert isinstance(body["overall"], float)
    assert body["categories"]
    for category in body["categories"] + body["computed"]["categories"]:
        for key in ("weight", "possible", "earned", "score"):
            assert _numbers(category[key]), (key, category[key])
    for entry in body["trace"]:
        for key in ("possible", "earned", "percent"):
            assert _numbers(entry[key]), (key, entry[key])
    assert round(body["overall"], 1) == body["overall"]


def test_the_result_applies_a_reviewers_override_and_shows_the_computed_one_beside_it(
    api, submitted
):
    """After an override the API's band is the effective band; the engine's stays beside it."""
    token = api.token("compliance")
    before = api.get(f"/assignments/{submitted.id}/result", token).get_json()
    reviewer = make_user("manager", name="Robin Reviewer")
    revision = submitted.response.latest_submitted
    review.override_points(revision, "rotated", 100, "Saw the new certificate.", reviewer, "0")
    db.session.flush()
    after = api.get(f"/assignments/{submitted.id}/result", token).get_json()
    assert after["computed"]["overall"] == before["overall"]
    assert after["computed"]["band"] == before["band"]
    assert after["overall"] > before["overall"]
    assert after["band"] != before["band"]  # the failed critical question no longer caps it
    (override,) = after["overrides"]
    assert override["question_id"] == "rotated"
    assert override["percent"] == 100.0 and override["computed_percent"] == 0.0
    assert override["by"] == "Robin Reviewer" and override["at"]
    assert override["justification"] == "Saw the new certificate."


def test_not_exposed_gives_null_overall_and_band_with_the_reason(api, db_session):
    """A vendor ruled out has no overall score or band, and the reason says which answers."""
    assignment = _assignment(NOT_EXPOSED_ANSWERS)
    body = api.get(f"/assignments/{assignment.id}/result", api.token()).get_json()
    assert body["not_exposed"] is True
    assert body["verdict"] == "not_exposed"
    assert body["overall"] is None and body["band"] is None
    assert "uses_connector" in body["not_exposed_reason"]
    assert body["computed"]["overall"] is None


def test_an_exposed_vendor_has_no_not_exposed_reason(api, submitted):
    """The reason is only given when the vendor is ruled out."""
    body = api.get(f"/assignments/{submitted.id}/result", api.token()).get_json()
    assert body["not_exposed"] is False and body["not_exposed_reason"] is None
    assert body["overrides"] == [] and body["review_flags"] == []
    assert body["verdict"] == "scored"
