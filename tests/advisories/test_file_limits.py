"""Advisory files are read by the questionnaire loader, under the same limits and with the same
messages: an alias bomb, deep nesting, an explicit tag, a non-UTF-8 byte, an unclosed quote or
an oversized file in an advisory gets what it would get in a template (lines counted in the file)."""

import pytest
from sqlalchemy import func, select

from vendorrisk.advisories.models import Advisory
from vendorrisk.extensions import db

GOOD = """\
---
slug: sample-advisory
title: Sample
publisher: Acme
published: 2021-01-12
severity: high
summary: Something happened.
---
Body.
"""


def _with(extra: str) -> str:
    return GOOD.replace("summary: Something happened.\n", f"summary: Something happened.\n{extra}")


BOMB = "".join(
    [
        'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *(f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)),
    ]
)

CASES = {
    # front matter starts on line 2; the bomb's sixth line (line 13 of the file) passes the budget
    "alias-bomb": (
        _with(BOMB).encode(),
        13,
        "the document holds more than 250,000 values (keys, values and list items, each "
        "alias counted as what it repeats); shorten it or use fewer aliases",
    ),
    "deep-nesting": (
        _with("x: " + "[" * 5000 + "]" * 5000 + "\n").encode(),
        8,
        "the YAML is nested more than 40 levels deep",
    ),
    "explicit-tag": (
        GOOD.replace("title: Sample", "title: !!str Sample").encode(),
        3,
        "explicit YAML tags ('!!str') are not accepted; write the value without one "
        "(in quotes if it is text)",
    ),
    "not-utf8": (
        GOOD.replace("publisher: Acme", "publisher: Acm\x00").encode().replace(b"\x00", b"\xe9"),
        4,
        "the file is not UTF-8 text: byte 0xE9 in column 15 cannot be read; save the file as UTF-8",
    ),
    "unclosed-quote": (
        GOOD.replace("title: Sample", "title: 'Sample").encode(),
        3,
        "YAML syntax error: the quoted text that starts here is never closed",
    ),
    "too-large": (
        (GOOD + "x" * (512 * 1024)).encode(),
        None,
        "the file is larger than 512 KiB, the most it may be",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_and_sync_refuse_with_the_loaders_message_and_line(runner, tmp_path, name):
    source, line, reason = CASES[name]
    folder = tmp_path / "advisories"
    folder.mkdir()
    path = folder / "sample-advisory.md"
    path.write_bytes(source)
    for args in (
        ["advisories", "validate", str(path)],
        ["advisories", "sync", "--dir", str(folder)],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, result.output
        printed = [line for line in result.output.splitlines() if line.startswith(str(path))]
        assert printed == [f"{path}:{line}: {reason}" if line else f"{path}: {reason}"]
    assert db.session.scalar(select(func.count()).select_from(Advisory)) == 0


def test_anchors_and_aliases_work_in_front_matter_as_in_templates(runner, tmp_path):
    folder = tmp_path / "advisories"
    folder.mkdir()
    path = folder / "sample-advisory.md"
    text = GOOD.replace("title: Sample", "title: &t Sample").replace(
        "summary: Something happened.", "summary: *t"
    )
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["advisories", "validate", str(path)])
    assert result.exit_code == 0, result.output
