"""Each validator rule: a bad snippet, the message it gets, and the line it is reported on."""

from __future__ import annotations

import pytest
from helpers_questionnaires import DATA, HEADER, template

from vendorrisk.questionnaires.validator import ValidationError, validate_path, validate_text

FILE = "questionnaires/x.yaml"


def only_error(text: str) -> ValidationError:
    """Validate `text` and return its single error."""
    result, errors = validate_text(text, FILE)
    assert result is None
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """Return the line of the nth line containing `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[nth - 1]


def test_valid_template_has_no_errors_and_returns_the_template():
    result, errors = validate_text(template(), FILE)
    assert errors == []
    assert result is not None and result.question("q_a").weight == 1


def test_complete_example_template_is_valid():
    result, errors = validate_path(DATA / "complete.yaml")
    assert [str(e) for e in errors] == []
    assert result is not None and result.kind == "incident"


def test_error_str_names_file_line_and_question():
    err = ValidationError(FILE, 42, "q_cert_installed", "show_if refers to later question q_foo")
    assert str(err) == (
        "questionnaires/x.yaml:42: question q_cert_installed: "
        "show_if refers to later question q_foo"
    )
    assert str(ValidationError(FILE, None, None, "x")) == "questionnaires/x.yaml: x"


# --- YAML level --------------------------------------------------------------------------------


def test_an_unclosed_bracket_is_reported_where_it_opens_not_at_the_end():
    text = template("      - id: q_b\n        text: [unclosed\n")
    err = only_error(text)
    assert err.reason == "YAML syntax error: the '[' here is never closed"
    assert err.line == line_of(text, "text: [unclosed")


def test_duplicate_yaml_key_is_an_error_on_the_second_key():
    text = template("      - id: q_b\n        text: B\n        text: B again\n        type: text\n")
    err = only_error(text)
    assert err.reason == f"duplicate key 'text' (first at line {line_of(text, 'text: B')})"
    assert err.line == line_of(text, "text: B again")


def test_unknown_key_is_reported_on_its_line_with_a_suggestion():
    text = template("      - id: q_b\n        text: B\n        type: text\n        hepl: typo\n")
    err = only_error(text)
    assert err.reason.startswith(
        "unknown key 'hepl' in a question (did you mean 'help'? allowed: id, text, help, type,"
    )
    assert err.line == line_of(text, "hepl:")
    assert err.question_id == "q_b"


def test_missing_required_key_is_reported_on_the_question():
    text = template("      - id: q_b\n        type: text\n")
    err = only_error(text)
    assert (err.line, err.question_id, err.reason) == (
        line_of(text, "id: q_b"),
        "q_b",
        "missing required key 'text'",
    )


def test_wrong_scalar_type_says_what_was_expected():
    text = template(
        "      - id: q_b\n        text: B\n        type: text\n        required: maybe\n"
    )
    err = only_error(text)
    assert err.reason == "required must be true or false (got 'maybe')"
    assert err.line == line_of(text, "required: maybe")


def test_unknown_question_type_lists_the_allowed_types():
    text = template("      - id: q_b\n        text: B\n        type: essay\n")
    err = only_error(text)
    assert err.reason.startswith("type must be one of 'yes_no', 'single_choice'")
    assert err.line == line_of(text, "type: essay")


def test_key_valid_elsewhere_but_not_here_lists_the_allowed_keys():
    text = template().replace("    title: S1\n", "    title: S1\n    min_score: 3\n")
    err = only_error(text)
    assert err.reason == (
        "unknown key 'min_score' in a section (allowed: id, title, description, show_if, questions)"
    )


def test_unknown_key_inside_a_nested_condition_names_the_condition():
    text = template(
        "      - id: q_b\n        text: B?\n        type: text\n"
        '        show_if: {all: [{question: q_a, in: ["yes"], value: x}]}\n'
    )
    err = only_error(text)
    assert err.reason == "unknown key 'value' in a question condition (allowed: question, in)"
    assert err.line == len(text.splitlines())


def test_mapping_where_text_is_expected_is_described_not_dumped():
    text = template().replace("text: A?", "text: {a: 1}")
    assert only_error(text).reason == "text must be text (got a mapping)"


def test_top_level_that_is_not_a_mapping_is_explained():
    err = only_error("- just\n- a list\n")
    assert (
        err.reason == "the template must be a YAML mapping with at least id, kind, title, sections"
    )


def test_no_pydantic_wording_leaks_into_messages():
    text = template(
        "      - id: q_b\n        text: B\n        type: number\n"
        "        max_length: 0\n        show_if: {colour: red}\n        options: nope\n"
    )
    _, errors = validate_text(text, FILE)
    assert errors
    for err in errors:
        assert "pydantic" not in err.reason and "Input should" not in err.reason, err.reason


# --- ids ---


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (
            "id: t\n",
            "id: Bad_Slug\n",
            "id: 'Bad_Slug' is not a valid slug: "
            "use lowercase letters and digits joined by single '-'",
        ),
        (
            "id: q_a\n",
            "id: 2fa\n",
            "id: '2fa' is not a valid identifier: use lowercase letters, "
            "digits and '_', starting with a letter",
        ),
        (
            "id: s1\n",
            "id: S-1\n",
            "id: 'S-1' is not a valid identifier: use lowercase letters, "
            "digits and '_', starting with a letter",
        ),
    ],
    ids=["template-slug", "question-id", "section-id"],
)
def test_bad_ids_are_rejected_with_the_expected_form(old, new, reason):
    text = template().replace(old, new, 1)
    err = only_error(text)
    assert err.reason == reason
    assert err.line == line_of(text, new.strip())


def test_duplicate_question_id_is_reported_on_the_second():
    text = template("      - id: q_a\n        text: Again\n        type: text\n")
    err = only_error(text)
    assert (err.reason, err.line) == ("duplicate question id 'q_a'", line_of(text, "id: q_a", 2))


def test_duplicate_section_id_is_reported_on_the_second():
    text = template(
        "  - id: s1\n    title: Again\n    questions:\n      - {id: q_b, text: B, type: text}\n"
    )
    err = only_error(text)
    assert (err.reason, err.line) == ("duplicate section id 's1'", line_of(text, "- id: s1", 2))


def test_duplicate_category_id_is_reported_on_the_second():
    header = HEADER.replace(
        "categories:\n", "categories:\n  - {id: security, title: X, weight: 2}\n"
    )
    text = template(header=header)
    err = only_error(text)
    assert (err.reason, err.line) == ("duplicate category id 'security'", 6)


def test_duplicate_option_value_is_reported_on_the_second():
    text = template().replace(
        '{value: "no", label: "No", score: 0}', '{value: "yes", label: "Again", score: 0}'
    )
    _, errors = validate_text(text, FILE)
    assert "duplicate option value 'yes'" in [e.reason for e in errors]
    dup = next(e for e in errors if e.reason.startswith("duplicate option"))
    assert dup.line == line_of(text, "Again") and dup.question_id == "q_a"


def test_mapping_value_syntax_error_hints_at_quoting():
    text = template().replace("text: A?", "text: Scope: all tenants?")
    err = only_error(text)
    assert err.reason == (
        "YAML syntax error: mapping values are not allowed in this context "
        "(quote a value that contains ': ', or check the indentation)"
    )
    assert err.line == line_of(text, "Scope: all")


def test_deleting_any_line_of_the_example_gives_errors_with_lines_never_an_exception():
    lines = (DATA / "complete.yaml").read_text().splitlines(keepends=True)
    for i in range(len(lines)):
        broken = "".join(lines[:i] + lines[i + 1 :])
        result, errors = validate_text(broken, FILE)
        assert (result is None) == bool(errors)
        assert all(e.line is not None for e in errors), [str(e) for e in errors]


# --- strict types and limits (the corpus in test_malformed_templates.py has the rest) ----------


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("required: 1", "required must be true or false (got 1)"),
        ('allow_na: "false"', "allow_na must be true or false (got 'false')"),
        ("weight: true", "weight must be a number (got True)"),
        ("weight: 1001", "weight must be at most 1000 (got 1001.0)"),
        ("weight: -.inf", "weight must be a finite number (got -inf)"),
    ],
)
def test_booleans_and_numbers_are_strict(extra, reason):
    text = template().replace(
        "        category: security\n", f"        category: security\n        {extra}\n", 1
    )
    err = only_error(text)
    assert (err.line, err.question_id, err.reason) == (line_of(text, extra), "q_a", reason)


def test_a_quoted_number_or_date_is_text_and_says_to_drop_the_quotes():
    text = template(
        "      - id: q_b\n        text: B\n        type: text\n        max_length: '200'\n"
    ).replace(
        "id: t\n", "id: t\nreference_dates:\n  - {name: r, label: R, default: '2021-01-12'}\n", 1
    )
    _, errors = validate_text(text, FILE)
    assert [(e.line, e.reason) for e in errors] == [
        (
            line_of(text, "default: '2021"),
            "default must be a date like 2021-01-12 (got '2021-01-12'); write it without quotes",
        ),
        (
            line_of(text, "max_length: '200'"),
            "max_length must be a whole number (got '200'); write it without quotes",
        ),
    ]


def test_a_category_weight_is_bounded_like_a_question_weight():
    text = template().replace(
        "{id: security, title: Security, weight: 1}",
        "{id: security, title: Security, weight: 5000}",
    )
    err = only_error(text)
    assert (err.line, err.reason) == (
        line_of(text, "weight: 5000"),
        "weight must be at most 1000 (got 5000.0)",
    )


def _nested_show_if(depth: int) -> str:
    condition = '{question: q_a, in: ["yes"]}'
    for _ in range(depth - 1):
        condition = f"{{not: {condition}}}"
    return template(
        f"      - id: q_b\n        text: B\n        type: text\n        show_if: {condition}\n"
    )


def test_a_condition_ten_deep_is_accepted_and_eleven_deep_is_refused_on_its_line():
    assert validate_text(_nested_show_if(10), FILE)[1] == []
    text = _nested_show_if(11)
    err = only_error(text)
    assert (err.line, err.question_id, err.reason) == (
        line_of(text, "show_if:"),
        "q_b",
        "show_if is nested 11 conditions deep; conditions may be nested at most 10 deep",
    )


def test_a_section_condition_is_bounded_too():
    text = template().replace(
        "    title: S1\n",
        "    title: S1\n    show_if: "
        + "{not: " * 11
        + "{question: q_a, in: [x]}"
        + "}" * 11
        + "\n",
        1,
    )
    _, errors = validate_text(text, FILE)
    assert (
        line_of(text, "show_if:"),
        "show_if is nested 12 conditions deep; conditions may be nested at most 10 deep",
    ) in [(e.line, e.reason) for e in errors]


def test_ids_are_matched_whole_so_no_whitespace_slips_through():
    for bad in ('"q_a "', '"q_a\\t"', "|\n          q_a"):
        text = template().replace("      - id: q_a\n", f"      - id: {bad}\n", 1)
        _, errors = validate_text(text, FILE)
        assert any("is not a valid identifier" in e.reason for e in errors), bad


def test_a_long_list_of_errors_is_cut_at_200_with_a_count_of_the_rest():
    questions = "".join(f"      - {{id: q_{i}, text: Q, type: essay}}\n" for i in range(250))
    _, errors = validate_text(template(questions), FILE)
    assert len(errors) == 201
    assert str(errors[-1]) == f"{FILE}: 50 more error(s) not listed; fix these first"


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        (
            '{question: q_n, at_least: "3"}',
            "at_least must be a number (got '3'); write it without quotes",
        ),
        ("{question: q_n, at_most: .nan}", "at_most must be a finite number (got nan)"),
        (
            "{question: q_n, at_least: 3, colour: red}",
            "unknown key 'colour' in a number condition (allowed: question, at_least, at_most)",
        ),
        ("{all: [{evidence: maybe}]}", "evidence must be one of 'attached' (got 'maybe')"),
    ],
)
def test_credit_conditions_are_strict_and_name_their_own_keys(condition, reason):
    """credit_if errors name the key at fault, not the tag pydantic puts in the location."""
    text = template(
        "      - id: q_n\n        text: N\n        type: number\n        weight: 0\n"
    ).replace(
        '{value: "yes", label: "Yes", score: 100}',
        f'{{value: "yes", label: "Yes", score: 100, credit_if: {condition}}}',
    )
    err = only_error(text)
    assert (err.line, err.question_id, err.reason) == (line_of(text, "credit_if"), "q_a", reason)


def test_a_credit_condition_is_held_to_the_same_depth_limit():
    condition = "{question: q_n, at_least: 3}"
    for _ in range(10):
        condition = f"{{not: {condition}}}"
    text = template(
        "      - id: q_n\n        text: N\n        type: number\n        weight: 0\n"
    ).replace(
        '{value: "yes", label: "Yes", score: 100}',
        f'{{value: "yes", label: "Yes", score: 100, credit_if: {condition}}}',
    )
    _, errors = validate_text(text, FILE)
    assert (
        line_of(text, "credit_if"),
        "credit_if is nested 11 conditions deep; conditions may be nested at most 10 deep",
    ) in [(e.line, e.reason) for e in errors]
