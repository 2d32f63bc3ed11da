"""Bad JSON files are refused with the file's name and the place inside it, before any parsing
that their size or depth could make costly."""

import pytest

from vendorrisk.intake.jsonfile import MAX_DEPTH, IntakeError, json_path, load_json, read_file


def problem(exc: IntakeError):
    [only] = exc.problems
    return only


def test_malformed_json_names_the_file_line_and_column():
    with pytest.raises(IntakeError) as refused:
        load_json(b'{"document": {"title": "x",}}', "broken.json")
    p = problem(refused.value)
    assert p.file == "broken.json" and p.path == "$"
    assert "not valid JSON" in p.reason and "line 1" in p.reason


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(IntakeError, match="not UTF-8"):
        load_json(b"\xff\xfe{}", "latin.json")


def test_a_50_mb_file_is_refused_by_its_size_before_it_is_read(tmp_path):
    big = tmp_path / "huge.json"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: reading it would be the bug
    with pytest.raises(IntakeError) as refused:
        read_file(big)
    p = problem(refused.value)
    assert p.file == str(big) and "50.0 MiB" in p.reason and "at most 20 MiB" in p.reason


def test_deeply_nested_json_is_refused_with_where_it_goes_too_deep():
    text = '{"a": ' * (MAX_DEPTH + 5) + "1" + "}" * (MAX_DEPTH + 5)
    with pytest.raises(IntakeError) as refused:
        load_json(text.encode(), "deep.json")
    p = problem(refused.value)
    assert "nested deeper than" in p.reason and p.path.startswith("$.a.a.a")


def test_json_nested_past_the_parser_limit_is_refused_not_a_crash():
    text = "[" * 200_000 + "]" * 200_000
    with pytest.raises(IntakeError, match="nested deeper"):
        load_json(text.encode(), "bomb.json")


def test_a_missing_file_is_refused_by_name(tmp_path):
    with pytest.raises(IntakeError, match="cannot be read"):
        read_file(tmp_path / "nope.json")


def test_json_paths_read_as_people_write_them():
    assert json_path(["document", "tracking", "revision_history", 0, "date"]) == (
        "$.document.tracking.revision_history[0].date"
    )
    assert json_path(["a b", 2]) == '$["a b"][2]'
