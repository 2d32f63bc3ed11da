"""The built-in mapping for the CSA CAIQ v4 workbook layout (no CSA content is shipped).

The CAIQ v4 sheet ("CAIQv4.0.x") has a title row or two, then a header row naming at least
"Question ID" and "Question"; the vendor answers in "CSP CAIQ Answer" (Yes, No or NA), and
"CCM Control ID" and "CCM Domain Title" name the control and its domain. Each question becomes
a scored yes/no question that allows N/A, its control mapped as "CCM v4 <control id>", one
section and scoring category per domain.

The same layout is read back from a vendor's completed CAIQ (`read_answers`): each row's
question id, its answer and the implementation description beside it, for the portal to offer
against the questions of a template this import made (`caiq_questions`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING

from .common import Converted, ImportRefused, Problem, identifier, refuse
from .mapping import Columns, Defaults, Mapping, TemplateInfo
from .sheet import Cell, Row, convert_table
from .table import MAX_ROWS, Table, column_index, normal, read_table

if TYPE_CHECKING:
    from vendorrisk.questionnaires.schema import Question, Template

NAME = "caiq-v4"
LABEL = "CAIQ v4 (CSA Consensus Assessments Initiative Questionnaire)"
FRAMEWORK = "CCM v4"
ID_HEADER = "Question ID"
TEXT_HEADER = "Question"
ANSWER_HEADER = "CSP CAIQ Answer"
CONTROL_HEADER = "CCM Control ID"
DOMAIN_HEADER = "CCM Domain Title"
# In CAIQ v4 "CSP Implementation Description (Optional/Recommended)": matched by its start.
COMMENT_HEADER = "CSP Implementation Description"
# "A&A-01.1": domain A&A, control A&A-01, question 1 of that control.
QUESTION_ID = re.compile(r"^(?P<control>(?P<domain>[A-Z&]{2,5})-\d{2})\.\d+$")
CONTROL_ID = re.compile(r"^[A-Z&]{2,5}-\d{2}$")
# What a vendor writes in the answer column, and the answer each means.
ANSWER_WORDS = {
    "yes": "yes",
    "y": "yes",
    "no": "no",
    "n": "no",
    "na": "na",
    "n/a": "na",
    "n.a.": "na",
    "not applicable": "na",
}


def question_id(caiq_id: str) -> str:
    """Return the question id a CAIQ question gets ("A&A-01.1" -> "a_a_01_1")."""
    return identifier(caiq_id)


def _is_header(cells: list[str]) -> bool:
    names = {normal(c) for c in cells}
    return normal(ID_HEADER) in names and normal(TEXT_HEADER) in names


def _pick_sheet(names: list[str]) -> str | None:
    return next((n for n in names if n.casefold().startswith("caiq")), None)


def _fill(row: Row) -> None:
    """Take the control and the domain from the question id when their columns are empty."""
    match = QUESTION_ID.match(row["id"].text)
    if match is None:
        return
    if "controls" not in row or not row["controls"].text:
        row["controls"] = Cell(match["control"], row["id"].ref)
    if "section" not in row or not row["section"].text:
        row["section"] = Cell(match["domain"], row["id"].ref)


def read_sheet(data: bytes, filename: str, **limits) -> Table:
    """Read the CAIQ sheet of a workbook in the CAIQ v4 layout, from its header row down.

    `limits` are `read_table`'s (`max_rows`, `too_many`); raises ImportRefused.
    """
    return read_table(
        data, filename, header_row=None, is_header=_is_header, pick_sheet=_pick_sheet, **limits
    )


def import_caiq(
    data: bytes, filename: str, *, template_id: str | None = None, title: str | None = None
) -> Converted:
    """Convert a workbook in the CAIQ v4 layout; raise ImportRefused with the cells at fault."""
    table = read_sheet(data, filename)
    present = column_index(table)
    optional = {
        "controls": CONTROL_HEADER if normal(CONTROL_HEADER) in present else None,
        "section": DOMAIN_HEADER if normal(DOMAIN_HEADER) in present else None,
    }
    mapping = Mapping(
        header_row=table.header_row,
        columns=Columns(id=ID_HEADER, text=TEXT_HEADER, **optional),
        defaults=Defaults(type="yes_no", weight=1, framework=FRAMEWORK, allow_na=True),
        template=TemplateInfo(title=title or "CAIQ v4", kind="baseline"),
    )
    return convert_table(
        table,
        mapping,
        filename,
        mapping_name="the CAIQ v4 layout",
        fill=_fill,
        template_id=template_id,
        title=title,
    )


def caiq_questions(template: Template) -> dict[str, Question]:
    """Return the template's questions this import made from a CAIQ, by CAIQ question id.

    A question is one when its id is a CAIQ question id as `question_id` turns it, and it is
    mapped to that question's control as `CCM v4 A&A-01` (question `a_a_01_1` of control
    `A&A-01` is CAIQ question `A&A-01.1`). A template with none is not CAIQ-based.
    """
    prefix = f"{FRAMEWORK} "
    found: dict[str, Question] = {}
    for question in template.questions():
        for reference in question.frameworks:
            control = reference.removeprefix(prefix).strip()
            if reference == control or not CONTROL_ID.match(control):
                continue
            number = question.id.removeprefix(identifier(control) + "_")
            if number != question.id and number.isdigit():
                found.setdefault(f"{control}.{number}", question)
                break
    return found


@dataclass(frozen=True)
class CaiqAnswer:
    """One answered row of a completed CAIQ."""

    caiq_id: str  # "A&A-01.1"
    answer: str  # "yes", "no" or "na"
    comment: str  # the implementation description, "" when none
    where: str  # the answer's cell, "CAIQv4.0.3!C7"
    comment_where: str | None  # the description's cell (None: the sheet has no such column)


@dataclass
class FilledCaiq:
    """What a completed CAIQ says: its answered rows, the rows that could not be read (each
    with its cell), and how many question rows carry no answer."""

    answers: list[CaiqAnswer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    blank: int = 0


def _answer_columns(table: Table) -> tuple[int, int, int | None]:
    """Return the question id, answer and description columns; refuse a sheet without them."""
    present = column_index(table)
    header_ref = f"{table.name}!{table.header_row}"
    found = []
    for header in (ID_HEADER, ANSWER_HEADER):
        columns = present.get(normal(header), [])
        if len(columns) != 1:
            why = f"has no column {header!r}" if not columns else f"has {header!r} twice"
            raise refuse(
                header_ref,
                f"the header row {why}: this is not a CAIQ v4 workbook in its own layout "
                f"(the CAIQ's own header names {ID_HEADER!r}, {TEXT_HEADER!r} and "
                f"{ANSWER_HEADER!r})",
            )
        found.append(columns[0])
    described = [
        i for i, h in enumerate(table.header) if normal(h).startswith(normal(COMMENT_HEADER))
    ]
    return found[0], found[1], described[0] if described else None


def _cell(cells: list[str], column: int | None) -> str:
    return cells[column] if column is not None and column < len(cells) else ""


def read_answers(data: bytes, filename: str) -> FilledCaiq:
    """Read a vendor's completed CAIQ (.xlsx only); raise ImportRefused for a file refused whole.

    Refused: another format (a macro-enabled .xlsm included), what the workbook check refuses,
    no CAIQ header or answer column, more rows than a template import takes, and any formula
    in the cells read (they are never computed: the vendor types the answer itself). Rows that
    cannot be read are returned as problems, with their cell.
    """
    name = PurePath(filename).name
    if PurePath(filename).suffix.lower() != ".xlsx":
        raise refuse(
            name,
            "upload the completed CAIQ as an Excel workbook (.xlsx); macro-enabled workbooks "
            "(.xlsm) and other formats are not accepted",
        )
    table = read_sheet(
        data, filename, max_rows=MAX_ROWS, too_many="rows below the header, more than a CAIQ has"
    )
    id_col, answer_col, comment_col = _answer_columns(table)
    read = [c for c in (id_col, answer_col, comment_col) if c is not None]
    formulas = [(row, col) for row, col in sorted(table.formulas) if col in read]
    if formulas:
        raise ImportRefused(
            [
                Problem(table.ref(col, row), "formulas are not accepted; type the value itself")
                for row, col in formulas
            ]
        )
    result = FilledCaiq()
    first: dict[str, str] = {}
    for number, cells in table.rows:
        raw_id, raw_answer = _cell(cells, id_col), _cell(cells, answer_col)
        where = table.ref(answer_col, number)
        if not raw_answer:
            result.blank += 1 if raw_id else 0
            continue
        caiq_id = raw_id.strip().upper()
        if not QUESTION_ID.match(caiq_id):
            reason = (
                f"an answer without a question id in {table.ref(id_col, number)}"
                if not raw_id
                else f"{raw_id[:40]!r} in {table.ref(id_col, number)} is not a CAIQ question id "
                "(like A&A-01.1)"
            )
            result.problems.append(Problem(where, reason))
            continue
        if caiq_id in first:
            result.problems.append(
                Problem(where, f"{caiq_id} is answered again (first in {first[caiq_id]})")
            )
            continue
        first[caiq_id] = where
        answer = ANSWER_WORDS.get(normal(raw_answer))
        if answer is None:
            result.problems.append(
                Problem(where, f"{caiq_id}: {raw_answer[:40]!r} is not Yes, No or NA")
            )
            continue
        comment_where = table.ref(comment_col, number) if comment_col is not None else None
        comment = _cell(cells, comment_col)
        result.answers.append(CaiqAnswer(caiq_id, answer, comment, where, comment_where))
    return result
