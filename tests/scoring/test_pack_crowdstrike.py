"""Golden cases for the CrowdStrike channel file 291 pack (a resilience event, not an attack):
best, worst and typical vendors land in the intended bands."""

from __future__ import annotations

import datetime

import pytest

from vendorrisk.scoring.result import Verdict

from .packs import a, kinds, load, percent, score, signals

CROWDSTRIKE = load("crowdstrike-channel-file-291-2024")
D = datetime.date

BEST = {
    "falcon_exposure": a(["own_windows"]),
    "service_disrupted": a("no"),
    "systems_recovered_date": a(D(2024, 7, 19)),
    "recovery_keys_reachable": a("independent_store"),
    "recovery_keys_rotated": a("all"),
    "supplier_update_staging": a("staged_all"),
    "own_rollout": a("staged_auto_rollback"),
    "update_validation": a("yes"),
    "customer_update_control": a("yes"),
    "bcp_mass_failure": a("yes"),
    "recovery_exercise": a("within_12_months"),
    "concentration_assessed": a("yes"),
    "exit_plan": a("tested"),
    "accountable_contact": a("A. Person, CISO, ciso@example.com"),
}

WORST = {
    "falcon_exposure": a(["own_windows"]),
    "service_disrupted": a("outage"),
    "disruption_hours": a(120),
    "systems_recovered_date": a(D(2024, 8, 5)),
    "notified_us": a("not_notified"),
    "post_incident_report": a("no"),
    "recovery_keys_reachable": a("no"),
    "recovery_keys_rotated": a("no"),
    "supplier_update_staging": a("none"),
    "own_rollout": a("all_at_once"),
    "update_validation": a("no"),
    "customer_update_control": a("no"),
    "bcp_mass_failure": a("no"),
    "recovery_exercise": a("never"),
    "concentration_assessed": a("no"),
    "exit_plan": a("no"),
    "accountable_contact": a("Someone"),
}

# Degraded for most of a day, back two days later, keys in a store on the same estate, told us
# within a day, sensor versions staged but content automatic, changes staged by hand.
TYPICAL = {
    **BEST,
    "service_disrupted": a("degraded"),
    "disruption_hours": a(18),
    "systems_recovered_date": a(D(2024, 7, 21)),
    "notified_us": a("within_24h"),
    "post_incident_report": a("sent"),
    "recovery_keys_reachable": a("dependent_store"),
    "supplier_update_staging": a("sensor_only"),
    "own_rollout": a("staged"),
    "recovery_exercise": a("within_24_months"),
    "exit_plan": a("untested"),
}


@pytest.mark.parametrize(
    ("answers", "band"),
    [(BEST, "A"), (WORST, "D"), (TYPICAL, "C")],
    ids=["best", "worst", "typical"],
)
def test_crowdstrike_golden_cases_land_in_their_bands(answers, band):
    """Best is A with nothing to fix, worst is D, a typical partial response is C."""
    result = score(CROWDSTRIKE, answers)
    assert result.verdict is Verdict.SCORED
    assert result.band == band
    assert result.completeness.unanswered_required == ()
    assert (result.findings == ()) == (answers is BEST)


def test_crowdstrike_typical_case_is_capped_by_unreachable_recovery_keys():
    result = score(CROWDSTRIKE, TYPICAL)
    assert result.capped_by == ("recovery_keys_reachable",) and result.uncapped_band == "C"
    assert signals(result) == ["service_disrupted"]


def test_crowdstrike_worst_case_fails_recovery_and_rollout():
    result = score(CROWDSTRIKE, WORST)
    assert {"systems_recovered_date", "recovery_keys_reachable", "own_rollout"} <= set(
        result.capped_by
    )
    assert signals(result) == ["service_disrupted"]


def test_crowdstrike_no_affected_system_and_no_disrupted_supplier_is_not_exposed():
    answers = {**BEST, "falcon_exposure": a(["none"])}
    assert score(CROWDSTRIKE, answers).verdict is Verdict.NOT_EXPOSED


def test_crowdstrike_none_beside_a_disrupted_supplier_goes_to_a_reviewer():
    result = score(CROWDSTRIKE, {**BEST, "falcon_exposure": a(["none", "supplier"])})
    assert result.verdict is Verdict.NEEDS_REVIEW and not result.not_exposed
    assert sorted(kinds(result)) == ["contradiction", "exclusive"]


@pytest.mark.parametrize(
    ("day", "expected", "critical"),
    [
        (D(2024, 7, 18), 0, False),  # before the update existed: no credit
        (D(2024, 7, 20), 100, False),
        (D(2024, 7, 22), 60, False),
        (D(2024, 7, 26), 30, False),  # day 7: late, but not yet a critical failure
        (D(2024, 7, 27), 10, True),  # later than a week caps the band
    ],
)
def test_crowdstrike_recovery_dates(day, expected, critical):
    result = score(CROWDSTRIKE, {**BEST, "systems_recovered_date": a(day)})
    assert percent(result, "systems_recovered_date") == expected
    assert ("systems_recovered_date" in result.capped_by) == critical


@pytest.mark.parametrize(("hours", "expected"), [(4, 100), (5, 60), (72, 30), (73, 0)])
def test_crowdstrike_disruption_hours(hours, expected):
    answers = {**BEST, "service_disrupted": a("outage"), "disruption_hours": a(hours)}
    answers.update(notified_us=a("within_4h"), post_incident_report=a("sent"))
    assert percent(score(CROWDSTRIKE, answers), "disruption_hours") == expected
