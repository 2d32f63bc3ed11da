"""Each scoring rule on a small hand-checked template."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from vendorrisk.scoring import (
    FindingKind,
    MissingReferenceDate,
    Status,
    TemplateNotScorable,
    check_trace,
    score_response,
)
from vendorrisk.scoring.rules import number_text, percent_text

from .conftest import COMPROMISE, FILE, ans, build, option, question

DAY = datetime.timedelta(days=1)


def entry(result, qid):
    """Return the trace entry of one question."""
    return next(t for t in result.trace if t.question_id == qid)


def test_single_choice_earns_weight_times_option_score() -> None:
    """A chosen option earns weight x score %: 4 x 25 % = 1 of 4 points."""
    t = build(
        [question("q", "single_choice", weight=4, options=[option("a", 100), option("b", 25)])]
    )
    result = score_response(t, {"q": ans("b")})
    e = entry(result, "q")
    assert (e.earned, e.possible, e.percent) == (1, 4, 25)
    assert e.reason == 'answered "b" (B): 25 %'
    assert result.overall == 25
    assert check_trace(result) == []


def test_fractional_weights_and_scores_are_exact() -> None:
    """Weights and scores are taken as written: 0.1 x 33.3 % stays exact, no float drift."""
    t = build(
        [
            question("q", "single_choice", weight=0.1, options=[option("a", 33.3), option("b", 0)]),
            question("r", weight=0.2),
        ]
    )
    result = score_response(t, {"q": ans("a"), "r": ans("yes")})
    assert entry(result, "q").earned == Fraction(333, 10000)
    assert result.overall == (Fraction(333, 10000) + Fraction(2, 10)) / Fraction(3, 10) * 100
    assert result.overall_display == "77.8"
    assert entry(result, "q").reason.endswith("33.3 %")


def test_multi_choice_sums_selected_scores_capped_at_100() -> None:
    """Multi-choice sums the chosen scores, caps at 100 %, and counts each option once."""
    opts = [option("a", 60), option("b", 30), option("c", 50)]
    t = build([question("q", "multi_choice", weight=2, options=opts)])
    assert entry(score_response(t, {"q": ans(["b"])}), "q").earned == Fraction(3, 5)
    capped = entry(score_response(t, {"q": ans(["a", "c"])}), "q")
    assert (capped.percent, capped.earned) == (100, 2)
    assert capped.reason == 'selected "a" 60 % + "c" 50 % = 110 %, capped at 100 %'
    twice = entry(score_response(t, {"q": ans(("b", "b", "a"))}), "q")
    assert twice.percent == 90 and twice.answer == "a, b"


def test_empty_multi_choice_counts_as_unanswered() -> None:
    """An empty selection is no answer: a required question earns 0 and is listed."""
    t = build([question("q", "multi_choice", weight=2)])
    result = score_response(t, {"q": ans([])})
    assert entry(result, "q").status is Status.UNANSWERED
    assert result.completeness.unanswered_required == ("q",)


DATE_RULE = {
    "reference": "compromise_date",
    "before_reference_score": 0,
    "steps": [{"within_days": 7, "score": 100}, {"within_days": 14, "score": 80}],
    "after_score": 20,
}


@pytest.mark.parametrize(
    ("days", "pct", "words"),
    [
        (-1, 0, "2021-01-11, 1 day before compromise_date (2021-01-12): 0 %"),
        (0, 100, "2021-01-12, on compromise_date (2021-01-12), within 7 days: 100 %"),
        (7, 100, "2021-01-19, 7 days after compromise_date (2021-01-12), within 7 days: 100 %"),
        (8, 80, "2021-01-20, 8 days after compromise_date (2021-01-12), within 14 days: 80 %"),
        (14, 80, "2021-01-26, 14 days after compromise_date (2021-01-12), within 14 days: 80 %"),
        (
            15,
            20,
            "2021-01-27, 15 days after compromise_date (2021-01-12), later than 14 days: 20 %",
        ),
    ],
)
def test_date_rule_steps_count_days_from_the_reference(days: int, pct: int, words: str) -> None:
    """A date scores by days after the reference date: before, each step's edge, after."""
    t = build([question("q", "date", weight=1, date_rule=DATE_RULE)])
    e = entry(score_response(t, {"q": ans(COMPROMISE + days * DAY)}), "q")
    assert (e.percent, e.reason) == (pct, words)


