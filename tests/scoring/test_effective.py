"""The effective result: computed score plus a reviewer's overrides, one function for every page."""

from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.schema import Template
from vendorrisk.scoring import score_response
from vendorrisk.scoring.effective import Override, effective_result, number
from vendorrisk.scoring.result import Verdict

from .conftest import ans, build, option, question
from .test_scoring_properties import SETTINGS, responses


@SETTINGS
@given(responses())
def test_an_override_that_restates_the_computed_percent_changes_nothing(
    response: tuple[Template, dict[str, Answer]],
) -> None:
    """Overriding every scored question with its own percentage gives the engine's figures."""
    template, answers = response
    computed = score_response(template, answers)
    same = [
        Override(e.question_id, e.percent)
        for e in computed.trace
        if e.possible and e.percent is not None
    ]
    eff = effective_result(computed, template, same)
    assert eff.result.overall == computed.overall
    assert (eff.band, eff.band_label) == (computed.band, computed.band_label)
    assert eff.result.uncapped_band == computed.uncapped_band
    assert eff.result.categories == computed.categories
    assert set(eff.result.capped_by) == set(computed.capped_by)


@SETTINGS
@given(responses(), st.data())
def test_the_effective_band_is_the_band_of_the_effective_score_as_shown(
    response: tuple[Template, dict[str, Answer]], data: st.DataObject
) -> None:
    """After any overrides, the band is what the engine would give the shown overall score."""
    template, answers = response
    computed = score_response(template, answers)
    scored = [e.question_id for e in computed.trace if e.possible]
    chosen = data.draw(st.lists(st.sampled_from(scored), unique=True) if scored else st.just([]))
    overrides = [Override(q, Fraction(data.draw(st.integers(0, 100)))) for q in chosen]
    eff = effective_result(computed, template, overrides)
    if eff.overall is None:
        assert eff.band is None
        return
    shown = Fraction(eff.overall_display)
    expected = next(b for b in template.bands if shown >= Fraction(str(b.min_score)))
    if eff.result.capped_by:
        bands = list(template.bands)
        cap = template.critical_cap_band
        expected = bands[max(bands.index(expected), bands.index(cap))]
    assert eff.band == expected.id
    assert eff.to_json()["overall"] == float(eff.overall_display)


def _two_questions(**first: object) -> Template:
    return build(
        [
            question("q1", critical=True, severity="high", **first),
            question("q2"),
        ]
    )


def test_an_override_moves_score_and_band_and_is_listed_with_the_computed_figure():
    """A reviewer raising a failed critical question lifts the cap; both figures are kept."""
    template = _two_questions()
    computed = score_response(template, {"q1": ans("no"), "q2": ans("yes")})
    assert computed.band == "D" and computed.capped_by == ("q1",)
    eff = effective_result(
        computed, template, [Override("q1", Fraction(100), "Seen the new certificate", "Ann")]
    )
    assert eff.overall == 100 and eff.band == "A" and eff.result.capped_by == ()
    data = eff.to_json()
    assert data["overall"] == 100.0 and data["band"] == "A"
    assert data["computed"]["overall"] == 50.0 and data["computed"]["band"] == "D"
    assert data["overrides"] == [
        {
            "question_id": "q1",
            "percent": 100.0,
            "computed_percent": 0.0,
            "justification": "Seen the new certificate",
            "by": "Ann",
            "at": None,
        }
    ]


def test_an_override_of_a_question_without_points_is_not_claimed():
    """Overriding a hidden or unscored question changes nothing and is not listed."""
    template = build([question("q1"), question("note", "text")])
    computed = score_response(template, {"q1": ans("yes"), "note": ans("hello")})
    eff = effective_result(computed, template, [Override("note", Fraction(0))])
    assert eff.overrides == () and eff.result is computed


def test_not_exposed_has_no_score_and_says_why():
    """When the answers rule exposure out, overall and band are null and the reason is given."""
    template = build(
        [
            question(
                "used",
                "single_choice",
                options=[
                    option("yes", 0),
                    option("never", 100, not_exposed=True),
                ],
            ),
            question("q2"),
        ]
    )
    computed = score_response(template, {"used": ans("never"), "q2": ans("yes")})
    eff = effective_result(computed, template)
    data = eff.to_json()
    assert eff.verdict == Verdict.NOT_EXPOSED
    assert data["overall"] is None and data["band"] is None
    assert data["computed"]["overall"] is None
    assert data["not_exposed_reason"] == (
        'the vendor\'s answers rule exposure out: used answered "never"'
    )


def test_every_figure_in_the_json_is_a_number_never_a_string():
    """Scores, points, weights and percentages are JSON numbers."""
    template = _two_questions()
    computed = score_response(template, {"q1": ans("yes"), "q2": ans("no")})
    data = json.loads(json.dumps(effective_result(computed, template).to_json()))
    assert data["overall"] == 50.0
    for cat in data["categories"]:
        for key in ("weight", "possible", "earned", "score"):
            assert isinstance(cat[key], int | float), (key, cat[key])
    for entry in data["trace"]:
        for key in ("possible", "earned", "percent"):
            assert entry[key] is None or isinstance(entry[key], int | float)


def test_numbers_round_half_up_to_the_shown_precision():
    """68.65 is 68.7 (half up), as the pages show it, and 2/3 of a point is 0.6667."""
    assert number(Fraction(6865, 100)) == 68.7
    assert number(Fraction(2, 3), 4) == 0.6667
    assert number(None) is None


def test_a_revision_scored_by_an_older_engine_is_flagged_not_rewritten():
    """A stored "not exposed" that today's rules find contradictory goes to a reviewer, while
    the stored figures stay exactly as they were."""
    import dataclasses

    template = build(
        [
            question(
                "used",
                "multi_choice",
                weight=0,
                options=[
                    option("product", exposed=True),
                    option("none", not_exposed=True, exclusive=True),
                ],
            ),
            question("q2"),
        ]
    )
    now = score_response(template, {"used": ans(["product", "none"]), "q2": ans("yes")})
    assert {f.kind for f in now.review_flags} == {"exclusive", "contradiction"}
    # As an older engine stored it: ruled out, no flags.
    stored = dataclasses.replace(
        now,
        engine_version="1",
        not_exposed=True,
        not_exposed_by=("used",),
        band=None,
        band_label=None,
        review_flags=(),
    )
    eff = effective_result(stored, template)
    assert eff.verdict == Verdict.NEEDS_REVIEW
    assert eff.result is stored and eff.result.not_exposed
    assert {f.kind for f in eff.review_flags} == {"exclusive", "contradiction"}
    assert [f["kind"] for f in eff.to_json()["review_flags"]] == ["exclusive", "contradiction"]
