"""Results are plain values: JSON both ways, exact, and recomputable from what they store."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from fractions import Fraction

import pytest

from vendorrisk.questionnaires.answers import Answer, decode_value, encode_value
from vendorrisk.questionnaires.schema import Template
from vendorrisk.scoring import ENGINE_VERSION, ScoreResult, format_trace, rescore, score_response
from vendorrisk.scoring.result import round_display

from .conftest import FILE, ans, build, question

ANSWERS = {
    "uses_product": Answer("yes"),
    "rotated": Answer("yes", comment="Done by the platform team."),
    "rotated_on": Answer(datetime.date(2021, 1, 21)),
    "credentials_reset": Answer("all", evidence_reason="Reset in the HSM."),
    "controls": Answer(("mfa", "logging")),
    "notify_hours": Answer(Decimal("36.5")),
    "soc2_report": Answer(None, evidence_hashes=(FILE,)),
    "notes": Answer("Nothing else."),
}


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        ["a", "b"],
        ("a", "b"),
        datetime.date(2021, 1, 12),
        7,
        7.25,
        Decimal("7.250"),
        None,
        True,
    ],
)
def test_answer_values_round_trip_exactly(value: object) -> None:
    """Every answer value comes back with the same type and value through JSON."""
    back = decode_value(json.loads(json.dumps(encode_value(value))))  # type: ignore[arg-type]
    assert back == value and type(back) is type(value)
    if isinstance(value, Decimal):
        assert str(back) == str(value)


@pytest.mark.parametrize(
    "value", [datetime.datetime(2021, 1, 12, 10), float("nan"), float("inf"), float("-inf")]
)
def test_invalid_answer_values_are_still_stored_as_given(value: object) -> None:
    """Values scoring refuses (a datetime, NaN) are kept as strict JSON, to be shown later."""
    text = json.dumps(encode_value(value), allow_nan=False)  # type: ignore[arg-type]
    back = decode_value(json.loads(text))
    assert type(back) is type(value) and repr(back) == repr(value)


def test_result_round_trips_through_json(example: Template) -> None:
    """to_dict is JSON-ready and from_dict rebuilds an equal result."""
    result = score_response(example, ANSWERS)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert ScoreResult.from_dict(data) == result
    assert data["engine_version"] == ENGINE_VERSION
    assert data["template_hash"] == result.template_hash and len(result.template_hash or "") == 64
    assert data["overall"] == str(result.overall)
    assert data["categories"][1]["score_display"] == round_display(result.categories[1].score)
    assert data["inputs"]["answers"]["notify_hours"]["value"] == {"decimal": "36.5"}
    assert data["inputs"]["reference_dates"] == {"compromise_date": "2021-01-12"}


def test_result_stores_its_inputs(example: Template) -> None:
    """The result keeps the answers and the reference dates it was computed from."""
    refs = {"compromise_date": datetime.date(2021, 1, 13)}
    result = score_response(example, ANSWERS, refs)
    assert result.answers == ANSWERS and result.answers is not ANSWERS
    assert result.reference_dates == refs


def test_rescore_of_an_unchanged_result_matches(example: Template) -> None:
    """Recomputing a stored result with the same template and engine gives it back."""
    stored = json.loads(json.dumps(score_response(example, ANSWERS).to_dict()))
    report = rescore(stored, example)
    assert report.matches and report.differences == ()
    assert report.same_engine and report.same_template


def test_rescore_names_what_changed(example: Template) -> None:
    """A tampered stored result is reported by path, with the stored and new values."""
    stored = score_response(example, ANSWERS).to_dict()
    stored["categories"][0]["score"] = "90"
    stored["engine_version"] = "0"
    report = rescore(stored, example)
    assert not report.matches
    assert report.differences == ("categories[0].score: stored '90', now '80'",)
    assert not report.same_engine


def test_rescore_against_a_changed_template_reports_it() -> None:
    """Scoring the same answers on another template version says the template differs."""
    old = build([question("q", weight=1), question("r", weight=1)])
    new = build([question("q", weight=3), question("r", weight=1)])
    stored = score_response(old, {"q": ans("yes"), "r": ans("no")}).to_dict()
    report = rescore(stored, new)
    assert report.same_template is False
    assert "overall: stored '50', now '75'" in report.differences


def test_round_display_is_half_up() -> None:
    """Display rounding is half up to one decimal, never banker's rounding."""
    values = [Fraction(1, 4), Fraction(1, 20), Fraction(3, 20), Fraction(100), Fraction(0)]
    assert [round_display(v) for v in values] == ["0.3", "0.1", "0.2", "100.0", "0.0"]
    assert round_display(None) is None


def test_format_trace_reads_as_plain_lines(example: Template) -> None:
    """The rendered trace has one line per question, then each category and the total."""
    lines = format_trace(score_response(example, ANSWERS))
    assert lines[2] == (
        "rotated_on [certificate_rotation]: 1.6 of 2: 2021-01-21, 9 days after compromise_date "
        "(2021-01-12), within 14 days: 80 %"
    )
    assert lines[-3:] == [
        "category certificate_rotation: 5.6 of 7 = 80.0",
        "category incident_readiness: 5 of 7 = 71.4",  # 2.8 + 1.2 + 1
        "overall: 77.1",  # (2 x 80 + 500/7) / 3 = 540/7
    ]
