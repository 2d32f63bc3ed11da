"""The questionnaire as HTML: what the page shows is exactly what it posts back, errors are tied
to their inputs, and a page of saved answers needs no form to be built."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import render_template_string
from helpers_app import COMPLETE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from tests.scoring.conftest import FILE
from tests.scoring.strategies import templates, valid_values
from vendorrisk.portal.drafts import draft_formdata
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.conditions import visible_questions, visible_sections
from vendorrisk.questionnaires.formfactory import field_names, form_class, with_evidence
from vendorrisk.questionnaires.formview import layout_of, state_from_data, state_of
from vendorrisk.questionnaires.loader import load_template_path, load_template_text

TEMPLATE = load_template_path(COMPLETE)
PAGE = (
    '{% from "questionnaires/_question.html" import questionnaire %}'
    "{{ questionnaire(layout, state, sections, questions) }}"
)


class _Controls(HTMLParser):
    """Collect what a browser would post from the rendered inputs (files aside)."""

    def __init__(self):
        super().__init__()
        self.posted = MultiDict()
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") != "file":
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.posted.add(a["name"], a.get("value") or "")
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the one line break that follows <textarea>.
            self.posted.add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None


def _posted(html: str) -> MultiDict:
    parser = _Controls()
    parser.feed(html)
    return parser.posted


def _render(template, state, answers) -> str:
    return render_template_string(
        PAGE,
        layout=layout_of(form_class(template)),
        state=state,
        sections={s.id for s in visible_sections(template, answers)},
        questions={q.id for q in visible_questions(template, answers)},
    )


def _form(template, data):
    return form_class(template)(formdata=data, meta={"csrf": False})


@st.composite
def _saved(draw, template):
    """Draw answers a vendor could have saved, with files attached to some questions."""
    drawn, evidence = {}, {}
    for q in template.questions():
        roll = draw(st.integers(0, 9))
        if roll == 0:
            continue
        if draw(st.booleans()):
            evidence[q.id] = (FILE,)
        if roll == 1 and q.allow_na:
            drawn[q.id] = Answer(None, na=True, comment="Not applicable.")
            continue
        comment = draw(st.sampled_from([None, "See the report & <notes>."]))
        reason = draw(st.sampled_from([None, "Under NDA."]))
        drawn[q.id] = Answer(draw(valid_values(q)), comment=comment, evidence_reason=reason)
    return template, drawn, evidence


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_page_of_saved_answers_posts_them_back_unchanged(app, data):
    template = data.draw(templates())
    _, drawn, evidence = data.draw(_saved(template))
    with app.test_request_context():
        saved = _form(template, draft_formdata(template, drawn)).answers(evidence)
        shown = draft_formdata(template, saved)
        # Read back without a form, the saved answers are what the form would make of them...
        assert with_evidence(template, saved, evidence) == _form(template, shown).answers(evidence)
        # ...and the inputs rendered for them post them back unchanged.
        html = _render(template, state_from_data(shown), saved)
        assert _form(template, _posted(html)).answers(evidence) == saved


def _macro():
    from flask import current_app

    return current_app.jinja_env.get_template("questionnaires/_question.html").module.question


# Anything a person could type, markup and quotes included (NUL aside: no form posts it).
_TYPED = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_compiled_question_writes_exactly_what_the_macro_writes(app, data):
    """The fast path is the macro with its values filled in: same bytes, same escaping."""
    template = data.draw(templates())
    _, drawn, _ = data.draw(_saved(template))
    with app.test_request_context():
        shown = draft_formdata(template, drawn).to_dict(flat=False)
        layout = layout_of(form_class(template))
        for q in (q for s in layout.sections for q in s.questions):
            values = dict(shown)
            n = q.names
            for name in (n.value, n.comment, n.reason):
                if data.draw(st.booleans()):
                    values[name] = [data.draw(_TYPED)]
            state = state_from_data(MultiDict(values))
            if data.draw(st.booleans()):  # the portal's list of files already attached
                files = Markup("<ul><li>%s</li></ul>") % data.draw(_TYPED)
                state = state._replace(attached={q.question.id: files})
            view = q.view(state)
            for visible in (False, True):
                assert q.fast(view, visible) == _macro()(q, view, visible), q.question.id


def test_a_question_with_an_error_or_in_a_clarification_round_is_written_by_the_macro(app):
    """Only the macro writes errors and reviewers' comments; the page still shows them."""
    from vendorrisk.portal.pages import ReviewRound

    n = field_names("q_detect_hours")
    with app.test_request_context():
        form = _form(TEMPLATE, MultiDict({n.value: "soon"}))
        form.validate(require_answers=False)
        html = _render(TEMPLATE, state_of(form), form.answers())
        assert f'<div class="invalid-feedback d-block" id="{n.value}-error-1">' in html
        layout = layout_of(form_class(TEMPLATE))
        index = next(
            i
            for i, s in enumerate(layout.sections)
            if any(q.question.id == "q_detect_hours" for q in s.questions)
        )
        round_ = ReviewRound(
            {"q_detect_hours": ["Give a number of hours."]}, {"q_detect_hours"}, []
        )
        page = render_template_string(
            '{% from "questionnaires/_question.html" import section %}'
            "{{ section(sl, state, 1, 1, sections, questions, round) }}",
            sl=layout.sections[index],
            state=state_from_data(MultiDict()),
            sections={s.id for s in TEMPLATE.sections},
            questions={q.id for q in TEMPLATE.questions()},
            round=round_,
        )
    assert "Our comment: Give a number of hours." in page
    assert "Submitted earlier: this answer is not open for change." in page