def test_reference_dates_frozen_at_send_override_defaults() -> None:
    """The date frozen at send wins over the template default and is stored with the result."""
    t = build([question("q", "date", weight=1, date_rule=DATE_RULE)])
    later = COMPROMISE + 10 * DAY
    result = score_response(t, {"q": ans(COMPROMISE + 12 * DAY)}, {"compromise_date": later})
    assert entry(result, "q").percent == 100
    assert result.reference_dates == {"compromise_date": later}
    assert score_response(t, {}).reference_dates == {"compromise_date": COMPROMISE}


def test_a_missing_reference_date_is_an_error_not_a_guess() -> None:
    """With no default and no date frozen at send, scoring refuses."""
    t = build(
        [question("q", "date", weight=1, date_rule=DATE_RULE)],
        reference_dates=[{"name": "compromise_date", "label": "Disclosed"}],
    )
    with pytest.raises(MissingReferenceDate, match="compromise_date"):
        score_response(t, {})
    with pytest.raises(TypeError):
        score_response(t, {}, {"compromise_date": datetime.datetime(2021, 1, 12)})


@pytest.mark.parametrize(
    ("value", "pct", "words"),
    [
        (12, 100, "12, at most 24: 100 %"),
        (24, 100, "24, at most 24: 100 %"),
        (Decimal("24.5"), 60, "24.5, at most 72: 60 %"),
        (72.0, 60, "72.0, at most 72: 60 %"),
        (73, 0, "73, above 72: 0 %"),
    ],
)
def test_number_rule_lower_is_better(value: object, pct: int, words: str) -> None:
    """Lower is better: the first step whose max the number does not exceed."""
    rule = {
        "direction": "lower_is_better",
        "steps": [{"max": 24, "score": 100}, {"max": 72, "score": 60}],
        "else_score": 0,
    }
    t = build([question("q", "number", weight=1, number_rule=rule)])
    e = entry(score_response(t, {"q": ans(value)}), "q")
    assert (e.percent, e.reason) == (pct, words)


@pytest.mark.parametrize(("value", "pct"), [(365, 100), (90, 50), (89.9, 10), (0, 10)])
def test_number_rule_higher_is_better(value: object, pct: int) -> None:
    """Higher is better: the first step whose min the number reaches."""
    rule = {
        "direction": "higher_is_better",
        "steps": [{"min": 365, "score": 100}, {"min": 90, "score": 50}],
        "else_score": 10,
    }
    t = build([question("q", "number", weight=1, number_rule=rule)])
    assert entry(score_response(t, {"q": ans(value)}), "q").percent == pct


@pytest.mark.parametrize("value", [True, float("nan"), float("inf"), Decimal("NaN"), "12"])
def test_a_number_question_rejects_what_is_not_a_finite_number(value: object) -> None:
    """Booleans, NaN, infinities and strings are not numbers: unanswered, 0 points."""
    rule = {"direction": "lower_is_better", "steps": [{"max": 24, "score": 100}]}
    t = build([question("q", "number", weight=1, number_rule=rule)])
    e = entry(score_response(t, {"q": ans(value)}), "q")
    assert e.status is Status.UNANSWERED and e.earned == 0
    assert "not a finite number" in e.reason


def test_text_questions_are_never_scored() -> None:
    """Text earns nothing and costs nothing; blank text counts as unanswered."""
    t = build([question("q"), question("notes", "long_text")])
    result = score_response(t, {"q": ans("yes"), "notes": ans("All done.")})
    e = entry(result, "notes")
    assert (e.status, e.possible, e.reason) == (Status.UNSCORED, 0, "text answer; not scored")
    assert result.completeness.answered == 2
    blank = score_response(t, {"q": ans("yes"), "notes": ans("  ")})
    assert blank.completeness.unanswered_required == ("notes",)
    assert blank.overall == 100


def test_weight_zero_questions_count_as_answered_but_score_nothing() -> None:
    """An informational question (weight 0) is answered but holds no points."""
    t = build([question("info", weight=0, options=[option("yes"), option("no")]), question("q")])
    result = score_response(t, {"info": ans("no"), "q": ans("no")})
    assert entry(result, "info").status is Status.UNSCORED
    assert result.category("security").possible == 1
    assert [f.question_id for f in result.findings] == ["q"]


