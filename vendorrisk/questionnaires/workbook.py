"""The questionnaire as an XLSX workbook and back (pure: no Flask, no database).

`build` writes a template version as a workbook: an instructions sheet, a sheet per section with
one row per question, choices as data-validation lists, dates typed as dates, and a very hidden
`_meta` sheet holding the binding (assignment, template version, content hash, signature) the
caller supplies. Answers offered from an earlier round are written in their cells, shaded, with
the caller's note beside them saying where they come from. `read` opens an uploaded workbook under the limits below and returns its
binding and every answer cell as posted form data, so the portal's own form validates it; each
form field maps back to the cell it came from for messages like `2. Replacing!C14 (id): ...`.
What one answer cell shows and posts is `workbook_cells`. docs/workbook-format.md describes the
format.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MultiDict

from .answers import Answer
from .conditions import describe
from .formfactory import field_names
from .schema import Question, Template
from .workbook_cells import MULTI_SEPARATOR, cell_value, posted_values, storable, text_of

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

MAX_BYTES = 5 * 1024 * 1024  # the uploaded file
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all parts of the ZIP together, once inflated
MAX_PARTS = 200
MAX_ROWS = 1000  # per sheet
MAX_CELLS = 200_000  # read in the whole workbook
META_SHEET = "_meta"
LISTS_SHEET = "_lists"
INSTRUCTIONS_SHEET = "Instructions"
NA_MARK = "Yes"

# Columns of a section sheet, 1-based.
COL_ID, COL_TEXT, COL_ANSWER, COL_NA, COL_COMMENT, COL_REASON, COL_HELP, COL_SHOWN, COL_TYPE = (
    range(1, 10)
)
COL_EARLIER = 10  # the note of an answer offered from an earlier round
HEADERS = (
    "Question id",
    "Question",
    "Answer",
    "Not applicable",
    "Comment",
    "If you cannot attach evidence, say why",
    "Help",
    "Asked only when",
    "Answer type",
    "Earlier answer",
)
_EDITABLE = (COL_ANSWER, COL_NA, COL_COMMENT, COL_REASON)
_WIDTHS = (16, 60, 30, 14, 40, 40, 50, 40, 26, 50)
OFFER_FILL = "FFDDEBF7"  # the light blue of the cells an earlier answer fills in
_TYPE_WORDS = {
    "yes_no": "Choose from the list",
    "single_choice": "Choose from the list",
    "multi_choice": f"One or more choices, separated by '{MULTI_SEPARATOR}'",
    "date": "A date (yyyy-mm-dd)",
    "number": "A number",
    "text": "Text",
    "long_text": "Text",
    "evidence": "Attach files in the portal",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Offer:
    """An answer from an earlier round, not yet confirmed, written in its question's cells."""

    answer: Answer
    note: str  # shown in the "Earlier answer" column: its date, its files, what leaving it means


class WorkbookRefused(ValueError):
    """The file is not a workbook we accept (a clear message for the person who uploaded it)."""


@dataclass(frozen=True)
class Binding:
    """What the hidden sheet says this workbook belongs to."""

    assignment_id: str
    version_id: str
    content_hash: str
    signature: str

    def message(self) -> str:
        """Return the text the signature is computed over."""
        return f"workbook:{self.assignment_id}:{self.version_id}:{self.content_hash}"


@dataclass
class ReadWorkbook:
    """An uploaded workbook: its binding, the answers as form data, and the cell problems."""

    binding: Binding
    formdata: MultiDict
    question_ids: set[str]
    cells: dict[str, str]  # form field name -> cell reference with its question
    errors: list[str] = field(default_factory=list)


def sheet_title(number: int, title: str) -> str:
    """Return a section's sheet name: its number and title, within Excel's 31 characters."""
    clean = re.sub(r"[\[\]:*?/\\']", " ", title).strip()
    return f"{number}. {clean}"[:31].rstrip()


