"""The worked example in docs/scoring.md, number for number."""

from __future__ import annotations

import datetime
from fractions import Fraction

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.schema import Template
from vendorrisk.scoring import FindingKind, Status, check_trace, format_trace, score_response

from .conftest import FILE

REFS = {"compromise_date": datetime.date(2021, 1, 12)}


def test_response_1_scores_as_worked_by_hand(example: Template) -> None:
    """Response 1 of the worked example: 80 and 46.7, overall 620/9 shown 68.9, band C."""
    answers = {
        "uses_product": Answer("yes"),
        "rotated": Answer("yes"),
        "rotated_on": Answer(datetime.date(2021, 1, 21)),
        "credentials_reset": Answer("all", evidence_reason="Reset in the HSM; no export."),
        "controls": Answer(["mfa", "logging"]),
        "notify_hours": Answer(96),
        "soc2_report": Answer(None, na=True, comment="Not audited; ISO certificate instead."),
    }
    result = score_response(example, answers, REFS)

    rotation = result.category("certificate_rotation")
    assert (rotation.earned, rotation.possible, rotation.score) == (
        Fraction(28, 5),
        Fraction(7),
        Fraction(80),
    )
    readiness = result.category("incident_readiness")
    assert (readiness.earned, readiness.possible, readiness.score) == (
        Fraction(14, 5),
        Fraction(6),
        Fraction(140, 3),
    )
    assert result.overall == Fraction(620, 9)
    assert result.overall_display == "68.9"
    assert (result.band, result.band_label, result.uncapped_band) == ("C", "Weak", "C")
    assert result.capped_by == ()
    assert not result.not_exposed

    trace = {t.question_id: t for t in result.trace}
    assert trace["rotated_on"].reason == (
        "2021-01-21, 9 days after compromise_date (2021-01-12), within 14 days: 80 %"
    )
    assert (trace["rotated_on"].earned, trace["rotated_on"].possible) == (Fraction(8, 5), 2)
    assert trace["credentials_reset"].earned == 1
    assert "capped at 50 %" in trace["credentials_reset"].reason
    assert trace["controls"].reason == 'selected "mfa" 40 % + "logging" 30 % = 70 %'
    assert trace["notify_hours"].reason == "96, above 72: 0 %"
    assert trace["soc2_report"].status is Status.NA
    assert trace["notes"].status is Status.SKIPPED

    summary = [(f.question_id, f.kind, f.severity, f.percent) for f in result.findings]
    assert summary == [
        ("rotated_on", FindingKind.WEAK, "low", 80),
        ("credentials_reset", FindingKind.WEAK, "low", 50),
        ("controls", FindingKind.WEAK, "low", 70),
        ("notify_hours", FindingKind.FAILING, "medium", 0),
    ]
    assert result.findings[1].summary == "Required evidence was not provided."
    c = result.completeness
    assert (c.visible, c.hidden, c.answered, c.na) == (8, 0, 6, 1)
    assert c.unanswered_required == ()
    assert c.unanswered_optional == ("notes",)
    assert c.missing_evidence == c.evidence_reasons == ("credentials_reset",)
    assert check_trace(result) == []
    assert format_trace(result)[-1] == "overall: 68.9"


def test_response_2_critical_failure_caps_the_band(example: Template) -> None:
    """Response 2: overall 60 would rate C, but the failing critical question caps it at D."""
    answers = {
        "uses_product": Answer("yes"),
        "rotated": Answer("no"),
        "rotated_on": Answer(datetime.date(2021, 1, 13)),  # left behind, hidden now
        "credentials_reset": Answer("all", evidence_hashes=(FILE,)),
        "controls": Answer(["mfa", "logging", "ir_plan"]),
        "notify_hours": Answer(12),
        "soc2_report": Answer(None, evidence_hashes=(FILE,)),
    }
    result = score_response(example, answers, REFS)

    assert result.category("certificate_rotation").score == 40
    assert result.category("incident_readiness").score == 100
    assert result.overall == 60
    assert (result.uncapped_band, result.band, result.capped_by) == ("C", "D", ("rotated",))
    trace = {t.question_id: t for t in result.trace}
    assert trace["rotated_on"].status is Status.HIDDEN
    assert (trace["rotated_on"].possible, trace["rotated_on"].earned) == (0, 0)
    assert trace["rotated_on"].reason == "hidden: its show_if is not met"
    assert trace["controls"].reason.endswith("= 110 %, capped at 100 %")
    assert [(s.question_id, s.answer) for s in result.impact_signals] == [("rotated", "no")]
    assert [(f.question_id, f.kind, f.severity) for f in result.findings] == [
        ("rotated", FindingKind.FAILING, "high")
    ]
    assert check_trace(result) == []


def test_response_3_not_exposed_has_no_band(example: Template) -> None:
    """Response 3: ruled out; rotation hidden and not scored; readiness unanswered, 0."""
    result = score_response(example, {"uses_product": Answer("no")}, REFS)

    assert result.not_exposed and result.not_exposed_by == ("uses_product",)
    assert result.band is None and result.uncapped_band is None
    assert result.category("certificate_rotation").score is None
    assert result.category("incident_readiness").score == 0
    assert result.overall == 0
    trace = {t.question_id: t for t in result.trace}
    assert trace["rotated"].reason == "hidden: its section is not shown"
    assert result.completeness.unanswered_required == ("controls", "notify_hours", "soc2_report")
    assert [f.kind for f in result.findings] == [FindingKind.UNANSWERED] * 3
    assert check_trace(result) == []