def test_required_evidence_file_reason_or_nothing() -> None:
    """Required evidence: a file keeps 100 %, a reason caps at 50 %, nothing gives 0 %."""
    t = build([question("q", evidence="required", weight=2)])
    with_file = score_response(t, {"q": ans("yes", evidence_hashes=(FILE,))})
    assert entry(with_file, "q").percent == 100
    assert with_file.completeness.missing_evidence == ()
    with_reason = score_response(t, {"q": ans("yes", evidence_reason="Under NDA.")})
    e = entry(with_reason, "q")
    assert (e.percent, e.earned) == (50, 1)
    assert with_reason.completeness.missing_evidence == ("q",)
    assert with_reason.completeness.evidence_reasons == ("q",)
    assert with_reason.findings[0].kind is FindingKind.WEAK
    nothing = score_response(t, {"q": ans("yes", evidence_reason="   ")})
    assert entry(nothing, "q").percent == 0
    assert entry(nothing, "q").reason.endswith("required evidence missing and no reason given: 0 %")
    assert nothing.completeness.evidence_reasons == ()
    assert nothing.findings[0].kind is FindingKind.FAILING


def test_a_reason_does_not_raise_a_score_already_at_or_below_50() -> None:
    """The evidence cap only lowers: an answer worth 30 % stays 30 %."""
    opts = [option("part", 30, evidence="required"), option("none", 0)]
    t = build([question("q", "single_choice", options=opts)])
    assert entry(score_response(t, {"q": ans("part", evidence_reason="NDA")}), "q").percent == 30


def test_per_option_evidence_overrides_the_question() -> None:
    """Only the option that asks for evidence needs it; others are not penalised."""
    opts = [option("yes", 100, evidence="required"), option("no", 0, evidence="none")]
    t = build([question("q", evidence="optional", options=opts)])
    assert entry(score_response(t, {"q": ans("yes")}), "q").percent == 0
    result = score_response(t, {"q": ans("no")})
    assert result.completeness.missing_evidence == ()


def test_critical_reason_backed_answer_is_weak_not_failing() -> None:
    """A critical question answered well with only a reason earns 50 %: weak, no cap."""
    t = build([question("q", critical=True, evidence="required")])
    result = score_response(t, {"q": ans("yes", evidence_reason="NDA")})
    assert result.capped_by == () and result.band == "C"


def test_evidence_question_with_weight_scores_files_and_reasons() -> None:
    """An evidence question given a weight: a file earns 100 %, a reason alone 50 %."""
    t = build([question("doc", "evidence", weight=2)], validate=False)
    assert (
        entry(score_response(t, {"doc": ans(None, evidence_hashes=(FILE, FILE))}), "doc").reason
        == "2 files attached: 100 %"
    )
    reason = entry(score_response(t, {"doc": ans(None, evidence_reason="NDA")}), "doc")
    assert (reason.percent, reason.answer) == (50, "reason given")
    empty = entry(score_response(t, {"doc": ans(None)}), "doc")
    assert empty.status is Status.UNANSWERED


def test_unscored_evidence_question_lists_missing_files() -> None:
    """An unscored evidence question answered with a reason is listed as missing evidence."""
    t = build([question("q"), question("doc", "evidence")])
    result = score_response(t, {"q": ans("yes"), "doc": ans(None, evidence_reason="NDA")})
    assert entry(result, "doc").status is Status.UNSCORED
    assert result.completeness.missing_evidence == ("doc",)
    assert result.overall == 100


def test_hidden_questions_leave_the_denominator() -> None:
    """A question hidden by its show_if is 0 of 0 and its stale answer is ignored."""
    t = build(
        [question("gate"), question("q", show_if={"question": "gate", "in": ["yes"]}, weight=5)]
    )
    result = score_response(t, {"gate": ans("no"), "q": ans("no")})
    e = entry(result, "q")
    assert (e.status, e.possible, e.earned) == (Status.HIDDEN, 0, 0)
    assert result.category("security").possible == 1
    assert [f.question_id for f in result.findings] == ["gate"]
    assert result.completeness.hidden == 1