def _put(ws: Any, row: int, column: int, value: object) -> Any:
    """Write a cell; text stays text, even when it starts like a formula (SECURITY.md #25)."""
    value = storable(value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        # openpyxl would store it as a formula; stored as a string, Excel shows it as typed.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _instructions(ws, template: Template, title: str) -> None:
    from openpyxl.styles import Font

    lines = [
        title,
        "",
        "Answer in the 'Answer' column of each section's sheet; leave a cell empty to leave the "
        "question unanswered.",
        "Choices: pick from the list in the cell. Several choices: separate them with ';'.",
        "Dates: type a date (for example 2021-01-15). Numbers: type a plain number.",
        "'Not applicable': choose 'Yes' and say why in 'Comment'.",
        "Questions marked in 'Asked only when' are only asked if that condition holds.",
        "Files cannot travel in the workbook: attach them in the portal.",
        "Shaded rows are filled in from your earlier answers ('Earlier answer' says from which "
        "date). Upload the workbook with such a row left as it is to confirm it as your answer; "
        "change it to give another answer, or empty it to leave the question unanswered. Files "
        "of an earlier answer are carried over as they were submitted.",
        "Do not rename, add or remove sheets or rows; formulas are not accepted.",
        "Upload the workbook in the portal. Your answers become a draft you review and submit "
        "there; nothing is submitted by the upload.",
    ]
    for row, text in enumerate(lines, start=1):
        _put(ws, row, 1, text)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110
    ws.protection.sheet = True


def _choice_lists(wb: Workbook, template: Template) -> dict[str, str]:
    """Write each choice question's labels in a hidden sheet; return its range by question."""
    from openpyxl.utils import get_column_letter, quote_sheetname

    ws = wb.create_sheet(LISTS_SHEET)
    ranges: dict[str, str] = {}
    column = 0
    for q in template.questions():
        if not q.options or q.type == "multi_choice":
            continue
        column += 1
        letter = get_column_letter(column)
        for row, option in enumerate(q.options, start=1):
            _put(ws, row, column, option.label)
        ranges[q.id] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(q.options)}"
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return ranges


def _validation(q: Question, ranges: dict[str, str]) -> DataValidation | None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if q.id in ranges:
        return DataValidation(type="list", formula1=ranges[q.id], allow_blank=True)
    if q.type == "date":
        return DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
    if q.type == "number":
        return DataValidation(type="decimal", operator="between", formula1="-1E15", formula2="1E15")
    return None


def _mark_offer(ws, row: int, note: str) -> None:
    """Shade an offered answer's cells and write its note beside them."""
    from openpyxl.styles import PatternFill

    shade = PatternFill(fill_type="solid", start_color=OFFER_FILL, end_color=OFFER_FILL)
    _put(ws, row, COL_EARLIER, note)
    for col in (*_EDITABLE, COL_EARLIER):
        ws.cell(row=row, column=col).fill = shade


