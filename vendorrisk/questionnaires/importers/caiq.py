"""The built-in mapping for the CSA CAIQ v4 workbook layout (no CSA content is shipped).

The CAIQ v4 sheet ("CAIQv4.0.x") has a title row or two, then a header row naming at least
"Question ID" and "Question"; the vendor answers in "CSP CAIQ Answer" (Yes, No or NA), and
"CCM Control ID" and "CCM Domain Title" name the control and its domain. Each question becomes
a scored yes/no question that allows N/A, its control mapped as "CCM v4 <control id>", one
section and scoring category per domain.
"""

from __future__ import annotations

import re

from .common import Converted, identifier
from .mapping import Columns, Defaults, Mapping, TemplateInfo
from .sheet import Cell, Row, convert_table
from .table import column_index, normal, read_table

NAME = "caiq-v4"
LABEL = "CAIQ v4 (CSA Consensus Assessments Initiative Questionnaire)"
FRAMEWORK = "CCM v4"
ID_HEADER = "Question ID"
TEXT_HEADER = "Question"
ANSWER_HEADER = "CSP CAIQ Answer"
CONTROL_HEADER = "CCM Control ID"
DOMAIN_HEADER = "CCM Domain Title"
# "A&A-01.1": domain A&A, control A&A-01, question 1 of that control.
QUESTION_ID = re.compile(r"^(?P<control>(?P<domain>[A-Z&]{2,5})-\d{2})\.\d+$")


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


def import_caiq(
    data: bytes, filename: str, *, template_id: str | None = None, title: str | None = None
) -> Converted:
    """Convert a workbook in the CAIQ v4 layout; raise ImportRefused with the cells at fault."""
    table = read_table(
        data, filename, header_row=None, is_header=_is_header, pick_sheet=_pick_sheet
    )
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
