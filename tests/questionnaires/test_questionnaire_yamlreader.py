"""Reading YAML events into data: YAML 1.2 core scalars, aliases shared and counted, every limit
at its boundary, and the same result from libyaml and from PyYAML's own parser."""

from __future__ import annotations

import datetime
import math

import pytest
from corpus_malformed import CORPUS
from helpers_questionnaires import DATA

from vendorrisk.questionnaires.limits import MAX_BYTES, MAX_DEPTH, MAX_VALUES
from vendorrisk.questionnaires.loader import decode_source, load_yaml_text, read_source
from vendorrisk.questionnaires.yamlreader import YamlLoadError, read_yaml


def problems(text: str) -> list[tuple[int | None, str]]:
    with pytest.raises(YamlLoadError) as caught:
        load_yaml_text(text)
    return [(p.line, p.reason) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        ("1e3", 1000.0),
        ("1.5", 1.5),
        (".5", 0.5),
        ("-2", -2),
        ("010", 10),  # YAML 1.1 read this as octal 8
        ("0o17", 15),
        ("0x1F", 31),
        ("1_000", "1_000"),
        ("1.2.3", "1.2.3"),  # a version, not a number
        ("1:30", "1:30"),  # YAML 1.1 read this as 90 (base 60)
        ("yes", "yes"),
        ("Off", "Off"),
        ("TRUE", True),
        ("~", None),
        ("2021-01-12", datetime.date(2021, 1, 12)),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(plain, value):
    data = load_yaml_text(f"a: {plain}\n").data
    assert data == {"a": value} and type(data["a"]) is type(value)


def test_infinity_and_not_a_number_are_read_for_the_schema_to_refuse():
    data = load_yaml_text("a: .inf\nb: -.Inf\nc: .nan\n").data
    assert data["a"] == math.inf and data["b"] == -math.inf and math.isnan(data["c"])


def test_quoted_and_block_scalars_are_always_text():
    data = load_yaml_text("a: '1'\nb: \"true\"\nc: |\n  2\n").data
    assert data == {"a": "1", "b": "true", "c": "2\n"}


def test_sequences_are_tuples():
    assert load_yaml_text("a: [1, [2]]\n").data == {"a": (1, (2,))}


def test_whole_numbers_past_what_the_content_hash_holds_are_refused():
    ok = 2**53 - 1
    assert load_yaml_text(f"a: {ok}\nb: -{ok}\n").data == {"a": ok, "b": -ok}
    assert problems(f"a: 1\nb: {ok + 1}\nc: {'9' * 5000}\n") == [
        (2, "the number 9007199254740992 is too large; whole numbers may be at most 2^53 - 1"),
        (
            3,
            "the number 999999999999999999999... is too large; whole numbers may be at most 2^53 - 1",
        ),
    ]


def test_a_control_character_written_as_an_escape_is_refused():
    assert problems('a: "ok\\tfine"\nb: "bell\\a"\n') == [
        (2, "the text holds the control character U+0007 (written as an escape); remove it")
    ]


def test_an_aliased_value_is_shared_and_its_lines_are_where_the_alias_is():
    loaded = load_yaml_text("base: &b\n  x: 1\nitems:\n  - *b\n  - *b\n")
    assert loaded.data["items"][0] is loaded.data["base"]
    assert loaded.line_for(("items", 1, "x")) == 5
    assert loaded.line_for(("base", "x")) == 2


def test_a_duplicate_key_made_by_an_alias_is_reported_where_the_alias_is():
    assert problems("&k a: 1\nb: 2\n*k : 3\n") == [(3, "duplicate key 'a' (first at line 1)")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: *nowhere\n", [(1, "the alias *nowhere names no anchor defined before it")]),
        ("a: &a [1, *a]\n", [(1, "the alias *a is inside its own anchor (a loop)")]),
        (
            "a: &a 1\nb: &a 2\n",
            [(2, "the anchor &a is already defined at line 1; give each anchor its own name")],
        ),
        ("? [a]\n: 1\n", [(1, "a mapping key must be plain text")]),
        ("a: 1\n---\nb: 2\n", [(2, "only one YAML document is allowed; remove the second '---'")]),
    ],
)
def test_alias_anchor_key_and_document_problems(text, expected):
    assert problems(text) == expected


def _values_document(values: int) -> str:
    """A document of exactly `values` values, most of them through aliases."""
    # root mapping, key a, the anchored list (itself + 1000 items), key b, list b: 1005 values
    count, aliases = 1005, []
    while count + 1001 <= values:
        aliases.append("*a")
        count += 1001
    aliases += ["x"] * (values - count)
    return f"a: &a [{','.join(['x'] * 1000)}]\nb: [{','.join(aliases)}]\n"


def test_exactly_max_values_pass_and_one_more_stops_at_that_line():
    assert load_yaml_text(_values_document(MAX_VALUES)).data is not None
    assert problems(_values_document(MAX_VALUES + 1)) == [
        (
            2,
            f"the document holds more than {MAX_VALUES:,} values (keys, values and list items, "
            "each alias counted as what it repeats); shorten it or use fewer aliases",
        )
    ]


def test_nesting_of_max_depth_passes_and_one_level_more_is_refused():
    # The root mapping is level 1, so `a:` holds MAX_DEPTH - 1 more levels.
    inner = MAX_DEPTH - 1
    assert load_yaml_text("a: " + "[" * inner + "]" * inner + "\n").data is not None
    deeper = inner + 1
    assert problems("a: " + "[" * deeper + "]" * deeper + "\n") == [
        (1, f"the YAML is nested more than {MAX_DEPTH} levels deep")
    ]


def test_block_nesting_is_refused_on_the_line_that_goes_too_deep():
    # Line n opens level n: `k0` is a key of the root mapping, `k1` of the one inside it...
    text = "".join(f"{'  ' * i}k{i}:\n" for i in range(60)) + "  " * 60 + "v: 1\n"
    assert problems(text) == [
        (MAX_DEPTH + 1, f"the YAML is nested more than {MAX_DEPTH} levels deep")
    ]


def test_read_source_stops_one_byte_past_the_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (3 * MAX_BYTES))
    assert len(read_source(path)) == MAX_BYTES + 1


def test_decode_source_drops_a_byte_order_mark_from_bytes_and_text():
    assert decode_source(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"
    assert decode_source("\ufeffa: 1\n") == "a: 1\n"


def _read_both(text: str):
    results = []
    for use_libyaml in (True, False):
        try:
            results.append(read_yaml(text, use_libyaml))
        except YamlLoadError as exc:
            results.append([(p.line, p.reason) for p in exc.problems])
    return results


@pytest.mark.parametrize("name", sorted(n for n in CORPUS if n not in {"not-utf8", "too-large"}))
def test_libyaml_and_the_python_parser_read_the_corpus_alike(name):
    """Installations without libyaml get the same data, lines and problems."""
    with_libyaml, without = _read_both(CORPUS[name].source.decode())
    assert repr(with_libyaml) == repr(without)  # repr: nan is not equal to itself


def test_libyaml_and_the_python_parser_read_the_complete_example_alike():
    with_libyaml, without = _read_both((DATA / "complete.yaml").read_text(encoding="utf-8"))
    assert with_libyaml == without and isinstance(with_libyaml, tuple)
