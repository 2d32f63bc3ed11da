"""`flask questionnaires validate`: the shipped templates pass; every kind of error is reported
as file:line: reason and makes the command fail."""

from __future__ import annotations

import re

import pytest
from helpers_app import SHIPPED
from helpers_questionnaires import HEADER, template

from vendorrisk.questionnaires.validator import validate_path

Q_B_TEXT = "      - id: q_b\n        text: B?\n        type: text\n"

BROKEN = {
    "yaml-syntax": template("      - id: q_b\n        text: [unclosed\n"),
    "duplicate-key": template(
        "      - id: q_b\n        text: B\n        text: B again\n        type: text\n"
    ),
    "merge-key": template("      - <<: {id: q_b}\n        text: B\n        type: text\n"),
    "python-tag": template(
        "      - id: q_b\n        text: !!python/name:os.system B\n        type: text\n"
    ),
    "unknown-key": template(Q_B_TEXT + "        hepl: typo\n"),
    "missing-key": template("      - id: q_b\n        type: text\n"),
    "wrong-type": template(Q_B_TEXT + "        required: maybe\n"),
    "bad-question-type": template("      - id: q_b\n        text: B\n        type: essay\n"),
    "bad-id": template().replace("id: q_a\n", "id: 2fa\n", 1),
    "duplicate-question": template("      - id: q_a\n        text: Again\n        type: text\n"),
    "show-if-later": template().replace(
        "        type: yes_no\n",
        '        type: yes_no\n        show_if: {question: q_b, in: ["yes"]}\n',
        1,
    )
    + "      - id: q_b\n        text: B\n        type: yes_no\n        weight: 0\n"
    '        options:\n          - {value: "yes", label: "Yes"}\n'
    '          - {value: "no", label: "No"}\n',
    "show-if-unknown-value": template(Q_B_TEXT + "        show_if: {question: q_a, in: [maybe]}\n"),
    "unknown-category": template().replace("category: security", "category: nowhere"),
    "missing-remediation": template().replace("        remediation: Fix it.\n", ""),
    "missing-finding-title": template().replace("        finding_title: Gap A\n", ""),
    "negative-weight": template(
        "      - id: q_b\n        text: B\n        type: yes_no\n"
        "        weight: -1\n        options:\n"
        '          - {value: "yes", label: "Yes"}\n'
        '          - {value: "no", label: "No"}\n'
    ),
    "critical-cannot-fail": template()
    .replace('{value: "no", label: "No", score: 0}', '{value: "no", label: "No", score: 60}')
    .replace(
        "        category: security\n", "        category: security\n        critical: true\n", 1
    ),
    "incident-categories": template(header=HEADER.replace("kind: baseline", "kind: incident")),
    "date-rule-reference": template(
        "      - id: q_b\n        text: When?\n        type: date\n        category: security\n"
        "        date_rule:\n          reference: compromise_date\n"
        "          steps: [{within_days: 7, score: 100}]\n"
        "        finding_title: Late\n        remediation: Sooner.\n        frameworks: [F1]\n"
    ),
    "impossible-date": template().replace("id: t\n", "id: t\nreviewed: 2021-13-45\n", 1),
    "control-character": template().replace("id: t\n", "id: t\n# note\x00\n", 1),
    "band-order": template(
        header=HEADER.replace(
            "categories:",
            "rating_bands:\n  - {id: A, label: Good, min_score: 50}\n"
            "  - {id: B, label: Better, min_score: 80}\n  - {id: C, label: Bad, min_score: 0}\n"
            "categories:",
        )
    ),
}


def _run(runner, *paths):
    return runner.invoke(args=["questionnaires", "validate", *map(str, paths)])


def test_every_shipped_template_is_valid(runner):
    """The shipped templates pass the validator, named explicitly or by default."""
    paths = sorted(SHIPPED.glob("*.yaml"))
    assert len(paths) >= 4
    result = _run(runner, *paths)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{len(paths)} files valid"


