"""Golden cases for the Okta support-system 2023 pack: best, worst and typical vendors land in
the intended bands, and "nothing needed revoking" earns credit only when nothing was shared."""

from __future__ import annotations

import datetime

import pytest

from vendorrisk.scoring.result import Verdict

from .packs import a, kinds, load, percent, score, signals

OKTA = load("okta-support-system-2023")
D = datetime.date

BEST = {
    "okta_use": a(["workforce"]),
    "okta_notified": a("no"),
    "har_shared": a("yes"),
    "session_hijacked": a("no"),
    "sessions_revoked": a("yes"),
    "revocation_date": a(D(2023, 10, 20)),
    "syslog_review": a("yes"),
    "review_window_start": a(D(2023, 9, 1)),
    "data_accessed": a("no"),
    "admin_mfa": a("phishing_resistant"),
    "admin_session_binding": a("both"),
    "har_sanitised": a("tool_enforced"),
    "personal_profiles_blocked": a("blocked"),
    "admins_warned": a("yes"),
    "ir_plan_idp": a("yes"),
    "supplier_support_files": a("yes"),
    "accountable_contact": a("A. Person, CISO, ciso@example.com"),
}

WORST = {
    "okta_use": a(["workforce"]),
    "okta_notified": a("yes"),
    "har_shared": a("yes"),
    "session_hijacked": a("investigating"),
    "sessions_revoked": a("no"),
    "syslog_review": a("no"),
    "data_accessed": a("unsure"),
    "notification_time": a("later"),
    "admin_mfa": a("none"),
    "admin_session_binding": a("neither"),
    "har_sanitised": a("never"),
    "personal_profiles_blocked": a("allowed"),
    "admins_warned": a("no"),
    "ir_plan_idp": a("no"),
    "supplier_support_files": a("no"),
    "accountable_contact": a("Someone"),
}

# Revoked a week after the notice, push MFA, sessions limited but not bound, HAR files cleaned
# by hand, credentials kept out of personal profiles by policy only.
TYPICAL = {
    **BEST,
    "revocation_date": a(D(2023, 10, 26)),
    "admin_mfa": a("other_mfa"),
    "admin_session_binding": a("length_only"),
    "har_sanitised": a("manual"),
    "personal_profiles_blocked": a("policy_only"),
    "supplier_support_files": a("no"),
}


@pytest.mark.parametrize(
    ("answers", "band"),
    [(BEST, "A"), (WORST, "D"), (TYPICAL, "B")],
    ids=["best", "worst", "typical"],
)
def test_okta_golden_cases_land_in_their_bands(answers, band):
    """Best is A with nothing to fix, worst is D, a typical partial response is B."""
    result = score(OKTA, answers)
    assert result.verdict is Verdict.SCORED
    assert result.band == band
    assert result.completeness.unanswered_required == ()
    assert (result.findings == ()) == (answers is BEST)


def test_okta_typical_case_has_weak_findings_but_no_critical_gap():
    result = score(OKTA, TYPICAL)
    assert result.capped_by == () and result.impact_signals == ()
    assert {f.question_id for f in result.findings} >= {"admin_mfa", "revocation_date"}


def test_okta_worst_case_is_exposed_and_raises_both_impact_alerts():
    result = score(OKTA, WORST)
    assert signals(result) == ["session_hijacked", "data_accessed"]
    assert {"sessions_revoked", "syslog_review", "data_accessed"} <= set(result.capped_by)


def test_okta_no_okta_at_all_rules_the_vendor_out():
    assert score(OKTA, {"okta_use": a(["none"])}).verdict is Verdict.NOT_EXPOSED


def test_okta_notified_beside_none_is_never_ruled_out():
    """ "None of these" ticked with Workforce Identity goes to a reviewer."""
    result = score(OKTA, {"okta_use": a(["none", "workforce"])})
    assert result.verdict is Verdict.NEEDS_REVIEW and not result.not_exposed
    assert sorted(kinds(result)) == ["contradiction", "exclusive"]


@pytest.mark.parametrize(("shared", "expected"), [("no", 100), ("yes", 0), ("unsure", 0)])
def test_okta_nothing_to_revoke_earns_credit_only_if_no_har_file_was_shared(shared, expected):
    answers = {**BEST, "har_shared": a(shared), "sessions_revoked": a("not_needed")}
    result = score(OKTA, answers)
    assert percent(result, "sessions_revoked") == expected
    assert ("sessions_revoked" in result.capped_by) == (expected < 50)


@pytest.mark.parametrize(
    ("day", "expected", "flagged"),
    [
        (D(2023, 9, 27), 0, True),  # before the attack began: a reviewer decides
        (D(2023, 9, 29), 100, False),  # acting on one's own detection, as 1Password did
        (D(2023, 10, 21), 100, False),
        (D(2023, 10, 22), 60, False),
        (D(2023, 11, 1), 20, False),
    ],
)
def test_okta_revocation_dates_are_bounded_both_ways(day, expected, flagged):
    result = score(OKTA, {**BEST, "revocation_date": a(day)})
    assert percent(result, "revocation_date") == expected
    assert ("date" in kinds(result)) == flagged


def test_okta_no_access_needs_a_review_from_28_september():
    late = score(OKTA, {**BEST, "review_window_start": a(D(2023, 10, 19))})
    assert percent(late, "data_accessed") == 40 and "data_accessed" in late.capped_by
