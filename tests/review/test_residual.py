"""The residual-risk rule, with hand-checked cases."""

from datetime import date

from vendorrisk.review.residual import Assessment, residual_risk

TODAY = date(2026, 11, 28)


def baseline(band, days_ago=30, accepted=True):
    return Assessment(
        "baseline", band, date.fromordinal(TODAY.toordinal() - days_ago), accepted, name="Baseline"
    )


def incident(band, impact=False):
    return Assessment("incident", band, None, False, impact=impact, name="Mimecast")


def test_no_record_leaves_the_inherent_tier():
    result = residual_risk(2, [], [], TODAY)
    assert result.tier == 2 and not result.changed
    assert "No accepted baseline assessment yet." in result.reasons


def test_a_fresh_band_a_baseline_lowers_the_risk_one_tier():
    assert residual_risk(2, [baseline("A")], [], TODAY).tier == 3


def test_band_d_raises_two_tiers_but_never_above_tier_1():
    assert residual_risk(3, [baseline("D")], [], TODAY).tier == 1
    assert residual_risk(2, [baseline("D")], [], TODAY).tier == 1


def test_a_stale_baseline_no_longer_lowers_the_risk():
    result = residual_risk(2, [baseline("A", days_ago=400)], [], TODAY)
    assert result.tier == 2
    assert any("stale" in r for r in result.reasons)


def test_an_unaccepted_baseline_counts_for_nothing():
    assert residual_risk(2, [baseline("A", accepted=False)], [], TODAY).tier == 2


def test_an_incident_assessment_can_raise_but_never_lower():
    assert residual_risk(3, [incident("A")], [], TODAY).tier == 3
    assert residual_risk(3, [incident("C")], [], TODAY).tier == 2
    assert residual_risk(3, [incident("A", impact=True)], [], TODAY).tier == 2
    # Several bad incidents raise it once.
    assert residual_risk(3, [incident("D"), incident("C")], [], TODAY).tier == 2


def test_open_critical_and_many_high_findings_raise_the_risk():
    assert residual_risk(4, [], ["critical"], TODAY).tier == 3
    assert residual_risk(4, [], ["high", "high"], TODAY).tier == 4
    assert residual_risk(4, [], ["high", "high", "high"], TODAY).tier == 3
    assert residual_risk(4, [], ["critical", "high", "high", "high"], TODAY).tier == 2


def test_the_steps_combine_and_every_step_is_a_reason():
    result = residual_risk(2, [baseline("A"), incident("C")], ["critical"], TODAY)
    # 2 -> 3 (baseline A) -> 2 (incident C) -> 1 (critical finding)
    assert result.tier == 1
    assert len(result.reasons) == 4
