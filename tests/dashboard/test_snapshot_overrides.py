"""The dashboard's score figures are the effective ones: an override shows on the next page."""

from datetime import date

from tests.review.conftest import WEAK_ANSWERS
from tests.review.conftest import submit as submit_answers
from tests.support.factories import create_campaign, make_vendor
from vendorrisk.dashboard import snapshot
from vendorrisk.extensions import db
from vendorrisk.review import effective
from vendorrisk.review import services as review
from vendorrisk.scoring.result import round_display


def _shown(result, category: str) -> float:
    return float(round_display(result.result.category(category).score))


def test_an_override_changes_the_dashboard_scores_at_once(app, incident_version, reviewer):
    """Overrides move the stored state's fingerprint, and the scores stored are effective."""
    vendor = make_vendor()
    campaign = create_campaign(incident_version, [vendor], due_date=date(2030, 1, 31))
    assignment = campaign.assignments[0]
    revision = submit_answers(assignment, WEAK_ANSWERS)
    with app.app_context():
        snapshot.portfolio()
        before = snapshot.stored_states()[vendor.id].scores
    computed = effective.for_assignment(assignment)
    assert computed is not None
    assert before["certificate_rotation"] == _shown(computed, "certificate_rotation")
    review.override_points(revision, "rotated", 100, "Saw the new certificate.", reviewer, "0")
    db.session.flush()
    after_override = effective.for_assignment(assignment)
    assert after_override is not None
    with app.app_context():
        updated = snapshot.portfolio()
        after = snapshot.stored_states()[vendor.id].scores
        assert after["certificate_rotation"] == _shown(after_override, "certificate_rotation")
        assert after["certificate_rotation"] > before["certificate_rotation"]
        full = snapshot.compute(updated.today)
        assert full[vendor.id] == snapshot.stored_states()[vendor.id]
