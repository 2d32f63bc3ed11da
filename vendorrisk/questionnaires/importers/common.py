"""What every importer shares: problems with their place, identifiers, and the finished draft."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from vendorrisk.core.text import shortened
from vendorrisk.questionnaires.schema import FINDING_TITLE_MAX
from vendorrisk.questionnaires.validator import check_source

MAX_LISTED = 200  # problems listed per import, then how many more
_NOT_ID = re.compile(r"[^a-z0-9]+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_ID_LENGTH = 100


@dataclass(frozen=True)
class Problem:
    """One reason an import is refused, or one note on what it could not carry over."""

    where: str  # "questions.xlsx!B7", "item webapp_tip", "MAPPING.yaml:4"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class ImportRefused(ValueError):
    """The input cannot be imported; nothing was created. `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        shown = problems[:MAX_LISTED]
        more = len(problems) - len(shown)
        if more > 0:
            shown = [*shown, Problem("", f"and {more} more problem(s)")]
        super().__init__("; ".join(str(p) for p in shown))
        self.problems = shown


def refuse(where: str, reason: str) -> ImportRefused:
    """Return the refusal of a whole file for one reason."""
    return ImportRefused([Problem(where, reason)])


@dataclass
class Converted:
    """An import's result: our template YAML, checked, and notes on what was not carried over."""

    yaml_text: str
    title: str
    questions: int
    notes: list[Problem] = field(default_factory=list)


def identifier(raw: str) -> str:
    """Turn a source id ("A&A-01.1", "webapp-tip") into our question id ("a_a_01_1").

    Lower-case letters, digits and '_', starting with a letter ("q_" is put before a digit).
    The same source id always gives the same identifier.
    """
    text = _NOT_ID.sub("_", raw.strip().lower()).strip("_")
    if text and not text[0].isalpha():
        text = "q_" + text
    return text


def finding_title(source_id: str, text: str) -> str:
    """Return the finding title of an imported scored question that brings none of its own.

    Its id as the source writes it and a short form of its text, within the format's limit
    ("A&A-01.1: Is an audit policy written and reviewed every year?"): the finding then names
    the question it comes from, and the composer shows it for editing.
    """
    return shortened(f"{source_id.strip()}: {text}", FINDING_TITLE_MAX)


def option_value(raw: str) -> str:
    """Turn a choice id or label into an option value ("In progress" -> "in_progress")."""
    return _NOT_ID.sub("_", raw.strip().lower()).strip("_")


def slug(raw: str) -> str:
    """Turn a file name or title into a template id ("CAIQ v4.0.3.xlsx" -> "caiq-v4-0-3")."""
    return _NOT_SLUG.sub("-", raw.strip().lower()).strip("-")[:120].strip("-")


class IdRegistry:
    """Question ids handed out so far, each with the place it came from, to refuse duplicates."""

    def __init__(self) -> None:
        self.places: dict[str, str] = {}
        self.raw: dict[str, str] = {}

    def claim(self, raw: str, where: str, problems: list[Problem]) -> str | None:
        """Return the identifier of `raw`, or None (with a problem) if it is empty or taken."""
        if not raw.strip():
            problems.append(Problem(where, "the question id is empty"))
            return None
        qid = identifier(raw)
        if not qid:
            problems.append(
                Problem(where, f"the question id {raw.strip()[:60]!r} has no letter or digit")
            )
            return None
        if len(qid) > MAX_ID_LENGTH:
            problems.append(
                Problem(where, f"the question id is longer than {MAX_ID_LENGTH} characters")
            )
            return None
        if qid in self.places:
            first = self.raw[qid]
            same = first == raw.strip()
            what = f"duplicate question id {raw.strip()!r}" + (
                "" if same else f" (it becomes {qid!r}, as {first!r} does)"
            )
            problems.append(Problem(where, f"{what}; first used at {self.places[qid]}"))
            return None
        self.places[qid] = where
        self.raw[qid] = raw.strip()
        return qid

    def reserve(self, qid: str, where: str) -> None:
        """Record an id the importer made up itself (no problem can arise)."""
        self.places.setdefault(qid, where)
        self.raw.setdefault(qid, qid)


# libyaml's emitter when PyYAML has it: a thousand imported questions take seconds in pure Python.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(data: dict[str, Any]) -> str:
    """Write template data as YAML, keys in the order given (as the composer writes drafts)."""
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def finish(
    data: dict[str, Any],
    places: dict[str, str],
    filename: str,
    notes: list[Problem] | None = None,
) -> Converted:
    """Write template data as YAML and check it with the validator; refuse it on any error.

    Validator messages about a question are reported at the place the question came from.
    """
    text = dump(data)
    checked = check_source(text, filename)
    if checked.errors or checked.template is None:
        problems = [
            Problem(
                places.get(e.question_id or "", filename)
                + (f" (question {e.question_id})" if e.question_id else ""),
                e.reason,
            )
            for e in checked.errors
        ]
        raise ImportRefused(problems or [Problem(filename, "the result is not a valid template")])
    return Converted(
        yaml_text=text,
        title=checked.template.title,
        questions=len(list(checked.template.questions())),
        notes=list(notes or []),
    )
