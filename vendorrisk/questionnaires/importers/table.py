"""Read the rows of an uploaded spreadsheet (XLSX or CSV) as text, with each cell's reference.

XLSX goes through the offline workbook's container check (size, parts, inflated size, macros,
XML declarations) and is opened by openpyxl read-only: formulas are read as their text and
never computed, and the cells that hold one are listed (`Table.formulas`) for readers that
refuse them. Merged cells in the header or the question rows are refused, since only the
first cell of a merged range holds the value.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from .common import ImportRefused, Problem, refuse

MAX_CSV_BYTES = 5 * 1024 * 1024  # as the workbook's MAX_BYTES
MAX_ROWS = 2000  # question rows per import
MAX_COLUMNS = 100  # columns read from each row
HEADER_SEARCH_ROWS = 20  # rows looked at to find a header by its names
TOO_MANY_ROWS = "question rows, the most one import takes; split it into several questionnaires"
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Za-z0-9:$]+)\"")


@dataclass
class Table:
    """One sheet: its header row and the rows below it, each cell as trimmed text."""

    name: str  # what a cell reference starts with: "CAIQ!", "questions.csv!"
    header_row: int
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    # (row number, 0-based column) of each cell holding a formula (XLSX only).
    formulas: set[tuple[int, int]] = field(default_factory=set)

    def ref(self, column: int, row: int) -> str:
        """Return a cell's reference, e.g. `Questions!C7` (column is 0-based)."""
        return f"{self.name}!{column_letter(column + 1)}{row}"


def column_letter(number: int) -> str:
    """Return a spreadsheet column's letters (1 -> A, 27 -> AA)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def normal(text: str) -> str:
    """Compare header names ignoring case and runs of spaces."""
    return " ".join(text.split()).casefold()


def cell_text(value: object) -> str:
    """Return a cell's value as text: whole numbers without '.0', dates as yyyy-mm-dd."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def read_table(
    data: bytes,
    filename: str,
    *,
    sheet: str | None = None,
    header_row: int | None = 1,
    is_header: Callable[[list[str]], bool] | None = None,
    pick_sheet: Callable[[list[str]], str | None] | None = None,
    max_rows: int = MAX_ROWS,
    too_many: str = TOO_MANY_ROWS,
) -> Table:
    """Read an uploaded .xlsx or .csv; raise ImportRefused for a file that cannot be read.

    The header is `header_row`, or (with `header_row=None`) the first of the first rows that
    `is_header` accepts. A sheet with more than `max_rows` rows below it is refused, the
    message ending in `too_many` ("the sheet has more than 2,000 question rows, ...").
    """
    suffix = PurePath(filename).suffix.lower()
    formulas: set[tuple[int, int]] = set()
    if suffix == ".csv":
        raw_rows: Iterable[tuple[int, list[str]]] = _csv_rows(data, filename)
        table_name, merged = PurePath(filename).name, []
    elif suffix == ".xlsx":
        table_name, raw_rows, merged, formulas = _xlsx_rows(
            data, filename, sheet, pick_sheet, max_rows
        )
    else:
        raise refuse(
            PurePath(filename).name,
            "upload an .xlsx workbook or a .csv file (macro-enabled .xlsm workbooks and other "
            "formats are not accepted)",
        )
    table = _table(table_name, raw_rows, merged, header_row, is_header, (max_rows, too_many))
    table.formulas = formulas
    return table


def _table(name, raw_rows, merged, header_row, is_header, limit) -> Table:
    max_rows, too_many = limit
    table: Table | None = None
    problems: list[Problem] = []
    for number, cells in raw_rows:
        if table is None:
            if header_row is None:
                if number > HEADER_SEARCH_ROWS:
                    break
                if not (is_header and is_header(cells)):
                    continue
            elif number < header_row:
                continue
            elif number > header_row:
                raise refuse(f"{name}!{header_row}", "the header row is empty")
            table = Table(name, number, cells)
            continue
        if not any(cells):
            continue
        if len(table.rows) >= max_rows:
            raise refuse(f"{name}!{number}", f"the sheet has more than {max_rows:,} {too_many}")
        table.rows.append((number, cells))
    if table is None:
        raise refuse(
            name,
            "no header row found (the row naming the columns)"
            if header_row is None
            else f"the sheet has no row {header_row} to read the column names from",
        )
    if merged:
        from openpyxl.utils import range_boundaries  # loaded only for a workbook
    for ref in merged:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row is not None and max_row >= table.header_row:
            problems.append(
                Problem(
                    f"{name}!{ref}",
                    "merged cells are not read (only the first cell of a merged range holds the "
                    "value): unmerge them and write the value in every cell",
                )
            )
    if problems:
        raise ImportRefused(problems)
    return table


def _csv_rows(data: bytes, filename: str) -> Iterable[tuple[int, list[str]]]:
    name = PurePath(filename).name
    if len(data) > MAX_CSV_BYTES:
        raise refuse(name, f"the file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(
            name,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} at position {exc.start}); "
            "save it as “CSV UTF-8”",
        ) from exc
    if "\x00" in text:
        raise refuse(name, "the file is not CSV text")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise refuse(name, f"the file is not well-formed CSV: {exc}") from exc
    return [
        (number, [c.strip() for c in cells[:MAX_COLUMNS]])
        for number, cells in enumerate(rows, start=1)
    ]


def _xlsx_rows(data, filename, sheet, pick_sheet, max_rows):
    # openpyxl is loaded only when a workbook is read (commands start without it).
    from openpyxl import load_workbook

    from vendorrisk.questionnaires.workbook import WorkbookRefused, check_container

    name = PurePath(filename).name
    try:
        check_container(data, filename)
    except WorkbookRefused as exc:
        raise refuse(name, str(exc).rstrip(".")) from exc
    try:
        wb = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_vba=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise refuse(name, "the workbook could not be read (is it a damaged file?)") from exc
    try:
        title = sheet or (pick_sheet(wb.sheetnames) if pick_sheet else None) or wb.sheetnames[0]
        if title not in wb.sheetnames:
            raise refuse(
                name,
                f"the workbook has no sheet {title!r}; its sheets are: "
                + ", ".join(repr(s) for s in wb.sheetnames[:20]),
            )
        ws = wb[title]
        with ws._get_source() as source:  # merged ranges are not parsed in read-only mode
            merged = [m.decode().replace("$", "") for m in _MERGE.findall(source.read())]
        rows, formulas = [], set()
        for number, row in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
            # A formula is kept as its text ("=A1&B1"): nothing is ever computed.
            cells = [cell_text(getattr(c, "value", None)) for c in row]
            formulas.update(
                (number, i) for i, c in enumerate(row) if getattr(c, "data_type", None) == "f"
            )
            if any(cells):
                rows.append((number, cells))
            if len(rows) > max_rows + HEADER_SEARCH_ROWS + 100:
                break  # enough to know the sheet is too long
        return title, rows, merged, formulas
    finally:
        wb.close()


def column_index(table: Table) -> dict[str, list[int]]:
    """Return each normalised header name with the columns (0-based) that carry it."""
    index: dict[str, list[int]] = {}
    for i, name in enumerate(table.header):
        if name:
            index.setdefault(normal(name), []).append(i)
    return index
