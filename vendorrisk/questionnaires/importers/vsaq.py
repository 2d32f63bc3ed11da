"""Google VSAQ questionnaires (JSON) to our template (docs/import-formats.md).

The questionnaire is one root block; each block directly inside it becomes a section, and
deeper blocks are flattened into their section, their `cond` joined to each question's. Items:
yesno and check become yes/no questions, radiogroup single choice, checkgroup multiple choice,
line text, box long text, upload evidence; info text introduces the next question (or becomes
its text when that is a group without one); a tip asking "why" becomes a long-text question, and
other tips the help of the question before them. `cond` becomes show_if. What cannot be carried
over is reported by item id, as an error (nothing is imported) or, where the question itself
is still asked faithfully enough, as a note beside the new draft.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import nh3

from . import vsaqcond
from .common import (
    Converted,
    IdRegistry,
    ImportRefused,
    Problem,
    finish,
    identifier,
    option_value,
    refuse,
)
from .common import slug as make_slug
from .jsjson import JsJsonError, loads

MAX_BYTES = 2 * 1024 * 1024
MAX_ITEMS = 5000
NONE_OF_THE_ABOVE = "None of the above."  # VSAQ's default choice
QUESTION_TYPES = {
    "yesno": "yes_no",
    "check": "yes_no",
    "radiogroup": "single_choice",
    "checkgroup": "multi_choice",
    "line": "text",
    "box": "long_text",
    "upload": "evidence",
}
KNOWN_TYPES = frozenset({*QUESTION_TYPES, "block", "info", "tip", "spacer", "radio"})


def plain(text: Any) -> str:
    """Return VSAQ's HTML text as plain text."""
    if not isinstance(text, str):
        return ""
    return " ".join(html.unescape(nh3.clean(text, tags=set())).split())


@dataclass
class _Item:
    raw: dict
    kind: str
    source_id: str | None
    where: str
    conds: list[tuple[str, str]]  # (cond, where) of the enclosing blocks, outermost first
    section: int
    question_id: str | None = None
    options: dict[str, str] = field(default_factory=dict)  # choice id -> option value
    broken: bool = False  # its id is empty or taken (already reported)


@dataclass
class _Choice:
    group: _Item
    value: str


