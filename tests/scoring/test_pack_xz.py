"""Golden cases for the XZ Utils 2024 pack: best, worst and typical vendors land in the intended
bands, and build-integrity questions count for every vendor, exposed or not."""

from __future__ import annotations

import datetime

import pytest

from vendorrisk.scoring.result import Verdict

from .packs import a, kinds, load, percent, score, signals

XZ = load("xz-utils-backdoor-2024")
D = datetime.date

INTEGRITY = {
    "sbom": a("per_release"),
    "answer_speed": a("within_24h"),
    "verified_sources": a("verified_and_compared"),
    "build_provenance": a("slsa2_or_higher"),
    "dependency_health": a("yes"),
    "suppliers_asked": a("yes"),
    "supplier_outcome": a("no"),
    "accountable_contact": a("A. Person, CISO, ciso@example.com"),
}

BEST = {
    "xz_exposure": a(["systems"]),
    "distributions": a(["debian"]),
    "sshd_exposed": a("internal"),
    "removed": a("rebuilt"),
    "removal_date": a(D(2024, 3, 30)),
    "keys_rotated": a("all"),
    "hosts_checked": a("yes"),
    "check_outcome": a("no_sign"),
    "told_us": a("within_24h"),
    **INTEGRITY,
}

WORST = {
    "xz_exposure": a(["systems", "product"]),
    "sshd_exposed": a("internet"),
    "removed": a("nothing"),
    "keys_rotated": a("no"),
    "hosts_checked": a("no"),
    "told_us": a("not_yet"),
    "sbom": a("no"),
    "answer_speed": a("cannot"),
    "verified_sources": a("unpinned"),
    "build_provenance": a("no"),
    "dependency_health": a("no"),
    "suppliers_asked": a("no"),
    "accountable_contact": a("Someone"),
}

# Downgraded within a week, host keys only, told us in three days, SBOM on request, dependencies
# pinned but archives not compared, releases signed without provenance.
TYPICAL = {
    **BEST,
    "removed": a("downgraded"),
    "removal_date": a(D(2024, 4, 3)),
    "keys_rotated": a("host_keys_only"),
    "told_us": a("within_72h"),
    "sbom": a("on_request"),
    "verified_sources": a("pinned"),
    "build_provenance": a("signed_only"),
    "dependency_health": a("no"),
}


@pytest.mark.parametrize(
    ("answers", "band"),
    [(BEST, "A"), (WORST, "D"), (TYPICAL, "C")],
    ids=["best", "worst", "typical"],
)
def test_xz_golden_cases_land_in_their_bands(answers, band):
    """Best is A with nothing to fix, worst is D, a typical partial response is C."""
    result = score(XZ, answers)
    assert result.verdict is Verdict.SCORED
    assert result.band == band
    assert result.completeness.unanswered_required == ()
    assert (result.findings == ()) == (answers is BEST)


def test_xz_typical_case_has_no_critical_gap_only_many_weak_ones():
    result = score(XZ, TYPICAL)
    assert result.capped_by == () and result.uncapped_band == "C"
    assert len(result.findings) >= 6


def test_xz_worst_case_raises_the_alert_for_an_internet_facing_sshd():
    result = score(XZ, WORST)
    assert signals(result) == ["sshd_exposed"]
    assert {"removed", "verified_sources"} <= set(result.capped_by)


def test_xz_not_exposed_vendor_is_ruled_out():
    answers = {"xz_exposure": a(["none"]), **INTEGRITY}
    assert score(XZ, answers).verdict is Verdict.NOT_EXPOSED


def test_xz_none_beside_a_product_goes_to_a_reviewer():
    result = score(XZ, {**INTEGRITY, "xz_exposure": a(["none", "product"])})
    assert result.verdict is Verdict.NEEDS_REVIEW and not result.not_exposed
    assert sorted(kinds(result)) == ["contradiction", "exclusive"]


def test_xz_not_sure_is_scored_on_build_integrity_never_ruled_out():
    result = score(XZ, {**INTEGRITY, "xz_exposure": a(["unsure"])})
    assert not result.not_exposed and result.category("build_integrity").score == 100


@pytest.mark.parametrize(
    ("day", "expected", "flagged", "critical"),
    [
        (D(2024, 1, 31), 0, True, False),  # before 5.6.0 existed: a reviewer decides
        (D(2024, 3, 30), 100, False, False),
        (D(2024, 4, 5), 60, False, False),
        (D(2024, 4, 28), 30, False, False),
        (D(2024, 4, 29), 10, False, True),  # more than 30 days: a critical failure
    ],
)
def test_xz_removal_dates(day, expected, flagged, critical):
    result = score(XZ, {**BEST, "removal_date": a(day)})
    assert percent(result, "removal_date") == expected
    assert ("date" in kinds(result)) == flagged
    assert ("removal_date" in result.capped_by) == critical


def test_xz_suspicious_activity_and_a_supplier_shipping_it_are_impact_signals():
    answers = {**BEST, "check_outcome": a("suspicious", file=True), "supplier_outcome": a("yes")}
    assert signals(score(XZ, answers)) == ["check_outcome", "supplier_outcome"]
