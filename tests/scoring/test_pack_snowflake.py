"""Golden cases for the Snowflake 2024 pack: best, worst and typical vendors land in the intended
bands, and "no data taken" needs a search that reaches back to the campaign."""

from __future__ import annotations

import datetime

import pytest

from vendorrisk.scoring.result import Verdict

from .packs import a, kinds, load, percent, score, signals

SNOWFLAKE = load("snowflake-credential-campaign-2024")
D = datetime.date

BEST = {
    "snowflake_use": a(["own_account"]),
    "snowflake_notified": a("no"),
    "mfa_human_users": a("sso_only", file=True),
    "service_auth": a("keys_or_oauth"),
    "network_policy": a("all_users"),
    "unmanaged_devices": a("no"),
    "credentials_rotated": a("all"),
    "rotation_date": a(D(2024, 6, 4)),
    "rotation_interval": a("within_3_months"),
    "ioc_search": a("yes"),
    "search_window_start": a(D(2024, 1, 1)),
    "compromise_outcome": a("no_sign"),
    "data_accessed": a("no"),
    "infostealer_monitoring": a("yes"),
    "saas_baseline": a("yes"),
    "ir_plan_cloud_account": a("yes"),
    "suppliers_asked": a("yes"),
    "supplier_outcome": a("no"),
    "accountable_contact": a("A. Person, CISO, ciso@example.com"),
}

WORST = {
    "snowflake_use": a(["own_account"]),
    "snowflake_notified": a("yes"),
    "mfa_human_users": a("password_only"),
    "service_auth": a("password_open"),
    "network_policy": a("no"),
    "unmanaged_devices": a("yes"),
    "credentials_rotated": a("none"),
    "rotation_interval": a("never"),
    "ioc_search": a("no"),
    "data_accessed": a("unsure"),
    "notification_time": a("not_yet"),
    "infostealer_monitoring": a("no"),
    "saas_baseline": a("no"),
    "ir_plan_cloud_account": a("no"),
    "suppliers_asked": a("no"),
    "accountable_contact": a("Someone"),
}

# SSO with MFA and rotation done, but service passwords left open, yearly rotation, a search
# that started only when Snowflake published its notice.
TYPICAL = {
    **BEST,
    "service_auth": a("password_restricted"),
    "network_policy": a("service_only"),
    "rotation_date": a(D(2024, 6, 20)),
    "rotation_interval": a("within_12_months"),
    "search_window_start": a(D(2024, 5, 1)),
    "infostealer_monitoring": a("no"),
}


@pytest.mark.parametrize(
    ("answers", "band"),
    [(BEST, "A"), (WORST, "D"), (TYPICAL, "C")],
    ids=["best", "worst", "typical"],
)
def test_snowflake_golden_cases_land_in_their_bands(answers, band):
    """Best is A with nothing to fix, worst is D, a typical partial response is C."""
    result = score(SNOWFLAKE, answers)
    assert result.verdict is Verdict.SCORED
    assert result.band == band
    assert result.completeness.unanswered_required == ()
    assert (result.findings == ()) == (answers is BEST)


def test_snowflake_typical_case_fails_only_on_its_unbacked_no_data_taken():
    """A search from 1 May does not reach the 14 April theft: "no" is not backed and caps."""
    result = score(SNOWFLAKE, TYPICAL)
    assert result.capped_by == ("data_accessed",) and result.uncapped_band == "B"
    assert percent(result, "data_accessed") == 40


def test_snowflake_worst_case_is_exposed_and_raises_the_impact_alert():
    result = score(SNOWFLAKE, WORST)
    assert signals(result) == ["data_accessed"] and not result.not_exposed
    assert "mfa_human_users" in result.capped_by


def test_snowflake_no_data_in_snowflake_rules_the_vendor_out():
    assert score(SNOWFLAKE, {"snowflake_use": a(["none"])}).verdict is Verdict.NOT_EXPOSED


def test_snowflake_not_sure_keeps_the_vendor_in_scope():
    """ "Not sure" alone is scored (its questions unanswered), never ruled out."""
    result = score(SNOWFLAKE, {"snowflake_use": a(["unsure"])})
    assert result.verdict is Verdict.SCORED and result.band == "D"


def test_snowflake_none_ticked_beside_an_account_goes_to_a_reviewer():
    result = score(SNOWFLAKE, {"snowflake_use": a(["none", "own_account"])})
    assert result.verdict is Verdict.NEEDS_REVIEW and not result.not_exposed
    assert sorted(kinds(result)) == ["contradiction", "exclusive"]


def test_snowflake_password_alone_fails_the_critical_mfa_question():
    result = score(SNOWFLAKE, {**BEST, "mfa_human_users": a("mfa_some")})
    assert percent(result, "mfa_human_users") == 30 and result.band == "C"


@pytest.mark.parametrize(
    ("day", "expected", "flagged"),
    [
        (D(2024, 3, 1), 0, True),  # before the campaign: a reviewer decides
        (D(2024, 4, 14), 100, False),
        (D(2024, 6, 9), 100, False),
        (D(2024, 6, 10), 60, False),
        (D(2024, 8, 1), 20, False),
    ],
)
def test_snowflake_rotation_dates_are_bounded_both_ways(day, expected, flagged):
    result = score(SNOWFLAKE, {**BEST, "rotation_date": a(day)})
    assert percent(result, "rotation_date") == expected
    assert ("date" in kinds(result)) == flagged


def test_snowflake_no_data_taken_backed_by_evidence_earns_full_credit():
    answers = {**BEST, "ioc_search": a("no"), "data_accessed": a("no", file=True)}
    assert percent(score(SNOWFLAKE, answers), "data_accessed") == 100


def test_snowflake_a_supplier_reporting_theft_is_an_impact_signal():
    answers = {"snowflake_use": a(["supplier"]), "suppliers_asked": a("yes")}
    answers["supplier_outcome"] = a("yes")
    assert signals(score(SNOWFLAKE, answers)) == ["supplier_outcome"]
