"""Build plain data from YAML parser events, with the line of every key and the limits enforced.

PyYAML's composer recurses once per level of nesting and copies nothing for an alias, but
everything that later walks the data does the copying; its resolver follows YAML 1.1. So the
events (from libyaml when PyYAML has it) are built into data here instead:

- nesting stops at MAX_DEPTH before any recursion gets deep; an alias is shared, never copied,
  and the values it stands for are counted against MAX_VALUES, so a "billion laughs" stops at
  the first alias past the budget;
- plain scalars follow the YAML 1.2 core schema: only `true`/`false` are booleans (`yes`, `on`
  stay text), `1e3` and `0x1F` are numbers, `010` is ten, `1.2.3` is text; plain dates stay
  dates; whole numbers beyond what canonical JSON holds are refused;
- explicit tags (`!!str`, `!!python/...`), merge keys (`<<`), duplicate keys and anchors, and
  a second document are refused; a value reached through an alias is reported where the alias
  is used, not where its anchor is.

Sequences become tuples and mappings dicts.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from .limits import MAX_DEPTH, MAX_VALUES, MAX_WHOLE_NUMBER

PathKey = str | int
YamlPath = tuple[PathKey, ...]

NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_DECIMAL = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INFINITY = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = frozenset({".nan", ".NaN", ".NAN"})
_MERGE_KEY = "<<"
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_TIMESTAMPS = SafeConstructor()


@dataclass(frozen=True)
class YamlProblem:
    """Why a YAML document could not be read, and where."""

    line: int | None
    reason: str


class YamlLoadError(Exception):
    """The text is not YAML we accept; `problems` says why and where."""

    def __init__(self, problems: list[YamlProblem]) -> None:
        super().__init__("; ".join(p.reason for p in problems))
        self.problems = problems


class _Limit(Exception):
    """A limit was passed: reading stops at once."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.problem = YamlProblem(line, reason)


@dataclass
class _Anchor:
    line: int
    value: object = None
    values: int = 0  # what the anchored node counts against MAX_VALUES
    height: int = 0  # levels of nesting inside it (a scalar has none)
    done: bool = False


class _PythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own event parser, for installations without libyaml."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def event_parser(text: str, use_libyaml: bool = yaml.__with_libyaml__) -> Any:
    """Return a YAML event parser over the text (libyaml's when available: several times faster)."""
    return yaml.cyaml.CParser(text) if use_libyaml else _PythonParser(text)


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_YAML_TAG_PREFIX) :] if tag.startswith(_YAML_TAG_PREFIX) else tag


