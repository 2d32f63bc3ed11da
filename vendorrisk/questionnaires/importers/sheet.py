"""A spreadsheet's rows to our template, by a column mapping (docs/import-formats.md).

Each row below the header is one question. Every cell is checked; the problems of all rows
are reported together, each with its cell, and nothing is created unless there are none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from vendorrisk.questionnaires.draft_edits import DEFAULT_REMEDIATION
from vendorrisk.questionnaires.schema import FINDING_TITLE_MAX, MAX_WEIGHT, OPTION_VALUE_RE

from .common import (
    Converted,
    IdRegistry,
    ImportRefused,
    Problem,
    finding_title,
    finish,
    identifier,
    option_value,
)
from .common import slug as make_slug
from .mapping import REQUIRED_FIELDS, Mapping
from .table import Table, column_index, normal, read_table

CHOICE_TYPES = ("single_choice", "multi_choice")
# Words people write in an "answer type" column, and the type each means.
TYPE_WORDS = {
    "yes_no": "yes_no",
    "yes/no": "yes_no",
    "yes / no": "yes_no",
    "yesno": "yes_no",
    "y/n": "yes_no",
    "boolean": "yes_no",
    "single_choice": "single_choice",
    "single choice": "single_choice",
    "choice": "single_choice",
    "single": "single_choice",
    "radio": "single_choice",
    "multi_choice": "multi_choice",
    "multiple choice": "multi_choice",
    "multi choice": "multi_choice",
    "multi": "multi_choice",
    "checkboxes": "multi_choice",
    "date": "date",
    "number": "number",
    "numeric": "number",
    "text": "text",
    "short text": "text",
    "long_text": "long_text",
    "long text": "long_text",
    "paragraph": "long_text",
    "free text": "long_text",
    "evidence": "evidence",
    "file": "evidence",
    "upload": "evidence",
}
_CHOICE = re.compile(
    r"^(?:(?P<value>[^=\[\]]+?)\s*=\s*)?(?P<label>[^=\[\]]*?)\s*(?:\[(?P<score>[^\[\]]*)\])?$"
)
_CONTROL_SPLIT = re.compile(r"[;,\n]+")
YES_NO = [
    {"value": "yes", "label": "Yes", "score": 100},
    {"value": "no", "label": "No", "score": 0},
]


@dataclass(frozen=True)
class Cell:
    """One mapped cell of a row: its text and its reference."""

    text: str
    ref: str


Row = dict[str, Cell]
RowFill = Callable[[Row], None]


def resolve_columns(table: Table, mapping: Mapping, where: str) -> dict[str, int]:
    """Return field -> column index; refuse columns the header lacks or names twice."""
    index = column_index(table)
    problems = []
    columns: dict[str, int] = {}
    header_ref = f"{table.name}!{table.header_row}"
    for name, header in mapping.columns_used().items():
        found = index.get(normal(header), [])
        if not found:
            present = ", ".join(repr(h) for h in table.header if h) or "nothing"
            problems.append(
                Problem(
                    header_ref,
                    f"unknown column {header!r} (columns.{name} of {where}); the header row "
                    f"has: {present[:600]}",
                )
            )
        elif len(found) > 1:
            cells = " and ".join(table.ref(i, table.header_row) for i in found)
            problems.append(Problem(header_ref, f"the column {header!r} appears twice ({cells})"))
        else:
            columns[name] = found[0]
    if problems:
        raise ImportRefused(problems)
    return columns


def _rows(table: Table, columns: dict[str, int]) -> list[tuple[int, Row]]:
    rows = []
    for number, cells in table.rows:
        row = {
            name: Cell(cells[i] if i < len(cells) else "", table.ref(i, number))
            for name, i in columns.items()
        }
        if any(cell.text for cell in row.values()):
            rows.append((number, row))
    return rows


def parse_choices(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """Read a choice list: `Label`, `value = Label` or either with `[score]`, one a line or
    separated by ';'. Return the options, or a reason the list does not parse."""
    parts = [p.strip() for p in re.split(r"[;\n]", text)]
    if parts and not parts[-1]:
        parts.pop()  # a trailing separator
    options: list[dict[str, Any]] = []
    for number, part in enumerate(parts, start=1):
        if not part:
            return [], f"choice {number} is empty (two separators in a row)"
        match = _CHOICE.match(part)
        if match is None:
            return (
                [],
                f"choice {number} ({part[:40]!r}) does not parse: write `Label`, "
                "`value = Label` or add a score as `[100]`",
            )
        label = match["label"].strip()
        if not label:
            return [], f"choice {number} ({part[:40]!r}) has no label"
        value = (match["value"] or "").strip() or option_value(label)
        if not OPTION_VALUE_RE.fullmatch(value):
            return [], (
                f"choice {number}: {value!r} is not a usable value (lower-case letters, digits, "
                "'_', '.' and '-', starting with a letter or digit)"
            )
        option: dict[str, Any] = {"value": value, "label": label}
        if match["score"] is not None:
            try:
                score = float(match["score"])
            except ValueError:
                return [], f"choice {number}: the score [{match['score']}] is not a number"
            if not 0 <= score <= 100:
                return [], f"choice {number}: the score must be from 0 to 100"
            option["score"] = int(score) if score.is_integer() else score
        if any(o["value"] == value for o in options):
            return [], f"choice {number}: the value {value!r} is given twice"
        options.append(option)
    if len(options) < 2:
        return [], "a choice list needs at least two choices"
    return options, None


def _weight(cell: Cell | None, default: float, problems: list[Problem]) -> tuple[float, bool]:
    """Return the weight and whether the row gave it."""
    if cell is None or not cell.text:
        return default, False
    try:
        weight = float(cell.text)
    except ValueError:
        problems.append(Problem(cell.ref, f"the weight {cell.text[:20]!r} is not a number"))
        return 0, True
    if not 0 <= weight <= MAX_WEIGHT:
        problems.append(Problem(cell.ref, f"the weight must be from 0 to {MAX_WEIGHT}"))
        return 0, True
    return weight, True


def _question(row: Row, qid: str, mapping: Mapping, problems: list[Problem]):
    d = mapping.defaults
    text = row["text"]
    before = len(problems)
    if not text.text:
        problems.append(Problem(text.ref, "the question text is empty"))
    kind: str = d.type
    type_cell = row.get("type")
    if type_cell is not None and type_cell.text:
        found = TYPE_WORDS.get(normal(type_cell.text))
        if found is None:
            problems.append(
                Problem(
                    type_cell.ref,
                    f"unknown answer type {type_cell.text[:40]!r}; use one of: "
                    + ", ".join(sorted(set(TYPE_WORDS.values()))),
                )
            )
        else:
            kind = found
    weight, given = _weight(row.get("weight"), d.weight, problems)
    if kind not in ("yes_no", *CHOICE_TYPES) and weight > 0:
        if given:
            problems.append(
                Problem(
                    row["weight"].ref,
                    f"a {kind} question cannot be scored by an import (weight it in the composer"
                    + (", with its rule)" if kind in ("date", "number") else ")"),
                )
            )
        weight = 0
    question: dict[str, Any] = {"id": qid, "text": text.text, "type": kind}
    help_cell = row.get("help")
    if help_cell is not None and help_cell.text:
        question["help"] = help_cell.text
    choices = row.get("choices")
    if kind in CHOICE_TYPES:
        if choices is None or not choices.text:
            where = choices.ref if choices is not None else text.ref
            problems.append(Problem(where, f"a {kind} question needs its choices"))
        else:
            options, reason = parse_choices(choices.text)
            if reason:
                problems.append(Problem(choices.ref, reason))
            elif weight > 0 and any("score" not in o for o in options):
                problems.append(
                    Problem(
                        choices.ref,
                        "a weighted question needs a score for every choice, e.g. "
                        "`Done [100]; Not started [0]`",
                    )
                )
            question["options"] = options
    elif choices is not None and choices.text:
        problems.append(Problem(choices.ref, f"a {kind} question takes no choice list"))
    if kind == "yes_no":
        question["options"] = [dict(o) for o in YES_NO]
    question["weight"] = int(weight) if float(weight).is_integer() else weight
    controls_cell = row.get("controls")
    controls = [
        c.strip()
        for c in _CONTROL_SPLIT.split(controls_cell.text if controls_cell else "")
        if c.strip()
    ]
    if controls:
        prefix = f"{d.framework} " if d.framework else ""
        question["frameworks"] = [f"{prefix}{c}" for c in controls]
    title_cell = row.get("finding_title")
    title = " ".join(title_cell.text.split()) if title_cell is not None else ""
    if title_cell is not None and len(title) > FINDING_TITLE_MAX:
        problems.append(
            Problem(
                title_cell.ref,
                f"the finding title has {len(title)} characters; at most {FINDING_TITLE_MAX}",
            )
        )
    elif title:
        question["finding_title"] = title
    elif weight > 0 and text.text:
        question["finding_title"] = finding_title(row["id"].text, text.text)
    if weight > 0:
        question["remediation"] = DEFAULT_REMEDIATION
        if not controls:
            where = controls_cell.ref if controls_cell else text.ref
            problems.append(Problem(where, "a weighted question needs at least one control id"))
    if d.allow_na:
        question["allow_na"] = True
    return question if len(problems) == before else None


def convert_table(
    table: Table,
    mapping: Mapping,
    filename: str,
    *,
    mapping_name: str = "the mapping",
    fill: RowFill | None = None,
    template_id: str | None = None,
    title: str | None = None,
) -> Converted:
    """Turn a read sheet into checked template YAML; raise ImportRefused on any problem."""
    columns = resolve_columns(table, mapping, mapping_name)
    missing = [f for f in REQUIRED_FIELDS if f not in columns]
    if missing:  # the model requires them; kept for mappings built in code
        raise ImportRefused([Problem(mapping_name, f"columns.{f} is required") for f in missing])
    problems: list[Problem] = []
    ids = IdRegistry()
    sections: dict[str, dict[str, Any]] = {}
    section_ids: dict[str, str] = {}
    weighted: set[str] = set()
    current = mapping.defaults.section
    for _number, row in _rows(table, columns):
        if fill is not None:
            fill(row)
        qid = ids.claim(row["id"].text, row["id"].ref, problems)
        section_cell = row.get("section")
        if section_cell is not None and section_cell.text:
            current = section_cell.text
        question = _question(row, qid or "q", mapping, problems)
        if qid is None or question is None:
            continue
        sid = section_ids.get(current)
        if sid is None:
            base = identifier(current) or "section"
            sid, n = base, 1
            while sid in sections:
                n += 1
                sid = f"{base}_{n}"
            section_ids[current] = sid
            sections[sid] = {"id": sid, "title": current[:300], "questions": []}
        if question["weight"]:
            question["category"] = sid
            weighted.add(sid)
        sections[sid]["questions"].append(question)
    if problems:
        raise ImportRefused(problems)
    if not sections:
        raise ImportRefused(
            [
                Problem(
                    f"{table.name}!{table.header_row}",
                    "there are no question rows below the header",
                )
            ]
        )
    stem = PurePath(filename).stem
    info = mapping.template
    data: dict[str, Any] = {
        "id": template_id or info.id or make_slug(stem) or "imported-questionnaire",
        "kind": info.kind,
        "title": title or info.title or stem[:300] or "Imported questionnaire",
    }
    if info.description:
        data["description"] = info.description
    if weighted:
        data["categories"] = [
            {"id": s["id"], "title": s["title"], "weight": 1}
            for s in sections.values()
            if s["id"] in weighted
        ]
    data["sections"] = list(sections.values())
    return finish(data, ids.places, PurePath(filename).name)


def import_sheet(
    data: bytes,
    filename: str,
    mapping: Mapping,
    *,
    mapping_name: str = "the mapping",
    template_id: str | None = None,
    title: str | None = None,
) -> Converted:
    """Read an uploaded .xlsx or .csv with a mapping and convert it; all or nothing."""
    table = read_table(data, filename, sheet=mapping.sheet, header_row=mapping.header_row)
    return convert_table(
        table, mapping, filename, mapping_name=mapping_name, template_id=template_id, title=title
    )
