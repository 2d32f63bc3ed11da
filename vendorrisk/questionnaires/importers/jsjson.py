"""Read the JavaScript-flavoured JSON Google publishes VSAQ questionnaires in.

Accepted beyond JSON: `//` and `/* */` comments outside strings (the licence header), and
string literals joined with `+` ("a" + "b"). Anything else that is not JSON (trailing commas,
single quotes, unquoted keys, expressions) is refused with its line and column. Duplicate keys
and NaN/Infinity are refused too.
"""

from __future__ import annotations

import json
from typing import Any


class JsJsonError(ValueError):
    """The text is not JSON we accept; `line` and `column` say where (1-based)."""

    def __init__(self, line: int, column: int, reason: str):
        super().__init__(f"line {line}, column {column}: {reason}")
        self.line, self.column, self.reason = line, column, reason


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _skip_blank(text: str, i: int, out: list[str]) -> int:
    """Skip whitespace and comments from i; keep line breaks so lines keep their numbers."""
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                raise JsJsonError(*_position(text, i), "a /* comment is never closed")
            out.append("\n" * text.count("\n", i, end))
            i = end + 2
        else:
            break
    return i


def to_json(text: str) -> str:
    """Return plain JSON text: comments removed and `+`-joined strings made one string."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        i = _skip_blank(text, i, out)
        if i >= n:
            break
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n":
                    raise JsJsonError(*_position(text, i), "a string is not closed on its line")
                j += 1
            if j >= n:
                raise JsJsonError(*_position(text, i), "a string is never closed")
            out.append(text[i : j + 1])
            i = j + 1
            continue
        if ch == "+":
            joined: list[str] = []
            k = _skip_blank(text, i + 1, joined)
            last = "".join(out).rstrip()
            if not last.endswith('"') or k >= n or text[k] != '"':
                raise JsJsonError(*_position(text, i), "'+' may only join two strings")
            # Drop the closing quote before '+' and the opening quote after it.
            while out and not out[-1].strip():
                out.pop()
            out[-1] = out[-1][:-1]
            i = k + 1
            j = i
            while j < n and text[j] != '"':
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n":
                    raise JsJsonError(*_position(text, k), "a string is not closed on its line")
                j += 1
            if j >= n:
                raise JsJsonError(*_position(text, k), "a string is never closed")
            out.append(text[i : j + 1])
            # The line breaks around '+' go after the joined string, so lines keep their numbers.
            out.append("\n" * "".join(joined).count("\n"))
            i = j + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def loads(text: str) -> Any:
    """Parse JavaScript-flavoured JSON; raise JsJsonError with the line and column at fault."""
    plain = to_json(text)
    try:
        return json.loads(plain, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise JsJsonError(exc.lineno, exc.colno, exc.msg) from exc
    except ValueError as exc:
        raise JsJsonError(1, 1, str(exc)) from exc