class Builder:
    """Build plain data from parser events, recording lines and enforcing the limits."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.lines: dict[YamlPath, int] = {}
        self.problems: list[YamlProblem] = []
        self.anchors: dict[str, _Anchor] = {}
        self.values = 0  # values read so far, each alias counted as what it repeats
        self.deepest = 0  # the deepest level reached (within the anchor being read, if any)

    def problem(self, line: int, reason: str) -> None:
        """Note a problem and carry on reading."""
        self.problems.append(YamlProblem(line, reason))

    def over_budget(self, line: int) -> _Limit:
        """The error for a document past MAX_VALUES."""
        return _Limit(
            line,
            f"the document holds more than {MAX_VALUES:,} values (keys, values and list "
            "items, each alias counted as what it repeats); shorten it or use fewer aliases",
        )

    def document(self) -> object:
        """Read the one document of the stream (None when there is none)."""
        self.parser.get_event()  # stream start
        if self.parser.check_event(StreamEndEvent):
            return None
        self.parser.get_event()  # document start
        data = self.node((), 1)
        self.parser.get_event()  # document end
        if self.parser.check_event(DocumentStartEvent):
            line = self.parser.peek_event().start_mark.line + 1
            self.problem(line, "only one YAML document is allowed; remove the second '---'")
        return data

    def node(self, path: YamlPath | None, depth: int) -> object:
        """Read one node at `path` (None: record no lines) and `depth` (the root is 1)."""
        event = self.parser.get_event()
        line = event.start_mark.line + 1
        if path is not None:
            self.lines.setdefault(path, line)
        kind = type(event)
        if kind is ScalarEvent and event.anchor is None and event.tag is None:  # most nodes
            self.values += 1
            if self.values > MAX_VALUES:
                raise self.over_budget(line)
            return self.scalar(event, line)
        if kind is AliasEvent:
            return self.alias(event.anchor, line, depth)
        if event.tag is not None:
            self.problem(
                line,
                f"explicit YAML tags ('{_tag_name(event.tag)}') are not accepted; write the value "
                "without one (in quotes if it is text)",
            )
        if kind is not ScalarEvent and depth > MAX_DEPTH:
            raise _Limit(line, f"the YAML is nested more than {MAX_DEPTH} levels deep")
        anchor = self.define(event.anchor, line) if event.anchor is not None else None
        values_before, deepest_before = self.values, self.deepest
        self.deepest = depth - 1
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.over_budget(line)
        value: object
        if kind is ScalarEvent:
            value = self.scalar(event, line)
        elif kind is SequenceStartEvent:
            self.deepest = depth
            value = self.sequence(path, depth)
        else:
            self.deepest = depth
            value = self.mapping(path, depth)
        if anchor is not None:
            anchor.value, anchor.done = value, True
            anchor.values = self.values - values_before
            anchor.height = self.deepest - depth + 1
        self.deepest = max(self.deepest, deepest_before)
        return value

    def define(self, name: str, line: int) -> _Anchor | None:
        """Start an anchor (a second one of the same name is refused)."""
        earlier = self.anchors.get(name)
        if earlier is not None:
            self.problem(
                line,
                f"the anchor &{name} is already defined at line {earlier.line}; "
                "give each anchor its own name",
            )
            return None
        anchor = self.anchors[name] = _Anchor(line)
        return anchor

    def alias(self, name: str, line: int, depth: int) -> object:
        """Share the anchored value, counting what it repeats and how deep it nests."""
        anchor = self.anchors.get(name)
        if anchor is None:
            self.problem(line, f"the alias *{name} names no anchor defined before it")
            return None
        if not anchor.done:
            self.problem(line, f"the alias *{name} is inside its own anchor (a loop)")
            return None
        reaches = depth + anchor.height - 1
        if reaches > MAX_DEPTH:
            raise _Limit(
                line, f"the alias *{name} nests the YAML more than {MAX_DEPTH} levels deep"
            )
        self.deepest = max(self.deepest, reaches)
        self.values += anchor.values
        if self.values > MAX_VALUES:
            raise self.over_budget(line)
        return anchor.value

    def sequence(self, path: YamlPath | None, depth: int) -> tuple[object, ...]:
        """Read the items of a sequence into a tuple."""
        items: list[object] = []
        check_event, node = self.parser.check_event, self.node
        while not check_event(SequenceEndEvent):
            items.append(node(None if path is None else (*path, len(items)), depth + 1))
        self.parser.get_event()
        return tuple(items)

    def mapping(self, path: YamlPath | None, depth: int) -> dict[object, object]:
        """Read a mapping into a dict; each key's line is its value's line."""
        result: dict[object, object] = {}
        first_line: dict[object, int] = {}
        check_event, peek_event = self.parser.check_event, self.parser.peek_event
        while not check_event(MappingEndEvent):
            key_event = peek_event()
            line = key_event.start_mark.line + 1
            plain = type(key_event) is ScalarEvent and key_event.implicit[0]
            if plain and key_event.value == _MERGE_KEY:
                self.node(None, depth + 1)
                self.problem(line, "YAML merge keys ('<<') are not supported; write keys out")
                self.node(None, depth + 1)
                continue
            key = self.node(None, depth + 1)
            if isinstance(key, dict | tuple):
                self.node(None, depth + 1)
                self.problem(line, "a mapping key must be plain text")
                continue
            if key in first_line:
                self.node(None, depth + 1)
                self.problem(line, f"duplicate key '{key}' (first at line {first_line[key]})")
                continue
            first_line[key] = line
            child = None
            if path is not None:
                child = (*path, key if isinstance(key, str | int) else str(key))
                self.lines[child] = line
            result[key] = self.node(child, depth + 1)
        self.parser.get_event()
        return result

    def scalar(self, event: ScalarEvent, line: int) -> object:
        """Return a scalar's value: quoted and block text as is, plain text typed."""
        value: str = event.value
        if not event.implicit[0]:  # quoted or block text (or tagged, refused above): a string
            found = NON_PRINTABLE.search(value) if event.style == '"' else None
            if found is not None:
                self.problem(
                    line,
                    f"the text holds the control character U+{ord(found.group()):04X} "
                    "(written as an escape); remove it",
                )
            return value
        return self.resolve(value, line)

    def resolve(self, value: str, line: int) -> object:
        """Type a plain scalar as the YAML 1.2 core schema does (plus YAML dates)."""
        if value in _NULLS:
            return None
        if value in _BOOLS:
            return _BOOLS[value]
        first = value[0]
        if not (first.isdigit() or first in "+-."):
            return value
        if _DECIMAL.fullmatch(value) or value.startswith(("0x", "0o")):
            number = self.whole_number(value, line)
            if number is not None:
                return number
        if _FLOAT.fullmatch(value):
            return float(value)
        if _INFINITY.fullmatch(value):
            return float("-inf") if first == "-" else float("inf")
        if value in _NAN:
            return float("nan")
        if _TIMESTAMPS.timestamp_regexp.match(value):
            return self.timestamp(value, line)
        return value

    def whole_number(self, value: str, line: int) -> int | None:
        """Return a whole number (None if it is text such as 0xZZ); note it if too large."""
        digits = value.lstrip("+-")
        try:
            if digits.startswith("0x"):
                number = int(digits[2:], 16)
            elif digits.startswith("0o"):
                number = int(digits[2:], 8)
            else:
                # int() of a long digit string is slow; 17 digits are too many anyway.
                number = int(digits) if len(digits.lstrip("0")) <= 17 else MAX_WHOLE_NUMBER + 1
        except ValueError:
            return None
        if number > MAX_WHOLE_NUMBER:
            shown = value if len(value) <= 24 else value[:21] + "..."
            self.problem(
                line, f"the number {shown} is too large; whole numbers may be at most 2^53 - 1"
            )
        return -number if value.startswith("-") else number

    def timestamp(self, value: str, line: int) -> object:
        """Return the date (or date and time) a plain scalar spells, or note that it is none."""
        node = ScalarNode(_YAML_TAG_PREFIX + "timestamp", value)
        try:
            stamp: datetime.date = _TIMESTAMPS.construct_yaml_timestamp(node)
        except (ValueError, OverflowError):  # 2021-13-45 looks like a date but is none
            self.problem(
                line,
                f"'{value}' is not a valid date or time (write YYYY-MM-DD, "
                "or quote it if it is text)",
            )
            return None
        return stamp


