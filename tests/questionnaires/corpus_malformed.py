"""Malformed templates, each with the exact errors (line, message) every door must report.

Lines are found by the `# <-` marker (see helpers_questionnaires.marked_line) where the case has
a single line to point at, so a case and its expected line cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers_questionnaires import MARK, marked_line, template

Expected = list[tuple[int | None, str]]


@dataclass(frozen=True)
class Case:
    """A malformed template file and the errors it must get, in order."""

    source: bytes
    errors: Expected


def _q_a_with(extra: str) -> str:
    """The valid template with `extra` lines added to question q_a (after its category)."""
    return template().replace(
        "        category: security\n", f"        category: security\n{extra}", 1
    )


def _marked(text: str, reason: str) -> Case:
    return Case(text.encode(), [(marked_line(text), reason)])


def _billion_laughs() -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]")
    lines[5] += f"  {MARK} a5 would stand for 597,871 values"
    return "\n".join(lines) + "\n"


def _deep_alias() -> str:
    # `a` is 30 lists deep; `b` puts it inside 10 more, under the root: level 41. Small text.
    inner = "[" * 30 + "x" + "]" * 30
    return f"a: &a {inner}\nb: &b {'[' * 10}*a{']' * 10}  {MARK}\nc: [*b, *b]\n"


def _show_if(depth: int) -> str:
    """q_b with a show_if of `depth` conditions: `not` inside `not` around a question test."""
    lines = ["      - id: q_b", "        text: B", "        type: text", "        show_if:"]
    indent = 10
    for _ in range(depth - 1):
        lines.append(" " * indent + "not:")
        indent += 2
    lines.append(" " * indent + "question: q_a")
    lines.append(" " * indent + 'in: ["yes"]')
    return template("\n".join(lines) + "\n")


def _show_if_150() -> str:
    text = _show_if(150)
    # The show_if mapping (level 6 of the YAML) starts on the line after `show_if:`; each `not`
    # below it opens the next level, so level 41 starts 36 lines after `show_if:`.
    lines = text.splitlines()
    at = lines.index("        show_if:") + 36
    lines[at] += f"  {MARK}"
    return "\n".join(lines) + "\n"


def _show_if_11() -> str:
    return _show_if(11).replace("        show_if:\n", f"        show_if:  {MARK}\n")


def _duplicate_through_alias() -> str:
    return template(
        f"      - &b\n        id: q_b\n        text: B\n        type: text\n      - *b  {MARK}\n"
    )


def _two_huge_weights() -> Case:
    text = template(
        "      - id: q_b\n        text: B?\n        type: yes_no\n"
        '        options: [{value: "yes", label: "Yes", score: 100}, {value: "no", label: "No", score: 0}]\n'
        "        category: security\n        weight: 1e308\n"
        "        finding_title: Gap B\n        remediation: Fix.\n        frameworks: [F1]\n"
    ).replace(
        "        category: security\n", "        category: security\n        weight: 1e308\n", 1
    )
    lines = [i for i, line in enumerate(text.splitlines(), 1) if "weight: 1e308" in line]
    reason = "weight must be at most 1000 (got 1e+308)"
    return Case(
        text.encode(),
        [(lines[0], f"question q_a: {reason}"), (lines[1], f"question q_b: {reason}")],
    )


def _show_if_chain(length: int = 1500) -> Case:
    """Each question's show_if names the next (later) one: 1,499 errors, and a walk that once
    recursed once per link (past Python's recursion limit)."""
    first = (
        '      - {id: q1, text: Q, type: yes_no, weight: 0, show_if: {question: q2, in: ["yes"]}, '
        'options: &yn [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]}\n'
    )
    rest = "".join(
        f"      - {{id: q{i}, text: Q, type: yes_no, weight: 0, options: *yn, show_if: "
        f'{{question: q{i + 1}, in: ["yes"]}}}}\n'
        for i in range(2, length)
    )
    last = f"      - {{id: q{length}, text: Q, type: yes_no, weight: 0, options: *yn}}\n"
    text = template(first + rest + last)
    start = text.splitlines().index(first.rstrip("\n")) + 1
    errors: Expected = [
        (start + i - 1, f"question q{i}: show_if refers to later question q{i + 1}")
        for i in range(1, 201)
    ]
    errors.append((None, f"{length - 1 - 200} more error(s) not listed; fix these first"))
    return Case(text.encode(), errors)


def _condition_key_values() -> Case:
    """`values` (the Python field name) instead of `in` in a question condition."""
    text = template(
        "      - id: q_b\n        text: B\n        type: text\n"
        f'        show_if: {{question: q_a, values: ["yes"]}}  {MARK}\n'
    )
    line = marked_line(text)
    return Case(
        text.encode(),
        [
            (line, "question q_b: missing required key 'in'"),
            (
                line,
                "question q_b: unknown key 'values' in a question condition "
                "(allowed: question, in)",
            ),
        ],
    )


def _not_utf8() -> bytes:
    text = template().replace("title: T\n", f"title: Caf\x00  {MARK}\n")
    return text.encode().replace(b"\x00", b"\xe9")


CORPUS: dict[str, Case] = {
    "billion-laughs": _marked(
        _billion_laughs(),
        "the document holds more than 250,000 values (keys, values and list items, each alias "
        "counted as what it repeats); shorten it or use fewer aliases",
    ),
    "alias-nesting": _marked(_deep_alias(), "the alias *a nests the YAML more than 40 levels deep"),
    "flow-nesting-10000": Case(
        ("id: " + "[" * 10000 + "]" * 10000 + "\n").encode(),
        [(1, "the YAML is nested more than 40 levels deep")],
    ),
    "show-if-150": _marked(_show_if_150(), "the YAML is nested more than 40 levels deep"),
    "show-if-11": _marked(
        _show_if_11(),
        "question q_b: show_if is nested 11 conditions deep; conditions may be nested at most "
        "10 deep",
    ),
    "show-if-chain": _show_if_chain(),
    "weight-nan": _marked(
        _q_a_with(f"        weight: .nan  {MARK}\n"),
        "question q_a: weight must be a finite number (got nan)",
    ),
    "weight-inf": _marked(
        _q_a_with(f"        weight: .inf  {MARK}\n"),
        "question q_a: weight must be a finite number (got inf)",
    ),
    "weights-1e308": _two_huge_weights(),
    "explicit-str-tag": _marked(
        template().replace("title: T\n", f"title: !!str T  {MARK}\n"),
        "explicit YAML tags ('!!str') are not accepted; write the value without one "
        "(in quotes if it is text)",
    ),
    "critical-yes": _marked(
        _q_a_with(f"        critical: yes  {MARK}\n"),
        "question q_a: critical must be true or false (got 'yes')",
    ),
    "weight-quoted": _marked(
        _q_a_with(f'        weight: "2"  {MARK}\n'),
        "question q_a: weight must be a number (got '2'); write it without quotes",
    ),
    "id-trailing-newline": _marked(
        template().replace("      - id: q_a\n", f'      - id: "q_a\\n"  {MARK}\n', 1),
        "id: 'q_a\\n' is not a valid identifier: use lowercase letters, digits and '_', "
        "starting with a letter",
    ),
    "blank-framework": _marked(
        template().replace("frameworks: [F1]", f'frameworks: [" "]  {MARK}'),
        "question q_a: frameworks[0] must not be blank",
    ),
    "condition-key-values": _condition_key_values(),
    "not-utf8": Case(
        _not_utf8(),
        [
            (
                marked_line(_not_utf8().decode("latin-1")),
                "the file is not UTF-8 text: byte 0xE9 in column 11 cannot be read; "
                "save the file as UTF-8",
            )
        ],
    ),
    "unclosed-quote": _marked(
        template().replace("title: T\n", f"title: 'T  {MARK}\n"),
        "YAML syntax error: the quoted text that starts here is never closed",
    ),
    "duplicate-through-alias": _marked(_duplicate_through_alias(), "duplicate question id 'q_b'"),
    "too-large": Case(
        (template() + "#" + "x" * (512 * 1024) + "\n").encode(),
        [(None, "the file is larger than 512 KiB, the most it may be")],
    ),
}
