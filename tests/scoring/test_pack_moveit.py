"""Golden cases for the MOVEit Transfer 2023 pack: best, worst and typical vendors land in the
intended bands, and the rules that keep a reassuring answer honest hold."""

from __future__ import annotations

import datetime

import pytest

from vendorrisk.scoring.result import Verdict

from .packs import a, kinds, load, percent, score, signals

MOVEIT = load("moveit-transfer-2023")
D = datetime.date

BEST = {
    "moveit_use": a(["self_hosted"]),
    "internet_facing": a("yes"),
    "web_access_blocked_date": a(D(2023, 5, 31)),
    "patch_status": a("all_three", file=True),
    "first_patch_date": a(D(2023, 6, 1)),
    "ioc_search": a("yes"),
    "log_window_start": a(D(2023, 5, 1)),
    "compromise_outcome": a("no_sign"),
    "data_accessed": a("no"),
    "credentials_rotated": a("all"),
    "credentials_rotation_date": a(D(2023, 6, 5)),
    "accounts_reviewed": a("yes"),
    "critical_patch_deadline": a("within_48h"),
    "transfer_retention": a("yes"),
    "extortion_plan": a("yes"),
    "suppliers_asked": a("yes"),
    "supplier_outcome": a("no"),
    "evidence_patch": a(None, file=True),
    "accountable_contact": a("A. Person, CISO, ciso@example.com"),
}

WORST = {
    "moveit_use": a(["self_hosted"]),
    "internet_facing": a("yes"),
    "web_access_blocked_date": a(D(2023, 7, 20)),
    "patch_status": a("none"),
    "ioc_search": a("no"),
    "data_accessed": a("unsure"),
    "notification_time": a("not_yet"),
    "credentials_rotated": a("none"),
    "accounts_reviewed": a("no"),
    "critical_patch_deadline": a("none"),
    "transfer_retention": a("no"),
    "extortion_plan": a("no"),
    "suppliers_asked": a("no"),
    "accountable_contact": a("Someone"),
}

# Patched within days but only the first fix, searched from 31 May, rotated some credentials.
TYPICAL = {
    **BEST,
    "web_access_blocked_date": a(D(2023, 6, 2)),
    "patch_status": a("first_only"),
    "first_patch_date": a(D(2023, 6, 2)),
    "log_window_start": a(D(2023, 5, 31)),
    "credentials_rotated": a("some"),
    "credentials_rotation_date": a(D(2023, 6, 20)),
    "rotation_target_date": a(D(2023, 9, 30)),
    "critical_patch_deadline": a("within_7d"),
    "extortion_plan": a("no"),
}


@pytest.mark.parametrize(
    ("answers", "band"),
    [(BEST, "A"), (WORST, "D"), (TYPICAL, "C")],
    ids=["best", "worst", "typical"],
)
def test_moveit_golden_cases_land_in_their_bands(answers, band):
    """Best is A with nothing to fix, worst is D, a typical partial response is C."""
    result = score(MOVEIT, answers)
    assert result.verdict is Verdict.SCORED
    assert result.band == band
    assert result.completeness.unanswered_required == ()
    assert (result.findings == ()) == (answers is BEST)


def test_moveit_typical_case_is_held_back_by_its_critical_gaps():
    """Only the 31 May fix, a search from 31 May and some credentials: three critical gaps."""
    result = score(MOVEIT, TYPICAL)
    assert result.capped_by == ("patch_status", "data_accessed", "credentials_rotated")
    assert percent(result, "data_accessed") == 40  # "no" not backed by a search from 27 May


def test_moveit_worst_case_raises_the_impact_alert():
    """ "We cannot rule it out" is an impact signal whatever the score."""
    assert signals(score(MOVEIT, WORST)) == ["data_accessed"]


def test_moveit_no_use_at_all_rules_the_vendor_out():
    result = score(MOVEIT, {"moveit_use": a(["none"])})
    assert result.verdict is Verdict.NOT_EXPOSED


def test_moveit_not_sure_or_none_beside_a_use_is_never_ruled_out():
    """ "Not sure" keeps the vendor in; "none" ticked with a real use goes to a reviewer."""
    assert not score(MOVEIT, {"moveit_use": a(["unsure"])}).not_exposed
    mixed = score(MOVEIT, {"moveit_use": a(["none", "supplier"])})
    assert not mixed.not_exposed and "exclusive" in kinds(mixed)


def test_moveit_a_supplier_reporting_theft_is_an_impact_signal():
    answers = {"moveit_use": a(["supplier"]), "suppliers_asked": a("yes")}
    answers["supplier_outcome"] = a("yes")
    assert "supplier_outcome" in signals(score(MOVEIT, answers))


@pytest.mark.parametrize(
    ("day", "expected"),
    [(D(2023, 4, 1), 100), (D(2023, 5, 27), 100), (D(2023, 5, 28), 50), (D(2023, 6, 1), 10)],
)
def test_moveit_the_log_search_must_reach_back_to_27_may(day, expected):
    """The search window is counted from 27 May 2023, the first exploitation seen."""
    result = score(MOVEIT, {**BEST, "log_window_start": a(day)})
    assert percent(result, "log_window_start") == expected


def test_moveit_no_data_taken_needs_a_search_from_27_may_or_evidence():
    """An unbacked "no data taken" earns 40 %, fails the critical question and caps the band."""
    late = score(MOVEIT, {**BEST, "log_window_start": a(D(2023, 6, 1))})
    assert percent(late, "data_accessed") == 40 and "data_accessed" in late.capped_by
    backed = score(MOVEIT, {**BEST, "ioc_search": a("no"), "data_accessed": a("no", file=True)})
    assert percent(backed, "data_accessed") == 100


@pytest.mark.parametrize(
    ("day", "expected", "flagged"),
    [
        (D(2023, 5, 26), 0, True),  # before exploitation was seen: a reviewer decides
        (D(2023, 5, 27), 100, False),
        (D(2023, 6, 1), 100, False),
        (D(2023, 6, 2), 70, False),
        (D(2023, 7, 1), 10, False),
    ],
)
def test_moveit_blocking_dates_are_bounded_both_ways(day, expected, flagged):
    result = score(MOVEIT, {**BEST, "web_access_blocked_date": a(day)})
    assert percent(result, "web_access_blocked_date") == expected
    assert ("date" in kinds(result)) == flagged


def test_moveit_blocking_more_than_30_days_late_is_a_critical_failure():
    result = score(MOVEIT, {**BEST, "web_access_blocked_date": a(D(2023, 7, 1))})
    assert "web_access_blocked_date" in result.capped_by


def test_moveit_credentials_rotated_before_the_advisory_earn_nothing():
    result = score(MOVEIT, {**BEST, "credentials_rotation_date": a(D(2023, 5, 30))})
    assert percent(result, "credentials_rotation_date") == 0
