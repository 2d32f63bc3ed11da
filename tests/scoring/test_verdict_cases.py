"""Golden cases for the verdict: answer sets that used to game the shipped templates.

Each case is one of the ways a vendor could end "not exposed" or earn full marks without the
answers behind it; each asserts what the engine says now.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.conditions import visible_questions
from vendorrisk.questionnaires.loader import load_template_path
from vendorrisk.questionnaires.schema import Template
from vendorrisk.scoring import score_response
from vendorrisk.scoring.result import ScoreResult, Verdict

from .conftest import FILE
from .test_scoring_properties import SETTINGS, responses

ROOT = Path(__file__).parents[2] / "questionnaires"
MIMECAST = load_template_path(ROOT / "mimecast-certificate-compromise-2021.yaml")
SOLARWINDS = load_template_path(ROOT / "solarwinds-orion-supply-chain-2020.yaml")
D = datetime.date


def _a(value: Any, **extra: Any) -> Answer:
    return Answer(value, **extra)


def _entry(result: ScoreResult, qid: str):
    return next(e for e in result.trace if e.question_id == qid)


def _kinds(result: ScoreResult) -> list[str]:
    return [f.kind for f in result.review_flags]


MIMECAST_USER = {
    "mimecast_customer": _a("yes"),
    "mimecast_hosting_region": _a("other_region"),
    "m365_auth_method_2021": _a("mimecast_certificate"),
    "connection_recreated": _a("all", evidence_hashes=(FILE,)),
    "new_connection_date": _a(D(2021, 1, 14)),
    "old_connection_removed_date": _a(D(2021, 1, 14)),
    "log_review_performed": _a("yes"),
    "log_review_lookback_days": _a(30),
}


def test_mimecast_products_ticked_with_never_used_them_is_not_ruled_out():
    """Ticking the three products and "we never used any of these" goes to a reviewer."""
    answers = {
        **MIMECAST_USER,
        "affected_products": _a(
            ["sync_and_recover", "continuity_monitor", "internal_email_protect", "none"]
        ),
    }
    result = score_response(MIMECAST, answers)
    assert not result.not_exposed and result.band is not None
    assert result.verdict is Verdict.NEEDS_REVIEW
    assert "exclusive" in _kinds(result) and "contradiction" in _kinds(result)


def test_mimecast_not_sure_about_using_mimecast_never_rules_the_vendor_out():
    """ "We are not sure" whether Mimecast was used, then "none of the products": not ruled out."""
    answers = {"mimecast_customer": _a("unsure"), "affected_products": _a(["none"])}
    result = score_response(MIMECAST, answers)
    assert not result.not_exposed
    assert _kinds(result) == ["uncertain"]


def test_mimecast_hosted_in_the_us_contradicts_hosted_outside_the_us_and_uk():
    """A US hosting region beside "hosted outside the US and UK" is contradictory."""
    answers = {
        "mimecast_customer": _a("yes"),
        "affected_products": _a(["none"]),
        "mimecast_hosting_region": _a("us"),
    }
    result = score_response(MIMECAST, answers)
    assert not result.not_exposed and "contradiction" in _kinds(result)


def test_mimecast_a_clean_not_exposed_answer_still_rules_the_vendor_out():
    """No Mimecast at all, or none of the products and hosted elsewhere: not exposed."""
    assert score_response(MIMECAST, {"mimecast_customer": _a("no")}).not_exposed
    elsewhere = {
        "mimecast_customer": _a("yes"),
        "affected_products": _a(["none"]),
        "mimecast_hosting_region": _a("other_region"),
    }
    result = score_response(MIMECAST, elsewhere)
    assert result.not_exposed and result.verdict is Verdict.NOT_EXPOSED


@pytest.mark.parametrize(
    ("extra", "percent"),
    [
        ({}, 40),  # "no access" with no log review behind it
        ({"log_review_lookback_days": _a(7)}, 40),  # a review that did not reach two weeks
        ({"log_review_lookback_days": _a(14)}, 100),
        ({"log_review_performed": _a("no")}, 40),
    ],
)
def test_mimecast_no_data_accessed_earns_credit_only_with_a_log_review_behind_it(extra, percent):
    """ "No data of ours was accessed" earns full credit only with a two-week log review."""
    base = {k: v for k, v in MIMECAST_USER.items() if k != "log_review_lookback_days"}
    answers = {**base, "affected_products": _a(["sync_and_recover"]), **extra}
    answers["data_accessed"] = _a("no")
    entry = _entry(score_response(MIMECAST, answers), "data_accessed")
    assert entry.percent == percent
    assert ("not backed" in entry.reason) == (percent < 100)


def test_mimecast_no_data_accessed_with_the_investigation_attached_earns_credit():
    """Evidence attached to "no access" backs it even without the log-review answers."""
    answers = {
        **MIMECAST_USER,
        "affected_products": _a(["sync_and_recover"]),
        "log_review_performed": _a("no"),
        "data_accessed": _a("no", evidence_hashes=(FILE,)),
    }
    entry = _entry(score_response(MIMECAST, answers), "data_accessed")
    assert entry.percent == 100 and "a file is attached" in entry.reason


@pytest.mark.parametrize(
    ("day", "percent"),
    [
        (D(2020, 11, 2), 0),  # months before the theft was disclosed: no credit
        (D(2021, 1, 11), 0),
        (D(2021, 1, 12), 100),  # the disclosure day itself counts
        (D(2021, 1, 20), 100),
        (D(2021, 2, 2), 100),  # within 7 days of the 26 January update
        (D(2021, 2, 3), 60),
    ],
)
def test_mimecast_credential_resets_before_the_disclosure_earn_no_credit(day, percent):
    """The date rule has a lower bound: a reset before 12 January 2021 earns nothing."""
    answers = {
        **MIMECAST_USER,
        "affected_products": _a(["sync_and_recover"]),
        "mimecast_hosting_region": _a("us"),
        "stored_credential_types": _a(["ldap"]),
        "stored_credentials_reset": _a("all"),
        "stored_credentials_reset_date": _a(day),
    }
    entry = _entry(score_response(MIMECAST, answers), "stored_credentials_reset_date")
    assert entry.percent == percent


@pytest.mark.parametrize(
    ("day", "percent"), [(D(2021, 1, 17), 100), (D(2021, 1, 18), 100), (D(2021, 1, 19), 70)]
)
def test_mimecast_deletion_on_the_blocking_day_scores_best_as_the_help_says(day, percent):
    """ "On or before 18 January scores best": the rule gives that very day full marks."""
    answers = {
        **MIMECAST_USER,
        "affected_products": _a(["sync_and_recover"]),
        "old_connection_removed_date": _a(day),
    }
    entry = _entry(score_response(MIMECAST, answers), "old_connection_removed_date")
    assert entry.percent == percent


def test_mimecast_a_replacement_dated_before_the_disclosure_goes_to_a_reviewer():
    """A new connection dated before 12 January 2021 is not called a mistake: a person looks."""
    answers = {
        **MIMECAST_USER,
        "affected_products": _a(["sync_and_recover"]),
        "new_connection_date": _a(D(2021, 1, 8)),
    }
    result = score_response(MIMECAST, answers)
    assert _kinds(result) == ["date"]
    assert result.review_flags[0].question_ids == ("new_connection_date",)


SOLARWINDS_USER = {
    "orion_used": _a("yes"),
    "orion_versions": _a(["v2020-2-hf1"]),
    "sunburst_present": _a("yes"),
    "supernova_checked": _a("checked_clean"),
    "isolation_date": _a(D(2020, 12, 13)),
    "isolation_method": _a("powered_down"),
    "forensic_preservation": _a("yes"),
    "remediation_path": _a("rebuilt_fixed", evidence_hashes=(FILE,)),
    "remediation_date": _a(D(2020, 12, 15)),
    "credentials_rotated": _a("all"),
    "credentials_rotation_date": _a(D(2020, 12, 15)),
    "cloud_identity_review": _a("yes"),
    "ioc_search": _a("yes"),
    "log_window_start": _a(D(2020, 2, 1)),
    "compromise_outcome": _a("no_activity"),
    "data_accessed": _a("no"),
    "management_egress_restricted": _a("yes"),
    "ir_plan_supply_chain": _a("yes"),
    "suppliers_engaged": _a("yes"),
    "subcontractor_exposure": _a("no"),
    "evidence_remediation": _a(None, evidence_hashes=(FILE,)),
}


@pytest.mark.parametrize("outcome", ["follow_on_activity", "ongoing"])
def test_solarwinds_follow_on_activity_raises_the_impact_alert_whatever_the_score(outcome):
    """Attacker follow-on activity, or an open investigation, is an impact signal."""
    answers = {**SOLARWINDS_USER, "compromise_outcome": _a(outcome, evidence_hashes=(FILE,))}
    result = score_response(SOLARWINDS, answers)
    assert [s.question_id for s in result.impact_signals] == ["compromise_outcome"]
    assert score_response(SOLARWINDS, SOLARWINDS_USER).impact_signals == ()


def test_solarwinds_supernova_found_while_sunburst_is_no_is_not_ruled_out():
    """SUPERNOVA found on a server whose vendor says SUNBURST never ran: a reviewer decides."""
    answers = {
        "orion_used": _a("yes"),
        "sunburst_present": _a("no"),
        "supernova_checked": _a("checked_found", evidence_hashes=(FILE,)),
    }
    result = score_response(SOLARWINDS, answers)
    assert not result.not_exposed and "contradiction" in _kinds(result)
    assert [s.question_id for s in result.impact_signals] == ["supernova_checked"]


def test_solarwinds_subcontractor_exposure_is_an_impact_signal():
    """A subcontractor that ran an affected Orion version raises the impact alert."""
    answers = {**SOLARWINDS_USER, "subcontractor_exposure": _a("yes")}
    result = score_response(SOLARWINDS, answers)
    assert "subcontractor_exposure" in [s.question_id for s in result.impact_signals]


def test_solarwinds_no_data_accessed_needs_a_search_covering_the_exposure_window():
    """A log search starting after March 2020 does not back "no access" on its own."""
    late = {**SOLARWINDS_USER, "log_window_start": _a(D(2020, 9, 1))}
    assert _entry(score_response(SOLARWINDS, late), "data_accessed").percent == 40
    full = score_response(SOLARWINDS, SOLARWINDS_USER)
    assert _entry(full, "data_accessed").percent == 100
    assert full.band == "A" and full.review_flags == ()


def _shown_answers(template: Template, answers: dict[str, Answer]) -> list[tuple[Any, Answer]]:
    shown = visible_questions(template, answers)
    return [(q, answers[q.id]) for q in shown if q.id in answers and not answers[q.id].na]


@SETTINGS
@given(responses(), st.data())
def test_no_answer_set_is_ruled_out_while_an_answer_reports_exposure_or_doubt(response, data):
    """Precedence: "not exposed" only when no shown answer reports exposure or impact, and no
    question that bears on exposure was answered "not sure"."""
    template, answers = response
    result = score_response(template, answers)
    if not result.not_exposed:
        return
    for q, answer in _shown_answers(template, answers):
        chosen = [o for o in q.options if o.value in answer.chosen_values()]
        assert not any(o.exposed or o.impact_signal for o in chosen), q.id
        if q.bears_on_exposure:
            assert not any(o.is_uncertain for o in chosen), q.id
        if q.type == "multi_choice":
            assert q.exclusive_conflict(answer.chosen_values()) is None, q.id


def test_a_stand_alone_none_ticked_beside_an_option_without_exposure_flag_does_not_rule_out():
    """ "None of these" is exclusive; ticked beside any other option, even one the format does
    not mark as exposure, the answer says two things and cannot rule the vendor out."""
    from .conftest import build, option, question

    template = build(
        [
            question(
                "used",
                "multi_choice",
                options=[
                    option("portal", 0),
                    option("api", 0),
                    option("none", 100, not_exposed=True, exclusive=True),
                ],
            )
        ]
    )
    alone = score_response(template, {"used": _a(["none"])})
    assert alone.not_exposed
    combined = score_response(template, {"used": _a(["portal", "none"])})
    assert not combined.not_exposed
    assert combined.verdict is Verdict.NEEDS_REVIEW
    assert "exclusive" in _kinds(combined)


def test_mimecast_the_tenant_review_is_asked_of_every_mimecast_customer():
    """The advisory's Microsoft 365 review applies to all customers, not only certificate users."""
    answers = {
        "mimecast_customer": _a("yes"),
        "affected_products": _a(["none"]),
        "mimecast_hosting_region": _a("other_region"),
    }
    shown = {q.id for q in visible_questions(MIMECAST, answers)}
    assert {"m365_config_review", "log_review_performed"} <= shown
    assert "connection_recreated" not in shown