def syntax_problem(exc: yaml.YAMLError, text: str) -> YamlProblem:
    """Turn a parser error into a problem on the line to look at."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return YamlProblem(None, f"YAML syntax error: {exc}")
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    if "maximum nesting depth" in problem:  # libyaml's own cap (1000), reached while looking ahead
        line = mark.line + 1 if mark else None
        return YamlProblem(line, f"the YAML is nested more than {MAX_DEPTH} levels deep")
    if exc.context_mark is not None and (mark is None or mark.line >= text.count("\n")):
        # Something opened is never closed: where it opened is where to look, not the end.
        line = exc.context_mark.line + 1
        if "quoted scalar" in context:
            return YamlProblem(
                line, "YAML syntax error: the quoted text that starts here is never closed"
            )
        if "flow sequence" in context or "flow mapping" in context:
            bracket = "[" if "sequence" in context else "{"
            return YamlProblem(line, f"YAML syntax error: the '{bracket}' here is never closed")
        mark = exc.context_mark
    reason = "YAML syntax error: " + ", ".join(p for p in (context, problem) if p)
    if "mapping values are not allowed" in problem:
        reason += " (quote a value that contains ': ', or check the indentation)"
    elif "<block end>" in problem:
        reason += " (check the indentation)"
    return YamlProblem(mark.line + 1 if mark else None, reason)


def read_yaml(
    text: str, use_libyaml: bool = yaml.__with_libyaml__
) -> tuple[object, dict[YamlPath, int]]:
    """Return the data of one YAML document and the line of every path in it.

    Raise YamlLoadError with every problem found (reading stops at a syntax error or a limit).
    """
    found = NON_PRINTABLE.search(text)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        reason = f"YAML cannot hold the control character U+{ord(found.group()):04X}; remove it"
        raise YamlLoadError([YamlProblem(line, reason)])
    parser = event_parser(text, use_libyaml)
    builder = Builder(parser)
    try:
        data = builder.document()
    except _Limit as exc:
        builder.problems.append(exc.problem)
    except yaml.YAMLError as exc:
        builder.problems.append(syntax_problem(exc, text))
    finally:
        parser.dispose()
    if builder.problems:
        raise YamlLoadError(sorted(builder.problems, key=lambda p: p.line or 0))
    return data, builder.lines
