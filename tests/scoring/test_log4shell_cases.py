"""Golden cases for the Log4Shell questionnaire: the fix chain, the search from 1 December 2021
and the answers that must not earn credit or rule a vendor out."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.conditions import visible_questions
from vendorrisk.questionnaires.loader import load_template_path
from vendorrisk.scoring import score_response
from vendorrisk.scoring.result import ScoreResult, Verdict

from .conftest import FILE

LOG4SHELL = load_template_path(
    Path(__file__).parents[2] / "questionnaires" / "log4shell-cve-2021-44228.yaml"
)
D = datetime.date


def _a(value: Any, **extra: Any) -> Answer:
    return Answer(value, **extra)


def _entry(result: ScoreResult, qid: str):
    return next(e for e in result.trace if e.question_id == qid)


TYPICAL = {
    "log4j_present": _a("yes"),
    "inventory_method": _a("scan_only"),
    "log4j1_status": _a("not_used"),
    "fixed_version_reached": _a("fully_fixed", evidence_hashes=(FILE,)),
    "first_mitigation_date": _a(D(2021, 12, 14)),
    "hunt_performed": _a("yes"),
    "hunt_start_date": _a(D(2021, 12, 9)),
    "exploitation_found": _a("attempts_only"),
    "secrets_rotated": _a("internet_facing_only"),
    "component_lookup_hours": _a(48),
    "follow_up_fixes_tracked": _a("yes"),
    "told_us_status": _a("no"),
    "suppliers_asked": _a("yes"),
    "subcontractor_exposure": _a("no"),
    "accountable_contact": _a("Sam Vendor, CISO"),
}


def test_a_typical_vendor_lands_in_the_middle_bands():
    """Fixed within a week, searched from the disclosure only, some secrets rotated: B or C."""
    result = score_response(LOG4SHELL, TYPICAL)
    assert result.band in ("B", "C")
    assert not result.not_exposed


@pytest.mark.parametrize(
    ("day", "percent"),
    [(D(2021, 11, 1), 100), (D(2021, 12, 1), 100), (D(2021, 12, 9), 50), (D(2021, 12, 10), 20)],
)
def test_the_search_for_exploitation_counts_from_1_december_not_from_the_disclosure(day, percent):
    """A search starting at the disclosure misses the first week of exploitation."""
    result = score_response(LOG4SHELL, {**TYPICAL, "hunt_start_date": _a(day)})
    assert _entry(result, "hunt_start_date").percent == percent


@pytest.mark.parametrize("stopped_at", ["partial_chain", "mitigated_only"])
def test_stopping_part_way_along_the_fix_chain_fails_the_critical_question(stopped_at):
    """2.15.0, 2.16.0 or 2.17.0, or a mitigation alone, is not fixed: the band is capped."""
    result = score_response(LOG4SHELL, {**TYPICAL, "fixed_version_reached": _a(stopped_at)})
    assert _entry(result, "fixed_version_reached").percent < 50
    assert result.band in ("C", "D")


def test_mitigating_internet_facing_systems_after_30_days_is_a_critical_failure():
    result = score_response(LOG4SHELL, {**TYPICAL, "first_mitigation_date": _a(D(2022, 1, 20))})
    assert _entry(result, "first_mitigation_date").percent == 0
    assert result.band in ("C", "D")


def test_no_exploitation_without_a_search_earns_little():
    """ "No exploitation" earns its credit only with a search or evidence behind it."""
    answers = {**TYPICAL, "hunt_performed": _a("no"), "exploitation_found": _a("no")}
    del answers["hunt_start_date"]
    assert _entry(score_response(LOG4SHELL, answers), "exploitation_found").percent == 40


def test_exploitation_found_raises_the_impact_alert_and_asks_for_details():
    answers = {**TYPICAL, "exploitation_found": _a("yes", evidence_hashes=(FILE,))}
    assert "exploitation_details" in {q.id for q in visible_questions(LOG4SHELL, answers)}
    result = score_response(LOG4SHELL, answers)
    assert result.impact_signals and result.verdict is not Verdict.NOT_EXPOSED


def test_not_sure_whether_log4j_ran_never_rules_the_vendor_out():
    result = score_response(LOG4SHELL, {"log4j_present": _a("unsure")})
    assert not result.not_exposed


def test_a_vendor_without_log4j_is_ruled_out_and_asked_no_fixing_questions():
    answers = {"log4j_present": _a("no")}
    shown = {q.id for q in visible_questions(LOG4SHELL, answers)}
    assert "fixed_version_reached" not in shown and "hunt_performed" not in shown
    assert score_response(LOG4SHELL, answers).not_exposed