def test_mimecast_a_replacement_in_progress_asks_its_target_date_and_stays_a_finding():
    """ "In progress" earns little, asks for the target date and raises the open finding."""
    answers = {
        **MIMECAST_USER,
        "affected_products": _a(["sync_and_recover"]),
        "connection_recreated": _a("in_progress"),
    }
    shown = {q.id for q in visible_questions(MIMECAST, answers)}
    assert "connection_target_date" in shown and "new_connection_date" not in shown
    result = score_response(MIMECAST, answers)
    assert _entry(result, "connection_recreated").percent == 20
    assert any(f.question_id == "connection_recreated" for f in result.findings)


def test_solarwinds_never_isolated_skips_the_date_and_fails_containment():
    """The method is asked first; "never isolated" asks no date and earns nothing."""
    answers = {**SOLARWINDS_USER, "isolation_method": _a("not_isolated")}
    del answers["isolation_date"]
    shown = {q.id for q in visible_questions(SOLARWINDS, answers)}
    assert "isolation_date" not in shown
    result = score_response(SOLARWINDS, answers)
    assert _entry(result, "isolation_method").percent == 0


@pytest.mark.parametrize(
    ("chosen", "percent"),
    [
        (["krbtgt_twice", "token_signing", "app_credentials", "privileged_accounts"], 100),
        (["app_credentials", "privileged_accounts"], 40),
        (["none"], 0),
    ],
)
def test_solarwinds_identity_secret_resets_are_scored(chosen, percent):
    """Resetting krbtgt twice and the token-signing certificates is what earns most credit."""
    answers = {**SOLARWINDS_USER, "identity_secrets_rotated": _a(chosen)}
    entry = _entry(score_response(SOLARWINDS, answers), "identity_secrets_rotated")
    assert entry.percent == percent


def test_solarwinds_software_supplier_questions_only_for_vendors_that_ship_software():
    """Build integrity, signing keys and SBOMs are asked only of vendors that ship software."""
    no = {**SOLARWINDS_USER, "ships_software": _a("no")}
    yes = {**SOLARWINDS_USER, "ships_software": _a("yes"), "build_integrity": _a("partial")}
    assert "build_integrity" not in {q.id for q in visible_questions(SOLARWINDS, no)}
    assert _entry(score_response(SOLARWINDS, yes), "build_integrity").percent == 50
