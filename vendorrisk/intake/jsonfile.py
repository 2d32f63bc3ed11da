"""Reading a JSON file someone hands us: bounded in size and depth, errors named by file and
JSON path.

The size is checked before anything is parsed (the CLI reads the file's size from the file
system; the upload routes cap the request body), and the nesting depth is checked before the
schema or any code walks the document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64


@dataclass(frozen=True)
class Problem:
    """Something wrong at one place in one file."""

    file: str
    path: str  # a JSON path ("$.document.tracking.id"), or "$" for the whole file
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.reason}"


class IntakeError(ValueError):
    """A file refused, with every problem found (nothing of it was saved)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def json_path(parts: Iterable[str | int]) -> str:
    """Write a JSON path: $.a.b[3].c"""
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}"
        else:
            text += "[" + json.dumps(part) + "]"
    return text


def refuse(file: str, reason: str, path: str = "$") -> IntakeError:
    """Return the error for one problem."""
    return IntakeError([Problem(file, path, reason)])


def too_large(file: str, size: int, limit: int = MAX_BYTES) -> IntakeError:
    """Return the error for a file over the size limit."""
    return refuse(
        file,
        f"the file is {size / 1024 / 1024:.1f} MiB; at most {limit // 1024 // 1024} MiB "
        "is accepted",
    )


def _depth_problem(data: object) -> str | None:
    stack: list[tuple[object, int, list]] = [(data, 1, [])]
    while stack:
        value, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            return json_path(where)
        if isinstance(value, dict):
            stack.extend((v, depth + 1, [*where, k]) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, [*where, i]) for i, v in enumerate(value))
    return None


@dataclass(frozen=True)
class LoadedJson:
    """A parsed file, with its name and the SHA-256 of its bytes."""

    file: str
    data: object
    sha256: str
    text: str = field(repr=False)


def load_json(raw: bytes, file: str, limit: int = MAX_BYTES) -> LoadedJson:
    """Parse a JSON document; raise IntakeError naming the file and where it is wrong."""
    if len(raw) > limit:
        raise too_large(file, len(raw), limit)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(file, f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise refuse(
            file, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise refuse(file, f"nested deeper than {MAX_DEPTH} levels") from None
    deep = _depth_problem(data)
    if deep is not None:
        raise refuse(file, f"nested deeper than {MAX_DEPTH} levels", deep)
    return LoadedJson(file, data, hashlib.sha256(raw).hexdigest(), text)


def read_file(path: Path, limit: int = MAX_BYTES) -> LoadedJson:
    """Read and parse a JSON file, refusing it by its size before reading it."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise refuse(name, f"cannot be read: {exc.strerror}") from None
    if size > limit:
        raise too_large(name, size, limit)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise refuse(name, f"cannot be read: {exc.strerror}") from None
    return load_json(raw, name, limit)