class _Converter:
    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[Problem] = []
        self.notes: list[Problem] = []
        self.items: list[_Item] = []
        self.by_id: dict[str, _Item | _Choice] = {}
        self.sections: list[dict[str, Any]] = []
        self.visibility: dict[str, vsaqcond.Condition] = {}
        self.count = 0
        self.ids = IdRegistry()

    # --- reading the tree ---------------------------------------------------------------------

    def where(self, raw: dict, kind: str) -> str:
        ident = raw.get("id")
        if isinstance(ident, str) and ident:
            return f"item {ident}"
        text = plain(raw.get("text"))[:40]
        return f"item #{self.count} ({kind}{': ' + repr(text) if text else ''})"

    def walk(self, items: Any, conds: list[tuple[str, str]], section: int, where: str) -> None:
        if not isinstance(items, list):
            self.errors.append(Problem(where, "'items' must be a list"))
            return
        for raw in items:
            self.count += 1
            if self.count > MAX_ITEMS:
                raise refuse(self.filename, f"the questionnaire has more than {MAX_ITEMS} items")
            if not isinstance(raw, dict):
                self.errors.append(Problem(f"item #{self.count}", "an item must be an object"))
                continue
            kind = raw.get("type")
            here = self.where(raw, str(kind))
            if kind not in KNOWN_TYPES:
                self.errors.append(Problem(here, f"unknown item type {kind!r}"))
                continue
            cond = raw.get("cond")
            if cond is not None and not isinstance(cond, str):
                self.errors.append(Problem(here, "'cond' must be a string"))
                cond = None
            if kind == "block":
                self.add(_Item(raw, kind, raw.get("id"), here, conds, max(section, 0)))
                inner = [*conds, (cond, here)] if cond else conds
                if section < 0:  # a block directly in the root: a section of its own
                    self.sections.append({"title": plain(raw.get("text")), "where": here})
                    self.walk(raw.get("items", []), inner, len(self.sections) - 1, here)
                else:
                    heading = plain(raw.get("text"))
                    if heading:
                        info = {"type": "info", "text": heading}
                        self.items.append(_Item(info, "info", None, here, inner, section))
                    self.walk(raw.get("items", []), inner, section, here)
                continue
            if section < 0:  # an item directly in the root block
                if not self.sections or self.sections[-1].get("root") is not True:
                    self.sections.append({"title": "", "where": here, "root": True})
                section = len(self.sections) - 1
                item = _Item(raw, kind, raw.get("id"), here, conds, section)
                section = -1
            else:
                item = _Item(raw, kind, raw.get("id"), here, conds, section)
            self.items.append(item)
            self.add(item)
            if kind in ("radiogroup", "checkgroup"):
                self.choices(item)

    def add(self, item: _Item) -> None:
        ident = item.raw.get("id")
        if ident is None:
            return
        if not isinstance(ident, str) or not ident.strip():
            self.errors.append(Problem(item.where, "the item's id is empty"))
            item.broken = True
            return
        if ident in self.by_id:
            self.errors.append(Problem(item.where, f"duplicate id {ident!r}"))
            item.broken = True
            return
        self.by_id[ident] = item

    def choices(self, item: _Item) -> None:
        raw = item.raw.get("choices")
        if not isinstance(raw, list) or not raw:
            self.errors.append(Problem(item.where, "a group needs a list of choices"))
            return
        for n, choice in enumerate(raw, start=1):
            if not isinstance(choice, dict) or len(choice) != 1:
                self.errors.append(
                    Problem(item.where, f"choice {n} must be an object with one id and its text")
                )
                continue
            ((cid, _text),) = choice.items()
            value = option_value(cid)
            if not value or not value[0].isalnum():
                self.errors.append(Problem(item.where, f"choice {cid!r} has no usable id"))
                continue
            if cid in self.by_id or value in item.options.values():
                self.errors.append(Problem(item.where, f"duplicate id {cid!r}"))
                continue
            item.options[cid] = value
            self.by_id[cid] = _Choice(item, value)

    # --- conditions ---------------------------------------------------------------------------

    def resolve(self, name: str, seen: frozenset[str]) -> vsaqcond.Condition:
        if name == "false":
            return False
        visible = name.startswith("^")
        ref = name[1:] if visible else name
        suffix = ""
        for end in ("/yes", "/no", "/value"):
            if ref.endswith(end):
                ref, suffix = ref[: -len(end)], end
        target = self.by_id.get(ref)
        if target is None:
            raise KeyError(f"the condition names {name!r}, which is no item of the questionnaire")
        if suffix == "/value":
            raise vsaqcond.Unsupported(f"'{name}' compares an answer's text")
        if visible:
            item = target.group if isinstance(target, _Choice) else target
            return self.shown(item, seen)
        if isinstance(target, _Choice):
            cond: vsaqcond.Condition = {"question": target.group.question_id, "in": [target.value]}
            return vsaqcond.negate(cond) if suffix == "/no" else cond
        if target.question_id is None or target.kind not in (
            "yesno",
            "check",
            "radiogroup",
            "checkgroup",
        ):
            raise vsaqcond.Unsupported(
                f"'{name}' tests a {target.kind} item; show_if can only test choices"
            )
        if target.kind in ("radiogroup", "checkgroup"):
            if suffix:
                raise vsaqcond.Unsupported(f"'{name}' tests a group with {suffix}")
            return {"question": target.question_id, "in": list(target.options.values())}
        if target.kind == "check" and suffix == "/no":
            return vsaqcond.negate({"question": target.question_id, "in": ["yes"]})
        return {"question": target.question_id, "in": ["no" if suffix == "/no" else "yes"]}

    def condition(self, cond: str, where: str, seen: frozenset[str]) -> vsaqcond.Condition:
        node = vsaqcond.parse(cond)
        return vsaqcond.convert(node, lambda name: self.resolve(name, seen))

    def shown(self, item: _Item, seen: frozenset[str] = frozenset()) -> vsaqcond.Condition:
        """Return when an item is shown: its blocks' conds and its own, all holding."""
        key = item.where
        if key in self.visibility:
            return self.visibility[key]
        if key in seen:
            raise vsaqcond.Unsupported("its condition depends on itself")
        seen = seen | {key}
        result: vsaqcond.Condition = True
        own = item.raw.get("cond") if isinstance(item.raw.get("cond"), str) else None
        for cond, where in [*item.conds, *([(own, item.where)] if own else [])]:
            try:
                part = self.condition(cond, where, seen)
            except vsaqcond.Unsupported as exc:
                note = Problem(where, f"its condition {cond!r} is not carried over ({exc})")
                if note not in self.notes:
                    self.notes.append(note)
                continue
            result = vsaqcond.both(result, part)
        self.visibility[key] = result
        return result

    # --- questions ----------------------------------------------------------------------------

    def question(self, item: _Item, intro: list[str]) -> dict[str, Any] | None:
        raw = item.raw
        kind = QUESTION_TYPES[item.kind]
        text = plain(raw.get("text"))
        intro = list(intro)
        if not text and intro:
            text = intro.pop()
        if not text:
            self.errors.append(Problem(item.where, "the question has no text"))
            return None
        question: dict[str, Any] = {"id": item.question_id, "text": text, "type": kind}
        if intro:
            question["help"] = " ".join(intro)
        if item.kind == "yesno":
            question["options"] = [
                {"value": "yes", "label": plain(raw.get("yes")) or "Yes"},
                {"value": "no", "label": plain(raw.get("no")) or "No"},
            ]
        elif item.kind == "check":
            question["options"] = [
                {"value": "yes", "label": "Yes"},
                {"value": "no", "label": "No"},
            ]
        elif item.kind in ("radiogroup", "checkgroup"):
            labels = {
                cid: plain(text)
                for c in raw.get("choices") or []
                if isinstance(c, dict)
                for cid, text in c.items()
            }
            question["options"] = [
                {"value": value, "label": labels.get(cid) or cid}
                for cid, value in item.options.items()
            ]
            if raw.get("defaultChoice") in (True, "true", "yes"):
                value = "none_of_the_above"
                while value in item.options.values():
                    value += "_"
                option: dict[str, Any] = {"value": value, "label": NONE_OF_THE_ABOVE}
                if item.kind == "checkgroup":
                    option["exclusive"] = True
                question["options"].append(option)
            if raw.get("choicesConds"):
                self.notes.append(
                    Problem(
                        item.where,
                        "conditions on single choices (choicesConds) are not "
                        "carried over: every choice is always offered",
                    )
                )
        if kind in ("yes_no", "single_choice", "multi_choice"):
            question["weight"] = 0
        question["required"] = raw.get("required") is True
        if raw.get("default") is not None:
            self.notes.append(Problem(item.where, "its default answer is not carried over"))
        if raw.get("auth") == "readonly":
            self.notes.append(Problem(item.where, "read-only in VSAQ; here the vendor answers it"))
        return question

    def generated_id(self, item: _Item) -> str:
        first = next(iter(item.options), None)
        base = identifier(f"{first}_group" if first else f"item_{self.items.index(item) + 1}")
        qid, n = base, 1
        while qid in self.ids.places or qid in self.by_id:
            n += 1
            qid = f"{base}_{n}"
        self.ids.reserve(qid, item.where)
        return qid

    def tip_question(self, item: _Item) -> dict[str, Any]:
        raw = item.raw
        question: dict[str, Any] = {
            "id": item.question_id,
            "text": plain(raw.get("why")),
            "type": "long_text",
            "required": False,
        }
        if plain(raw.get("text")):
            question["help"] = plain(raw.get("text"))
        return question

    def tip_text(self, item: _Item, when: vsaqcond.Condition) -> str:
        raw = item.raw
        words = plain(raw.get("text"))
        if raw.get("warn") == "yes":
            severity = raw.get("severity")
            words = f"Warning{f' ({severity})' if isinstance(severity, str) else ''}: {words}"
        if raw.get("cond") and when is not True and when is not False:
            words = f"{words} (shown in VSAQ only when {describe(when)})"
        return words

    # --- the whole questionnaire --------------------------------------------------------------

    def build(self) -> list[dict[str, Any]]:
        # Question ids first: conditions refer to questions before or after them.
        for item in self.items:
            if item.kind in QUESTION_TYPES or (item.kind == "tip" and item.raw.get("why")):
                if item.raw.get("id") is None:
                    # VSAQ makes up a random id; ours is stable: the first choice's, or the place.
                    item.question_id = self.generated_id(item)
                    continue
                if not item.broken:
                    item.question_id = self.ids.claim(str(item.raw["id"]), item.where, self.errors)
        sections: list[dict[str, Any]] = [
            {"title": s["title"], "questions": []} for s in self.sections
        ]
        intro: dict[int, list[str]] = {}
        last: dict[int, dict[str, Any]] = {}
        for item in self.items:
            if item.kind == "radio":
                self.errors.append(
                    Problem(item.where, "a radio outside a radiogroup cannot be imported")
                )
                continue
            if item.kind == "spacer":
                continue
            if item.raw.get("auth") == "admin" or item.raw.get("className") == "vsaq-invisible":
                self.notes.append(
                    Problem(item.where, "shown only to VSAQ's reviewers (or never); not imported")
                )
                continue
            try:
                when = self.shown(item)
            except vsaqcond.CondSyntaxError as exc:
                self.errors.append(Problem(item.where, f"cond syntax error {exc}"))
                continue
            except KeyError as exc:
                self.errors.append(Problem(item.where, f"cond: {exc.args[0]}"))
                continue
            if when is False:
                self.notes.append(
                    Problem(
                        item.where, "never shown in VSAQ (its condition is false); not imported"
                    )
                )
                continue
            bucket = sections[item.section]["questions"]
            if item.kind == "info":
                intro.setdefault(item.section, []).append(self.tip_text(item, when))
                continue
            if item.kind == "tip" and not item.raw.get("why"):
                text = self.tip_text(item, when)
                target = last.get(item.section)
                if target is None:
                    intro.setdefault(item.section, []).append(text)
                else:
                    target["help"] = f"{target['help']} {text}" if target.get("help") else text
                continue
            if item.question_id is None:
                continue
            question = (
                self.tip_question(item)
                if item.kind == "tip"
                else self.question(item, intro.pop(item.section, []))
            )
            if question is None:
                continue
            if when is not True:
                question["show_if"] = when
            bucket.append(question)
            last[item.section] = question
        result = []
        for n, (section, meta) in enumerate(zip(sections, self.sections, strict=True)):
            leftover = intro.get(n)
            if not section["questions"]:
                if leftover or section["title"]:
                    self.notes.append(
                        Problem(meta["where"], "a block without questions is not imported")
                    )
                continue
            entry: dict[str, Any] = {
                "id": f"section_{n + 1}",
                "title": section["title"] or "Questions",
            }
            if leftover:
                entry["description"] = " ".join(leftover)
            entry["questions"] = section["questions"]
            result.append(entry)
        return result


