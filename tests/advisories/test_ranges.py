"""Version ranges of advisory products: vers: of any scheme, inclusive and exclusive bounds,
pre-releases, every version, and versions that cannot be compared."""

import pytest

from vendorrisk.advisories.ranges import MAYBE, NO, YES, judge, judge_all
from vendorrisk.vendors.versions import RangeError, parse_range


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.0.0", True),  # inclusive lower bound
        ("0.9.9", False),
        ("1.2.4", True),
        ("1.2.5", False),  # exclusive upper bound
        ("1.2.5-rc.1", True),  # a pre-release comes before its release
        ("1.0.0-beta.1", False),  # ... and before the inclusive lower bound
    ],
)
def test_npm_bounds_and_pre_releases(version, expected):
    assert parse_range("vers:npm/>=1.0.0|<1.2.5").contains(version) is expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [("2.0-beta9", True), ("2.14.1", True), ("2.15.0-rc1", True), ("2.15.0", False)],
)
def test_maven_ranges_order_qualifiers_as_maven_does(version, expected):
    assert parse_range("vers:maven/>=2.0-beta9|<2.15.0").contains(version) is expected


def test_an_inclusive_upper_bound_and_an_excluded_version():
    rng = parse_range("vers:pypi/>0.5|<=1.0|!=0.7")
    assert [rng.contains(v) for v in ("0.5", "0.6", "0.7", "1.0", "1.0.1")] == [
        False,
        True,
        False,
        True,
        False,
    ]


def test_vers_all_and_vers_none_hold_for_every_version_or_none():
    assert parse_range("vers:all/*").contains("whatever 7") is True
    assert parse_range("vers:none/*").contains("1.0") is False


def test_a_vendor_scheme_is_read_as_generic_and_says_so():
    rng = parse_range("vers:acme/>=3.0|<3.4")
    assert rng.generic_fallback and rng.declared_scheme == "acme"
    assert rng.contains("3.2") is True and rng.contains("3.4") is False


def test_a_version_its_scheme_cannot_read_is_unknown_not_a_guess():
    assert parse_range("vers:npm/>=1.0.0|<2.0.0").contains("release seven") is None


@pytest.mark.parametrize(
    "text", ["npm/>=1.0", "vers:npm/>=abc|<1", "vers:/1.0", "vers:npm/", "vers:"]
)
def test_a_range_that_cannot_be_compared_is_refused_with_the_reason(text):
    with pytest.raises(RangeError):
        parse_range(text)


SPECS = [
    {"status": "affected", "vers": "vers:npm/>=1.0.0|<1.2.5"},
    {"status": "fixed", "vers": "vers:npm/>=1.2.5"},
    {"status": "not_affected", "version": "0.9.0"},
    {"status": "under_investigation", "version": "0.9.5"},
]


@pytest.mark.parametrize(
    ("version", "outcome"),
    [
        ("1.1.0", YES),
        ("1.2.5", NO),
        ("0.9.0", NO),
        ("0.9.5", MAYBE),
        ("0.1.0", NO),  # outside every affected range the advisory names
        ("seven", MAYBE),
        (None, MAYBE),
    ],
)
def test_each_status_decides_a_version(version, outcome):
    assert judge(SPECS, version, "npm").outcome == outcome


def test_a_version_outside_every_affected_range_is_not_affected():
    specs = [{"status": "affected", "vers": "vers:npm/<1.0.0"}]
    verdict = judge(specs, "1.0.0", "npm")
    assert verdict.outcome == NO and "outside the affected versions" in verdict.detail


def test_every_version_affected_except_the_fixed_ones():
    specs = [{"status": "affected"}, {"status": "fixed", "version": "2.17.1"}]
    assert judge(specs, "2.14.1").outcome == YES
    assert judge(specs, "2.17.1").outcome == NO
    assert judge(specs, None).outcome == YES


def test_several_recorded_versions_any_affected_wins():
    specs = [{"status": "affected", "version": "1.0"}, {"status": "fixed", "version": "2.0"}]
    assert judge_all(specs, ["2.0", "1.0"]).outcome == YES
    assert judge_all(specs, ["2.0"]).outcome == NO
    assert judge_all(specs, []).outcome == MAYBE