def test_without_paths_every_file_in_questionnaires_is_checked(runner):
    result = _run(runner)
    assert result.exit_code == 0, result.output
    assert f"{len(list(SHIPPED.glob('*.yaml')))} files valid" in result.output


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_kind_of_error_is_printed_as_file_line_reason_and_fails(runner, tmp_path, case):
    """The command prints exactly the validator's errors, each as `file:line: ...`, and exits 1."""
    path = tmp_path / f"{case}.yaml"
    path.write_text(BROKEN[case], encoding="utf-8")
    expected = [str(e) for e in validate_path(path)[1]]
    assert expected, f"{case} should be invalid"
    result = _run(runner, path)
    assert result.exit_code == 1
    printed = [line for line in result.output.splitlines() if line.startswith(str(path))]
    assert printed == expected
    for line in printed:
        assert re.match(rf"^{re.escape(str(path))}:\d+: \S", line), line


def test_an_error_in_a_question_names_the_question(runner, tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text(BROKEN["unknown-key"], encoding="utf-8")
    result = _run(runner, path)
    line = BROKEN["unknown-key"].splitlines().index("        hepl: typo") + 1
    assert f"{path}:{line}: question q_b: unknown key 'hepl'" in result.output


def test_a_scored_question_without_a_finding_title_is_printed_with_its_line(runner, tmp_path):
    path = tmp_path / "untitled.yaml"
    path.write_text(BROKEN["missing-finding-title"], encoding="utf-8")
    result = _run(runner, path)
    assert result.exit_code == 1
    line = BROKEN["missing-finding-title"].splitlines().index("      - id: q_a") + 1
    assert (
        f"{path}:{line}: question q_a: a scored question needs a finding_title: the short name "
        "of the gap a finding will carry (at most 80 characters, e.g. 'Certificate not rotated')"
        in result.output.splitlines()
    )


def test_valid_and_invalid_files_together_fail_and_name_only_the_bad_one(runner, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(template(), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN["missing-key"], encoding="utf-8")
    result = _run(runner, good, bad)
    assert result.exit_code == 1
    assert str(bad) in result.output and f"{good}:" not in result.output
    assert "files valid" not in result.output


def test_two_files_with_the_same_template_id_are_an_error(runner, tmp_path):
    for name in ("one.yaml", "two.yaml"):
        (tmp_path / name).write_text(template(), encoding="utf-8")
    result = _run(runner, tmp_path / "one.yaml", tmp_path / "two.yaml")
    assert result.exit_code == 1
    assert f"{tmp_path / 'two.yaml'}: template id 't' is also used by" in result.output


def test_a_missing_file_is_reported_not_a_traceback(runner, tmp_path):
    result = _run(runner, tmp_path / "nope.yaml")
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.yaml'}: cannot read file" in result.output


def test_every_question_of_the_shipped_templates_maps_to_a_control():
    """The content review needs a control for every question, scored or not: none is unmapped."""
    from vendorrisk.questionnaires.validator import check_path

    for path in sorted(SHIPPED.glob("*.yaml")):
        checked = check_path(path)
        assert checked.errors == [] and checked.unmapped == [], path


def test_a_question_without_a_control_is_reported_with_its_line_and_fails(runner, tmp_path):
    """An unscored question with no frameworks is valid for the sync, but `validate` names it."""
    text = template(Q_B_TEXT)
    path = tmp_path / "unmapped.yaml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("      - id: q_b") + 1
    result = _run(runner, path)
    assert result.exit_code == 1
    assert (
        f"{path}:{line}: question q_b: maps to no control: add at least one reference to frameworks"
        in result.output
    )
    mapped = tmp_path / "mapped.yaml"
    mapped.write_text(template(Q_B_TEXT + "        frameworks: [F2]\n"), encoding="utf-8")
    assert _run(runner, mapped).exit_code == 0
