"""The inherent risk tier: one rule, documented, explained, stored and recomputed on save."""

import re
from pathlib import Path

import pytest

from tests.vendors.factories import make_vendor
from vendorrisk.vendors import services
from vendorrisk.vendors.risk import (
    CRITICALITY_POINTS,
    DATA_ACCESS_POINTS,
    inherent_tier,
    tier_label,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "risk.md"


@pytest.mark.parametrize(
    ("criticality", "data_access", "tier"),
    [
        ("critical", "regulated", 1),
        ("critical", "confidential", 1),
        ("high", "regulated", 1),
        ("critical", "none", 2),
        ("low", "regulated", 2),
        ("high", "internal", 2),
        ("moderate", "confidential", 2),
        ("moderate", "internal", 3),
        ("low", "confidential", 3),
        ("high", "none", 3),
        ("low", "internal", 3),
        ("low", "none", 4),
    ],
)
def test_the_tier_follows_the_documented_points_rule(criticality, data_access, tier):
    assert inherent_tier(criticality, data_access).number == tier


def test_a_critical_service_or_personal_data_is_never_below_tier_2():
    for other in DATA_ACCESS_POINTS:
        assert inherent_tier("critical", other).number <= 2
    for other in CRITICALITY_POINTS:
        assert inherent_tier(other, "regulated").number <= 2


def test_the_tier_explains_itself_in_words():
    tier = inherent_tier("high", "regulated")
    assert tier.label == "Tier 1 · Critical"
    assert any("high (2 of 3 points)" in r for r in tier.reasons)
    assert any("regulated or personal data (3 of 3 points)" in r for r in tier.reasons)
    assert any("Total 5 points" in r for r in tier.reasons)


def test_unknown_inputs_are_refused_not_guessed():
    with pytest.raises(ValueError):
        inherent_tier("extreme", "none")
    with pytest.raises(ValueError):
        inherent_tier("low", "secret")
    assert tier_label(None) == "Unrated"


def test_docs_risk_md_shows_the_same_matrix_as_the_code():
    """The table in docs/risk.md is what inherent_tier returns, cell by cell."""
    text = DOC.read_text()
    rows = re.findall(r"^\| \*\*(\w+)\*\* \|(.+)\|$", text, re.MULTILINE)
    assert {name for name, _ in rows} == set(CRITICALITY_POINTS)
    for criticality, cells in rows:
        tiers = [int(c) for c in re.findall(r"tier (\d)", cells)]
        expected = [inherent_tier(criticality, d).number for d in DATA_ACCESS_POINTS]
        assert tiers == expected, criticality


def test_the_stored_tier_is_recomputed_when_inputs_change(db_session):
    vendor = make_vendor(criticality="low", data_access="none")
    assert vendor.risk_tier == 4
    changed = services.update_vendor(
        vendor, {"criticality": "critical", "data_access": "regulated"}
    )
    assert vendor.risk_tier == 1
    assert "risk_tier" in changed