def test_a_hidden_section_hides_its_questions() -> None:
    """A section whose show_if is false hides all its questions, named as such in the trace."""
    gate = question("gate", weight=0, options=[option("yes"), option("no")])
    section = {
        "id": "more",
        "title": "More",
        "show_if": {"question": "gate", "in": ["yes"]},
        "questions": [question("q", show_if={"question": "gate", "in": ["yes"]}), question("r")],
    }
    t = build([gate, question("base")], section)
    result = score_response(t, {"gate": ans("no"), "base": ans("yes")})
    assert {entry(result, "q").reason, entry(result, "r").reason} == {
        "hidden: its section is not shown"
    }
    assert result.completeness.unanswered_required == ()
    assert result.overall == 100


def test_na_leaves_the_denominator_only_where_allowed() -> None:
    """N/A takes the question out; on a question without allow_na it counts as unanswered."""
    t = build([question("q", allow_na=True), question("r")])
    result = score_response(
        t, {"q": ans(None, na=True, comment="No such system."), "r": ans(None, na=True)}
    )
    assert entry(result, "q").status is Status.NA
    assert entry(result, "r").status is Status.UNANSWERED
    assert "does not allow" in entry(result, "r").reason
    assert result.category("security").possible == 1
    assert result.completeness.na == 1


def test_unanswered_required_earns_zero_and_optional_leaves() -> None:
    """Required and unanswered: 0 points, listed, a finding; optional: out of the sum."""
    t = build([question("q", severity="low"), question("r", required=False), question("s")])
    result = score_response(t, {"s": ans("yes")})
    assert result.category("security").possible == 2
    assert result.completeness.unanswered_required == ("q",)
    assert result.completeness.unanswered_optional == ("r",)
    finding = result.findings[0]
    assert (finding.question_id, finding.kind, finding.severity) == (
        "q",
        FindingKind.UNANSWERED,
        "low",
    )
    assert finding.remediation == "Fix q." and finding.frameworks == ("F1",)


@pytest.mark.parametrize("value", ["maybe", ["yes"], 1, None, datetime.date(2021, 1, 1)])
def test_a_value_that_is_not_an_option_counts_as_unanswered(value: object) -> None:
    """An answer that is not one of the options earns nothing and says why."""
    t = build([question("q")])
    e = entry(score_response(t, {"q": ans(value)}), "q")
    assert e.status is Status.UNANSWERED and "not one of the options" in e.reason


def test_a_datetime_is_not_a_date_answer() -> None:
    """A datetime (with its time zone questions) is refused where a date is asked for."""
    t = build([question("q", "date", weight=1, date_rule=DATE_RULE)])
    e = entry(score_response(t, {"q": ans(datetime.datetime(2021, 1, 13, 9))}), "q")
    assert e.status is Status.UNANSWERED


def test_answers_to_unknown_questions_are_kept_but_ignored() -> None:
    """An answer to a question not in the template changes nothing but is stored."""
    t = build([question("q")])
    result = score_response(t, {"q": ans("yes"), "gone": ans("no")})
    assert result.overall == 100 and "gone" in result.answers


def test_weak_findings_are_one_severity_lower_than_failing() -> None:
    """Failing uses the question's severity; weak the next lower one."""
    opts = [option("good", 100), option("ok", 60), option("bad", 10)]
    t = build([question("q", "single_choice", severity="critical", options=opts)])
    assert score_response(t, {"q": ans("bad")}).findings[0].severity == "critical"
    assert score_response(t, {"q": ans("ok")}).findings[0].severity == "high"
    assert score_response(t, {"q": ans("good")}).findings == ()


def test_finding_uses_the_options_own_text() -> None:
    """An option's `finding` text becomes the finding's summary."""
    opts = [option("yes", 100), option("no", 0, finding="Certificates are never rotated.")]
    t = build([question("q", options=opts)])
    assert score_response(t, {"q": ans("no")}).findings[0].summary == (
        "Certificates are never rotated."
    )
    default = build([question("q")])
    assert score_response(default, {"q": ans("no")}).findings[0].summary == (
        "failing answer: 0 % of the points"
    )


def test_category_with_nothing_to_score_is_none_and_left_out_of_overall() -> None:
    """A category whose questions are all N/A is not scored, and overall ignores it."""
    cats = [
        {"id": "security", "title": "S", "weight": 1},
        {"id": "other", "title": "O", "weight": 9},
    ]
    t = build([question("q"), question("r", category="other", allow_na=True)], categories=cats)
    result = score_response(t, {"q": ans("yes"), "r": ans(None, na=True)})
    assert result.category("other").score is None
    assert result.overall == 100


