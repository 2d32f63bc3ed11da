"""Properties that hold for any template and any answers."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.loader import load_template_path
from vendorrisk.questionnaires.schema import Template
from vendorrisk.scoring import ScoreResult, Status, check_trace, rescore, score_response
from vendorrisk.scoring.plan import clear_plan_cache

from .conftest import EXAMPLE, FILE
from .strategies import answers_for, referenced, templates

SHIPPED = [
    load_template_path(p)
    for p in sorted((Path(__file__).parents[2] / "questionnaires").glob("*.yaml"))
]
FIXED = [load_template_path(EXAMPLE), *SHIPPED]

SETTINGS = settings(
    deadline=None,
    database=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ANY_TEMPLATE = st.one_of(st.sampled_from(FIXED), templates())


@st.composite
def responses(draw: st.DrawFn) -> tuple[Template, dict[str, Answer]]:
    """Draw a template (shipped, the worked example or generated) and answers to it."""
    template = draw(ANY_TEMPLATE)
    return template, draw(answers_for(template))


@SETTINGS
@given(responses())
def test_scores_stay_between_0_and_100(response: tuple[Template, dict[str, Answer]]) -> None:
    """Every category score and the overall score lie in 0..100 (or are not scored)."""
    template, answers = response
    result = score_response(template, answers)
    for score in [c.score for c in result.categories] + [result.overall]:
        assert score is None or 0 <= score <= 100
    assert (result.band is None) == (result.overall is None or result.not_exposed)


@SETTINGS
@given(responses())
def test_trace_adds_up_to_the_scores(response: tuple[Template, dict[str, Answer]]) -> None:
    """Summing the trace gives each category's points and score, and the overall, exactly."""
    template, answers = response
    result = score_response(template, answers)
    assert check_trace(result) == []
    assert [t.question_id for t in result.trace] == [q.id for q in template.questions()]
    c = result.completeness
    assert c.visible + c.hidden == len(template.questions())
    statuses = [t.status for t in result.trace]
    assert c.answered == statuses.count(Status.SCORED) + statuses.count(Status.UNSCORED)
    assert len(c.unanswered_required) == statuses.count(Status.UNANSWERED)


@SETTINGS
@given(responses(), st.data())
def test_a_better_option_never_lowers_its_category(
    response: tuple[Template, dict[str, Answer]], data: st.DataObject
) -> None:
    """For a question no show_if refers to, a better-scored option never lowers the category."""
    template, answers = response
    shown_to_nobody = referenced(template)
    candidates = [
        q
        for q in template.questions()
        if q.scored and q.type in ("yes_no", "single_choice") and q.id not in shown_to_nobody
    ]
    if not candidates:
        return
    q = data.draw(st.sampled_from(candidates))
    worse, better = sorted(
        data.draw(st.lists(st.sampled_from(q.options), min_size=2, max_size=2)),
        key=lambda o: o.score or 0,
    )
    # A file is attached so the evidence rule cannot turn the better option into 0 %.
    low = score_response(template, {**answers, q.id: Answer(worse.value, evidence_hashes=(FILE,))})
    high = score_response(
        template, {**answers, q.id: Answer(better.value, evidence_hashes=(FILE,))}
    )
    assert q.category is not None
    before, after = low.category(q.category).score, high.category(q.category).score
    assert (before is None) == (after is None)
    if before is not None and after is not None:
        assert after >= before


@SETTINGS
@given(responses(), st.data())
def test_na_never_changes_other_questions_points(
    response: tuple[Template, dict[str, Answer]], data: st.DataObject
) -> None:
    """Answering N/A takes one question out and leaves every other question's points alone.

    (An N/A answer selects no option, so it can hide questions whose show_if refers to it:
    the property is about questions no show_if refers to.)
    """
    template, answers = response
    candidates = [
        q for q in template.questions() if q.allow_na and q.id not in referenced(template)
    ]
    if not candidates:
        return
    q = data.draw(st.sampled_from(candidates))
    before = score_response(template, answers)
    after = score_response(template, {**answers, q.id: Answer(None, na=True, comment="N/A")})
    for old, new in zip(before.trace, after.trace, strict=True):
        if old.question_id == q.id:
            assert (new.status, new.possible, new.earned) in (
                (Status.NA, 0, 0),
                (Status.HIDDEN, 0, 0),
            )
        else:
            assert (old.status, old.possible, old.earned) == (new.status, new.possible, new.earned)


@SETTINGS
@given(responses())
def test_scoring_is_deterministic(response: tuple[Template, dict[str, Answer]]) -> None:
    """Same inputs, same result: again, in another answer order, without caches, via JSON."""
    template, answers = response
    first = score_response(template, answers).to_dict()
    assert score_response(template, answers).to_dict() == first
    assert score_response(template, dict(reversed(answers.items()))).to_dict() == first
    clear_plan_cache()
    assert score_response(template, answers).to_dict() == first
    stored = json.loads(json.dumps(first, allow_nan=False))
    assert ScoreResult.from_dict(stored).to_dict() == first
    assert rescore(stored, template).matches
