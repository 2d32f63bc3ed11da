"""Read template YAML into plain data plus the line of every key, and parse it into the schema.

YAML 1.1 (PyYAML's default) reads `yes`, `no`, `on` and `off` as booleans, which would turn the
option values of every yes/no question into True/False. Our loader follows YAML 1.2 instead: only
`true` and `false` are booleans. Duplicate keys, which PyYAML silently lets the last one win, and
merge keys (`<<`), which hide where a value came from, are rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from .schema import Template

PathKey = str | int
YamlPath = tuple[PathKey, ...]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})


class _Yaml12BoolLoader(yaml.SafeLoader):
    """SafeLoader whose only booleans are true/false (any case), as in YAML 1.2."""


_Yaml12BoolLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12BoolLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


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


@dataclass(frozen=True)
class LoadedYaml:
    """Plain data from a YAML document and the 1-based line of each key / list item."""

    data: object
    lines: dict[YamlPath, int] = field(default_factory=dict)

    def line_for(self, path: YamlPath) -> int | None:
        """Return the line of the deepest recorded prefix of `path`."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class _Builder:
    def __init__(self, loader: _Yaml12BoolLoader) -> None:
        self.loader = loader
        self.lines: dict[YamlPath, int] = {}
        self.problems: list[YamlProblem] = []
        self._stack: set[int] = set()

    def build(self, node: Node, path: YamlPath) -> object:
        line = node.start_mark.line + 1
        self.lines.setdefault(path, line)
        if id(node) in self._stack:
            self.problems.append(YamlProblem(line, "recursive YAML alias is not allowed"))
            return None
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if node.tag not in _COLLECTION_TAGS:
            self.problems.append(YamlProblem(line, f"unsupported YAML tag '{node.tag}'"))
            return None
        self._stack.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            raise AssertionError(f"unexpected YAML node {node!r}")
        finally:
            self._stack.discard(id(node))

    def scalar(self, node: ScalarNode) -> object:
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError):  # looks like a date or time but is none, 2021-13-45
            self.problems.append(
                YamlProblem(
                    node.start_mark.line + 1,
                    f"'{node.value}' is not a valid date or time (write YYYY-MM-DD, "
                    "or quote it if it is text)",
                )
            )
            return None

    def _mapping(self, node: MappingNode, path: YamlPath) -> dict[object, object]:
        result: dict[object, object] = {}
        first_line: dict[object, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                self.problems.append(
                    YamlProblem(line, "YAML merge keys ('<<') are not supported; write keys out")
                )
                continue
            if not isinstance(key_node, ScalarNode):
                self.problems.append(YamlProblem(line, "a mapping key must be plain text"))
                continue
            key = self.scalar(key_node)
            if key in first_line:
                self.problems.append(
                    YamlProblem(line, f"duplicate key '{key}' (first at line {first_line[key]})")
                )
                continue
            first_line[key] = line
            child: YamlPath = (*path, key if isinstance(key, str | int) else str(key))
            self.lines[child] = line
            result[key] = self.build(value_node, child)
        return result


def _syntax_problem(exc: yaml.YAMLError, text: str) -> YamlProblem:
    if isinstance(exc, ReaderError):  # a control character such as NUL, before any parsing
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        return YamlProblem(
            line, f"YAML cannot hold the control character U+{exc.character:04X}; remove it"
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        parts = [p for p in (exc.context, exc.problem) if p]
        label = "YAML error" if isinstance(exc, ConstructorError) else "YAML syntax error"
        reason = f"{label}: " + ", ".join(parts) if parts else label
        if exc.problem and "mapping values are not allowed" in exc.problem:
            reason += " (quote a value that contains ': ', or check the indentation)"
        elif exc.problem and "<block end>" in exc.problem:
            reason += " (check the indentation)"
        return YamlProblem(mark.line + 1 if mark else None, reason)
    return YamlProblem(None, f"YAML syntax error: {exc}")


def load_yaml_text(text: str) -> LoadedYaml:
    """Read one YAML document, recording lines; raise YamlLoadError on any problem."""
    try:
        loader = _Yaml12BoolLoader(text)
    except yaml.YAMLError as exc:
        raise YamlLoadError([_syntax_problem(exc, text)]) from exc
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None, {(): 1})
        builder = _Builder(loader)
        data = builder.build(node, ())
    except yaml.YAMLError as exc:
        raise YamlLoadError([_syntax_problem(exc, text)]) from exc
    finally:
        loader.dispose()
    if builder.problems:
        raise YamlLoadError(builder.problems)
    return LoadedYaml(data, builder.lines)


def parse_template(loaded: LoadedYaml) -> Template:
    """Parse loaded YAML into a Template; raise pydantic.ValidationError on shape errors."""
    return Template.model_validate(loaded.data)


def load_template_text(text: str) -> Template:
    """Read and parse template YAML without the cross-field rules (see validator for those)."""
    return parse_template(load_yaml_text(text))


def load_template_path(path: str | Path) -> Template:
    """Read and parse a template YAML file without the cross-field rules."""
    return load_template_text(Path(path).read_text(encoding="utf-8"))