def test_overall_is_the_category_weighted_mean() -> None:
    """overall = (3 x 100 + 1 x 0) / 4 = 75."""
    cats = [
        {"id": "security", "title": "S", "weight": 3},
        {"id": "other", "title": "O", "weight": 1},
    ]
    t = build([question("q", weight=10), question("r", category="other")], categories=cats)
    result = score_response(t, {"q": ans("yes"), "r": ans("no")})
    assert result.overall == 75 and result.band == "B"


def test_nothing_scored_means_no_overall_and_no_band() -> None:
    """A response where everything is N/A has no overall score and no band, not 0."""
    t = build([question("q", allow_na=True)])
    result = score_response(t, {"q": ans(None, na=True)})
    assert result.overall is None and result.band is None
    assert result.overall_display is None


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (85, "A"),
        (84.96, "A"),
        (84.94, "B"),
        (70, "B"),
        (69.9, "C"),
        (50, "C"),
        (49.9, "D"),
        (0, "D"),
    ],
)
def test_band_follows_the_score_as_shown(score: float, band: str) -> None:
    """The band is read from the score rounded to one decimal, as a reader sees it."""
    opts = [option("x", score), option("zero", 0)]
    t = build([question("q", "single_choice", options=opts)])
    assert score_response(t, {"q": ans("x")}).band == band


def test_custom_bands_and_critical_cap() -> None:
    """Template bands are used; a failing critical question caps at `critical_cap`."""
    bands = [
        {"id": "green", "label": "Green", "min_score": 80},
        {"id": "amber", "label": "Amber", "min_score": 40},
        {"id": "red", "label": "Red", "min_score": 0},
    ]
    t = build(
        [question("crit", critical=True), question("q", weight=9)],
        rating_bands=bands,
        critical_cap="amber",
    )
    result = score_response(t, {"crit": ans("no"), "q": ans("yes")})
    assert result.overall == 90
    assert (result.uncapped_band, result.band, result.band_label) == ("green", "amber", "Amber")
    low = score_response(t, {"crit": ans("no"), "q": ans("no")})
    assert low.band == "red"  # a cap never raises a band


def test_unanswered_critical_question_caps_but_hidden_one_does_not() -> None:
    """A shown critical question left blank fails; a hidden one cannot."""
    t = build(
        [
            question("gate"),
            question("crit", critical=True, show_if={"question": "gate", "in": ["yes"]}),
        ]
    )
    assert score_response(t, {"gate": ans("yes")}).capped_by == ("crit",)
    assert score_response(t, {"gate": ans("no")}).capped_by == ()


def test_not_exposed_and_impact_signals() -> None:
    """Options marked not_exposed rule the vendor out; impact_signal options are reported,
    and an impact answer beside a "not exposed" one sends the result to a reviewer."""
    opts = [
        option("a", 100, impact_signal=True),
        option("b", 0, not_exposed=True),
        option("c", 50, impact_signal=True),
    ]
    t = build([question("q", "multi_choice", options=opts)])
    alone = score_response(t, {"q": ans(["b"])})
    assert alone.not_exposed and alone.band is None and alone.review_flags == ()
    result = score_response(t, {"q": ans(["c", "a", "b"])})
    assert [(s.answer, s.answer_label) for s in result.impact_signals] == [("a", "A"), ("c", "C")]
    assert not result.not_exposed and result.band is not None
    assert [f.kind for f in result.review_flags] == ["contradiction"]


def test_a_scored_question_without_a_category_cannot_be_scored() -> None:
    """A template the validator would reject is refused, not scored approximately."""
    t = build(
        [
            {
                "id": "q",
                "type": "yes_no",
                "text": "Q?",
                "weight": 1,
                "options": [option("yes", 100), option("no", 0)],
            }
        ],
        validate=False,
    )
    with pytest.raises(TemplateNotScorable):
        score_response(t, {})


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(80), "80 %"),
        (Fraction(140, 3), "46.7 %"),
        (Fraction(1, 20), "0.1 %"),
        (Fraction(1, 21), "0.0 %"),
    ],
)
def test_percent_text(value: Fraction, text: str) -> None:
    """Percentages print whole, or to one decimal half up."""
    assert percent_text(value) == text


def test_number_text() -> None:
    """Exact numbers print bare, short decimals as such, others to six digits."""
    assert [number_text(Fraction(n)) for n in ("2", "8/5", "1/3")] == ["2", "1.6", "0.333333"]