def _section_sheet(ws, section, number: int, template: Template, answers, ranges, offers) -> None:
    from openpyxl.styles import Alignment, Font, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for col, header in enumerate(HEADERS, start=1):
        ws.cell(row=1, column=col, value=header).font = Font(bold=True)
    na = DataValidation(type="list", formula1=f'"{NA_MARK}"', allow_blank=True)
    ws.add_data_validation(na)
    for row, q in enumerate(section.questions, start=2):
        offer = offers.get(q.id) if q.id not in answers else None
        answer = offer.answer if offer is not None else answers.get(q.id)
        ws.cell(row=row, column=COL_ID, value=q.id)
        _put(ws, row, COL_TEXT, f"{number}.{row - 1} {q.text}")
        answer_cell = _put(ws, row, COL_ANSWER, cell_value(q, answer))
        if q.type == "date":
            answer_cell.number_format = "yyyy-mm-dd"
        check = _validation(q, ranges)
        if check is not None:
            ws.add_data_validation(check)
            check.add(answer_cell)
        if q.allow_na:
            na_cell = ws.cell(
                row=row, column=COL_NA, value=NA_MARK if answer and answer.na else None
            )
            na.add(na_cell)
        if answer is not None and answer.comment:
            _put(ws, row, COL_COMMENT, answer.comment)
        if answer is not None and answer.evidence_reason:
            _put(ws, row, COL_REASON, answer.evidence_reason)
        _put(ws, row, COL_HELP, q.help or "")
        if q.show_if is not None or section.show_if is not None:
            words = " and ".join(describe(c) for c in (section.show_if, q.show_if) if c)
            _put(ws, row, COL_SHOWN, words)
        required = "" if q.required else " (optional)"
        ws.cell(row=row, column=COL_TYPE, value=_TYPE_WORDS[q.type] + required)
        if offer is not None:
            _mark_offer(ws, row, offer.note)
        for col in _EDITABLE:
            ws.cell(row=row, column=col).protection = Protection(locked=False)
        for col in range(1, len(HEADERS) + 1):
            ws.cell(row=row, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "C2"
    ws.protection.sheet = True


def build(
    template: Template,
    answers: dict[str, Answer],
    binding: Binding,
    title: str,
    offers: dict[str, Offer] | None = None,
) -> bytes:
    """Return the workbook of a template version, pre-filled with `answers`, and with `offers`
    (shaded, with their notes) where a question has no answer."""
    from openpyxl import Workbook

    wb = Workbook()
    _instructions(wb.active, template, title)
    wb.active.title = INSTRUCTIONS_SHEET
    ranges = _choice_lists(wb, template)
    for number, section in enumerate(template.sections, start=1):
        ws = wb.create_sheet(sheet_title(number, section.title))
        _section_sheet(ws, section, number, template, answers, ranges, offers or {})
    meta = wb.create_sheet(META_SHEET)
    for row, (key, value) in enumerate(
        (
            ("assignment", binding.assignment_id),
            ("template_version", binding.version_id),
            ("content_hash", binding.content_hash),
            ("signature", binding.signature),
        ),
        start=1,
    ):
        meta.cell(row=row, column=1, value=key)
        meta.cell(row=row, column=2, value=value)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    wb.security.lockStructure = True
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def check_container(data: bytes, filename: str) -> None:
    """Refuse what is not a plain XLSX within the limits (before any XML is parsed)."""
    if not filename.lower().endswith(".xlsx"):
        raise WorkbookRefused("Upload the .xlsx workbook (macro-enabled files are not accepted).")
    if len(data) > MAX_BYTES:
        raise WorkbookRefused(f"The workbook is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if not data.startswith(b"PK\x03\x04"):
        raise WorkbookRefused("This file is not an Excel workbook (.xlsx).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookRefused("This file is not an Excel workbook (.xlsx).") from exc
    if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise WorkbookRefused("The workbook holds too much data to be read.")
    names = {i.filename.lower() for i in infos}
    if any(n.endswith("vbaproject.bin") for n in names):
        raise WorkbookRefused("Workbooks with macros are not accepted; save it as .xlsx.")
    with archive:
        for info in infos:
            if not info.filename.lower().endswith((".xml", ".rels")):
                continue
            with archive.open(info) as part:
                # file_size is what the ZIP claims; read no more than the cap, whatever it says.
                text = part.read(MAX_UNCOMPRESSED + 1)
            if len(text) > MAX_UNCOMPRESSED:
                raise WorkbookRefused("The workbook holds too much data to be read.")
            if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
                raise WorkbookRefused("The workbook contains XML declarations that are refused.")
            if b"macroEnabled" in text:
                raise WorkbookRefused("Workbooks with macros are not accepted; save it as .xlsx.")


def _rows(ws, sheet_name: str, errors: list[str], budget: list[int]):
    """Yield (row number, cells) of a sheet, refusing formulas and sheets that are too long."""
    from openpyxl.utils import get_column_letter

    for row_number, row in enumerate(ws.iter_rows(min_row=1, max_col=len(HEADERS)), start=1):
        if row_number > MAX_ROWS:
            raise WorkbookRefused(
                f"The sheet {sheet_name} has more than {MAX_ROWS} rows; "
                "use the workbook downloaded from the portal."
            )
        budget[0] += len(row)
        if budget[0] > MAX_CELLS:
            raise WorkbookRefused("The workbook holds too much data to be read.")
        if row_number == 1:
            continue
        values: list[object] = []
        for col, cell in enumerate(row, start=1):
            if getattr(cell, "data_type", None) == "f":
                ref = f"{sheet_name}!{get_column_letter(col)}{row_number}"
                errors.append(f"{ref}: formulas are not accepted; type the value itself")
                values.append(None)
            else:
                values.append(getattr(cell, "value", None))
        values += [None] * (len(HEADERS) - len(values))
        if all(v is None for v in values):
            continue
        yield row_number, values


def _binding(wb) -> Binding:
    if META_SHEET not in wb.sheetnames:
        raise WorkbookRefused(
            "This is not a workbook downloaded from the portal (its identification is missing)."
        )
    meta = {}
    for i, row in enumerate(wb[META_SHEET].iter_rows(max_col=2, values_only=True)):
        if i >= 10:
            break
        if row and row[0] is not None:
            meta[str(row[0])] = "" if row[1] is None else str(row[1])
    try:
        return Binding(
            meta["assignment"], meta["template_version"], meta["content_hash"], meta["signature"]
        )
    except KeyError as exc:
        raise WorkbookRefused(
            "This is not a workbook downloaded from the portal (its identification is missing)."
        ) from exc


def read(data: bytes, filename: str, template: Template) -> ReadWorkbook:
    """Read an uploaded workbook's binding and answer cells (call `check_container` first)."""
    from openpyxl import load_workbook

    check_container(data, filename)
    try:
        wb = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_vba=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise WorkbookRefused("This workbook could not be read; download a fresh one.") from exc
    try:
        binding = _binding(wb)
        result = ReadWorkbook(binding, MultiDict(), set(), {})
        budget = [0]
        for number, section in enumerate(template.sections, start=1):
            name = sheet_title(number, section.title)
            if name not in wb.sheetnames:
                result.errors.append(f"the sheet {name} is missing")
                continue
            for row_number, values in _rows(wb[name], name, result.errors, budget):
                _read_row(template, name, row_number, values, result)
    finally:
        wb.close()
    missing = [q.id for q in template.questions() if q.id not in result.question_ids]
    if missing and not result.errors:
        result.errors.append(f"questions missing from the workbook: {', '.join(missing[:10])}")
    return result


def _read_row(template: Template, sheet: str, row: int, values: list, result: ReadWorkbook):
    qid = text_of(values[COL_ID - 1])
    try:
        q = template.question(qid)
    except KeyError:
        result.errors.append(f"{sheet}!A{row}: '{qid[:40]}' is not a question of this version")
        return
    result.question_ids.add(q.id)
    names = field_names(q.id)

    def ref(col: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{sheet}!{get_column_letter(col)}{row} ({q.id})"

    items, problem = posted_values(q, values[COL_ANSWER - 1])
    if problem:
        result.errors.append(f"{ref(COL_ANSWER)}: {problem}")
    for item in items:
        result.formdata.add(names.value, item)
    na = text_of(values[COL_NA - 1])
    if na:
        if not q.allow_na:
            result.errors.append(f"{ref(COL_NA)}: this question cannot be marked not applicable")
        elif na.casefold() in ("yes", "y", "x", "true", "1"):
            result.formdata.add(names.na, "y")
        else:
            result.errors.append(f"{ref(COL_NA)}: write 'Yes' or leave it empty")
    for col, name in ((COL_COMMENT, names.comment), (COL_REASON, names.reason)):
        text = text_of(values[col - 1])
        if text:
            result.formdata.add(name, text)
    result.cells.update(
        {
            names.value: ref(COL_ANSWER),
            names.na: ref(COL_NA),
            names.comment: ref(COL_COMMENT),
            names.reason: ref(COL_REASON),
            names.files: ref(COL_ANSWER),
            names.thumbprint: ref(COL_ANSWER),
        }
    )
