"""The YAML loader: line numbers, YAML 1.2 booleans, and what it refuses."""

from __future__ import annotations

import datetime

import pytest
from helpers_questionnaires import DATA

from vendorrisk.questionnaires.loader import (
    YamlLoadError,
    load_template_path,
    load_yaml_text,
)

TEXT = """\
# a comment line
id: t
sections:
  - id: s1
    questions:
      - id: q_a
        options:
          - {value: "yes", label: Y}

          - value: no
            label: N
"""


def test_every_key_and_list_item_records_its_line():
    lines = load_yaml_text(TEXT).lines
    assert lines[("id",)] == 2
    assert lines[("sections",)] == 3
    assert lines[("sections", 0)] == 4
    assert lines[("sections", 0, "questions", 0, "id")] == 6
    assert lines[("sections", 0, "questions", 0, "options", 0, "label")] == 8
    assert lines[("sections", 0, "questions", 0, "options", 1)] == 10
    assert lines[("sections", 0, "questions", 0, "options", 1, "label")] == 11


def test_line_for_an_unrecorded_path_falls_back_to_its_nearest_parent():
    loaded = load_yaml_text(TEXT)
    assert loaded.line_for(("sections", 0, "questions", 0, "text")) == 6
    assert loaded.line_for(("nothing", "here")) == loaded.lines[()]


def test_yes_no_on_off_stay_strings_and_only_true_false_are_booleans():
    data = load_yaml_text("a: yes\nb: no\nc: on\nd: off\ne: true\nf: False\ng: Y\n").data
    assert data == {"a": "yes", "b": "no", "c": "on", "d": "off", "e": True, "f": False, "g": "Y"}


def test_dates_and_numbers_keep_their_types():
    data = load_yaml_text("d: 2021-01-12\ni: 7\nf: 2.5\nn: null\n").data
    assert data == {"d": datetime.date(2021, 1, 12), "i": 7, "f": 2.5, "n": None}


def test_duplicate_keys_are_all_reported_with_the_first_occurrence():
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_text("a: 1\nb: 2\na: 3\nnested:\n  x: 1\n  x: 2\n")
    problems = [(p.line, p.reason) for p in caught.value.problems]
    assert problems == [
        (3, "duplicate key 'a' (first at line 1)"),
        (6, "duplicate key 'x' (first at line 5)"),
    ]


def test_syntax_error_reports_the_line_of_the_problem():
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_text("a: 1\nb: [1, 2\nc: 3\n")
    (problem,) = caught.value.problems
    assert problem.reason.startswith("YAML syntax error: while parsing a flow sequence")
    assert problem.line == 3


def test_an_unclosed_quote_is_reported_where_it_opens():
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_text("a: 1\nb: 'unclosed\nc: 3\n")
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (2, "YAML syntax error: the quoted text that starts here is never closed")
    ]


def test_merge_keys_are_refused():
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_text("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (3, "YAML merge keys ('<<') are not supported; write keys out")
    ]


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!python/object/apply:os.system ['true']\n", "!!python/object/apply:os.system"),
        ("a: !!python/name:os.system ''\n", "!!python/name:os.system"),
        ("a: !!str 2\n", "!!str"),
        ("a: !!set {x}\n", "!!set"),
        ("a: !custom x\n", "!custom"),
    ],
)
def test_every_explicit_tag_is_refused_safe_or_not(text, tag):
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_text(text)
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (
            1,
            f"explicit YAML tags ('{tag}') are not accepted; write the value without one "
            "(in quotes if it is text)",
        )
    ]


def test_more_than_one_document_is_refused():
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_text("a: 1\n---\nb: 2\n")
    assert caught.value.problems[0].line == 2


def test_empty_text_loads_as_nothing():
    assert load_yaml_text("# only a comment\n").data is None


def test_load_template_path_parses_the_example_into_the_schema():
    template = load_template_path(DATA / "complete.yaml")
    assert [s.id for s in template.sections] == ["exposure", "rotation", "readiness"]
    assert template.question("q_uses_product").option_values == ("yes", "no", "unsure")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("id: t\ndue: 2021-13-45\n", 2, "'2021-13-45' is not a valid date or time"),
        ("id: t\nat: 2021-01-12 25:00:00\n", 2, "'2021-01-12 25:00:00' is not a valid date"),
        ("id: t\n2021-02-30: key\n", 2, "'2021-02-30' is not a valid date"),
        ("id: t\ntitle: A\x00B\n", 2, "control character U+0000"),
        ("id: t\n\ntitle: bell \x07\n", 3, "control character U+0007"),
    ],
)
def test_impossible_dates_and_control_characters_are_problems_with_their_line(text, line, reason):
    """Not a crash: PyYAML raises ValueError for 2021-13-45 and refuses NUL before parsing."""
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_text(text)
    (problem,) = caught.value.problems
    assert problem.line == line and reason in problem.reason