def test_what_was_typed_comes_back_with_its_error_tied_to_the_input(app):
    n = field_names("q_detect_hours")
    posted = MultiDict({n.value: "36 hours", n.comment: '<b>"soon"</b>'})
    with app.test_request_context():
        form = _form(TEMPLATE, posted)
        form.validate(require_answers=False)
        state = state_of(form)
        html = _render(TEMPLATE, state, form.answers())
    assert state.values[n.value] == ["36 hours"]
    assert n.value in state.errors
    assert 'value="36 hours"' in html
    assert f'aria-invalid="true" aria-describedby="{n.value}-error-1"' in html
    assert f'<div class="invalid-feedback d-block" id="{n.value}-error-1">' in html
    assert "&lt;b&gt;&#34;soon&#34;&lt;/b&gt;</textarea>" in html
    assert 'class="vr-question vr-has-error" id="question-q_detect_hours"' in html


def test_help_text_describes_its_input(app):
    text = COMPLETE.read_text(encoding="utf-8")
    wording = (
        "        text: How many hours would you need to detect misuse of a connector certificate?\n"
    )
    template = load_template_text(
        text.replace(wording, wording + "        help: Count from the first alert.\n")
    )
    name = field_names("q_detect_hours").value
    with app.test_request_context():
        html = _render(template, state_from_data(MultiDict()), {})
    assert f'aria-describedby="{name}-help"' in html
    assert f'<p class="vr-help" id="{name}-help">' in html


def test_the_layout_is_built_once_per_form_class():
    cls = form_class(TEMPLATE)
    assert layout_of(cls) is layout_of(cls)
    layout = layout_of(cls)
    assert [s.section.id for s in layout.sections] == [s.id for s in TEMPLATE.sections]
    envs = next(
        q for s in layout.sections for q in s.questions if q.question.id == "q_environments"
    )
    assert envs.show_if is not None and '"question": "q_uses_product"' in envs.show_if
    assert [o.id for o in envs.options][:2] == ["a-q_environments-0", "a-q_environments-1"]


@pytest.mark.parametrize("removed", [False, True])
def test_an_evidence_question_counts_as_answered_only_while_a_file_or_reason_is_there(removed):
    saved = {"q_report": Answer(None, evidence_hashes=(FILE,))}
    files = {} if removed else {"q_report": (FILE,)}
    result = with_evidence(TEMPLATE, saved, files)
    assert ("q_report" in result) is not removed