def describe(condition: vsaqcond.Condition) -> str:
    """Say a condition in words."""
    if isinstance(condition, bool):
        return "always" if condition else "never"
    if "question" in condition:
        values = " or ".join(f'"{v}"' for v in condition["in"])
        return f"{condition['question']} is {values}"
    if "not" in condition:
        return f"not ({describe(condition['not'])})"
    key = "all" if "all" in condition else "any"
    joiner = " and " if key == "all" else " or "
    return "(" + joiner.join(describe(c) for c in condition[key]) + ")"


def read(data: bytes, filename: str) -> Any:
    """Decode and parse a VSAQ file; raise ImportRefused saying where it is not JSON."""
    name = PurePath(filename).name
    if len(data) > MAX_BYTES:
        raise refuse(name, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(name, f"the file is not UTF-8 text (byte {exc.start})") from exc
    try:
        return loads(text)
    except JsJsonError as exc:
        raise refuse(f"{name}:{exc.line}:{exc.column}", exc.reason) from exc


def import_vsaq(
    data: bytes, filename: str, *, template_id: str | None = None, title: str | None = None
) -> Converted:
    """Convert a VSAQ questionnaire; raise ImportRefused with the item ids at fault."""
    name = PurePath(filename).name
    document = read(data, filename)
    root_items = document.get("questionnaire") if isinstance(document, dict) else None
    if not isinstance(root_items, list) or not root_items:
        raise refuse(name, "a VSAQ file is an object whose 'questionnaire' lists the root block")
    converter = _Converter(name)
    root = root_items[0]
    if len(root_items) > 1 or not isinstance(root, dict) or root.get("type") != "block":
        raise refuse(name, "all items must be in one root block, as VSAQ requires")
    if root.get("cond"):
        converter.notes.append(Problem("the root block", "its condition is not carried over"))
    converter.walk(root.get("items", []), [], -1, "the root block")
    for section in converter.sections:
        if section.get("root"):
            section["title"] = plain(root.get("text")) or "Questions"
    sections = converter.build()
    if converter.errors:
        raise ImportRefused(converter.errors)
    if not sections:
        raise refuse(name, "the questionnaire asks no question")
    stem = PurePath(filename).stem
    data_: dict[str, Any] = {
        "id": template_id or make_slug(f"vsaq-{stem}") or "vsaq",
        "kind": "baseline",
        "title": title or plain(root.get("text")) or stem,
        "sections": sections,
    }
    places = {item.question_id: item.where for item in converter.items if item.question_id}
    return finish(data_, places, name, converter.notes)
