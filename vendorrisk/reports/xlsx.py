"""Spreadsheet exports: answers, scores and findings, as one XLSX workbook or a CSV per sheet.

SECURITY.md item 25: vendor text never becomes a formula. In the workbook a text cell that starts
with =, +, -, @, a tab or a carriage return is stored as a string with Excel's quote prefix (the
value is kept as written); in CSV it gets a leading apostrophe (core.spreadsheet.safe_cell).
Times are real date-time cells in UTC, dates real date cells.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.campaigns.models import CAIQ_EVIDENCE, Assignment, Campaign, Recipient, Response
from vendorrisk.core.spreadsheet import ILLEGAL_CHARACTERS_RE, csv_text, safe_cell
from vendorrisk.extensions import db
from vendorrisk.questionnaires.display import answer_text
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review import effective
from vendorrisk.review.effective import VERDICT_LABELS, EffectiveResult
from vendorrisk.review.models import Finding
from vendorrisk.review.queries import category_label
from vendorrisk.scoring.result import round_display
from vendorrisk.vendors.models import Vendor

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell

MAX_CELL = 32767
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_COLOUR, HEADER_BACKGROUND = "FFFFFF", "1F3B57"


@dataclass(frozen=True)
class Column:
    title: str
    width: int


@dataclass
class Sheet:
    """One sheet: its name, columns and rows of plain values."""

    name: str
    columns: list[Column]
    rows: list[list]


SHEETS = ("answers", "scores", "findings")

ANSWER_COLUMNS = [
    Column("Vendor", 28),
    Column("Campaign", 28),
    Column("Questionnaire", 30),
    Column("Version", 8),
    Column("Revision", 9),
    Column("Submitted (UTC)", 17),
    Column("Section", 24),
    Column("Question ID", 20),
    Column("Question", 60),
    Column("Category", 24),
    Column("Answer", 40),
    Column("Comment", 36),
    Column("Not applicable", 10),
    Column("Points earned", 10),
    Column("Points possible", 10),
    Column("Score %", 9),
    Column("Finding", 44),
    Column("Finding severity", 12),
    Column("Finding state", 16),
    Column("Evidence files", 36),
]
SCORE_COLUMNS = [
    Column("Vendor", 28),
    Column("Campaign", 28),
    Column("Questionnaire", 30),
    Column("Revision", 9),
    Column("Kind", 13),
    Column("Submitted (UTC)", 17),
    Column("Late", 7),
    Column("Attested by", 24),
    Column("Attester's title", 22),
    Column("Attestation SHA-256", 66),
    Column("Overall score", 10),
    Column("Band", 7),
    Column("Result", 14),
    Column("Engine's overall score", 12),
    Column("Engine's band", 10),
    Column("Reviewer overrides", 10),
    Column("Category", 28),
    Column("Category score", 10),
    Column("Points earned", 10),
    Column("Points possible", 10),
]
FINDING_COLUMNS = [
    Column("Finding ID", 10),
    Column("Vendor", 28),
    Column("Campaign", 28),
    Column("Question ID", 20),
    Column("Finding", 50),
    Column("Detail", 40),
    Column("Severity", 10),
    Column("Original severity", 10),
    Column("Severity justification", 30),
    Column("Category", 22),
    Column("Source", 10),
    Column("Internal", 8),
    Column("State", 18),
    Column("Raised (UTC)", 17),
    Column("Due date", 11),
    Column("Remediation owner", 20),
    Column("Remediation date", 11),
    Column("Remediation", 44),
    Column("Risk accepted by", 22),
    Column("Acceptance reason", 36),
    Column("Accepted until", 11),
    Column("Closed (UTC)", 17),
]


def _num(value) -> float | None:
    return None if value is None else round(float(value), 4)


def _score(value) -> float | None:
    text = round_display(value)
    return None if text is None else float(text)


def score_cells(result: EffectiveResult | None) -> list:
    """Return a revision's score cells: effective overall, band and result, then the engine's."""
    if result is None:
        return [None, None, None, None, None, None]
    computed = result.computed
    return [
        _score(result.overall),
        result.band,
        VERDICT_LABELS[result.verdict],
        None if computed.not_exposed else _score(computed.overall),
        computed.band,
        len(result.overrides),
    ]


def _assignments(query) -> list[Assignment]:
    return list(
        db.session.scalars(
            query.options(
                selectinload(Assignment.vendor),
                selectinload(Assignment.campaign)
                .selectinload(Campaign.template_version)
                .selectinload(TemplateVersion.template),
                selectinload(Assignment.response).selectinload(Response.revisions),
                selectinload(Assignment.recipients).selectinload(Recipient.contact),
            ).order_by(Assignment.id)
        )
    )


def for_campaign(campaign: Campaign) -> list[Sheet]:
    """Return the sheets of a campaign export (every vendor it was sent to)."""
    return _sheets(_assignments(select(Assignment).where(Assignment.campaign_id == campaign.id)))


def for_vendor(vendor: Vendor) -> list[Sheet]:
    """Return the sheets of a vendor export (every assessment it was sent)."""
    return _sheets(_assignments(select(Assignment).where(Assignment.vendor_id == vendor.id)))


def _sheets(assignments: list[Assignment]) -> list[Sheet]:
    ids = [a.id for a in assignments]
    findings = db.session.scalars(
        select(Finding)
        .where(Finding.assignment_id.in_(ids or [-1]))
        .options(selectinload(Finding.acceptance_by))
        .order_by(Finding.id)
    ).all()
    results = effective.for_revisions(
        r for a in assignments if a.response for r in a.response.revisions if r.submitted_at
    )
    tracked: dict[tuple[int, str], Finding] = {}
    for finding in findings:
        if finding.question_id and finding.assignment_id is not None:
            tracked[(finding.assignment_id, finding.question_id)] = finding
    answers: list[list[object]] = []
    scores: list[list[object]] = []
    for assignment in sorted(assignments, key=lambda a: (a.vendor.name.lower(), a.id)):
        _assignment_rows(assignment, results, tracked, answers, scores)
    names = {a.id: (a.vendor.name, a.campaign.name) for a in assignments}
    labels = _category_titles({a.campaign.template_version for a in assignments})
    finding_rows = [
        _finding_row(f, *names.get(f.assignment_id or 0, ("", "")), labels) for f in findings
    ]
    return [
        Sheet("Answers", ANSWER_COLUMNS, answers),
        Sheet("Scores", SCORE_COLUMNS, scores),
        Sheet("Findings", FINDING_COLUMNS, finding_rows),
    ]


def _assignment_rows(
    assignment: Assignment,
    results: dict[int, EffectiveResult],
    tracked,
    answers: list,
    scores: list,
) -> None:
    response = assignment.response
    submitted = [r for r in (response.revisions if response else []) if r.submitted_at]
    if not submitted:
        return
    version = assignment.campaign.template_version
    template = parsed_version(version)
    vendor, campaign = assignment.vendor.name, assignment.campaign.name
    for revision in submitted:
        result = results.get(revision.id)
        base = [
            vendor,
            campaign,
            template.title,
            revision.number,
            revision.kind,
            revision.submitted_at,
            "yes" if revision.late else "no",
            revision.attestation_name,
            revision.attestation_title,
            revision.attestation_hash,
            *score_cells(result),
        ]
        for category in result.result.categories if result else ():
            scores.append(
                [
                    *base,
                    category.title,
                    _score(category.score),
                    _num(category.earned),
                    _num(category.possible),
                ]
            )
        if result is None or not result.result.categories:
            scores.append([*base, None, None, None, None])
    latest = submitted[-1]
    latest_result = results.get(latest.id)
    shown = latest_result.result if latest_result else None
    trace = {e.question_id: e for e in shown.trace} if shown else {}
    gaps = {f.question_id: f for f in shown.findings} if shown else {}
    files: dict[str, list[str]] = {}
    for item in latest.evidence_index or []:
        files.setdefault(item["question_id"], []).append(
            f"{item['filename']} (SHA-256 {item['sha256']})"
        )
    categories = {c.id: c.title for c in template.categories}
    answers_data = latest.answers or {}
    # What every answer row starts with: whose answers, to what, in which revision.
    revision_cells = [
        vendor,
        campaign,
        template.title,
        version.number,
        latest.number,
        latest.submitted_at,
    ]
    for section in template.sections:
        for question in section.questions:
            entry = trace.get(question.id)
            if entry is not None and entry.status.value == "hidden":
                continue
            if entry is None and question.id not in answers_data:
                continue
            data = answers_data.get(question.id) or {}
            finding = tracked.get((assignment.id, question.id))
            gap = gaps.get(question.id)
            answers.append(
                [
                    *revision_cells,
                    section.title,
                    question.id,
                    question.text,
                    categories.get(question.category or "", question.category),
                    answer_text(question, data),
                    data.get("comment"),
                    "yes" if data.get("na") else "no",
                    _num(entry.earned) if entry and entry.possible else None,
                    _num(entry.possible) if entry and entry.possible else None,
                    _score(entry.percent) if entry and entry.possible else None,
                    (finding.title if finding else (gap.summary if gap else None)),
                    (finding.severity if finding else (gap.severity if gap else None)),
                    (finding.state_label if finding else None),
                    "; ".join(files.get(question.id, [])) or None,
                ]
            )
    if files.get(CAIQ_EVIDENCE):
        # A completed CAIQ the vendor uploaded answers no one question: its own row, after them.
        answers.append(
            [
                *revision_cells,
                None,
                CAIQ_EVIDENCE,
                "Completed CAIQ uploaded with the answers",
                *([None] * 10),
                "; ".join(files[CAIQ_EVIDENCE]),
            ]
        )


def _category_titles(versions: set[TemplateVersion]) -> dict[str, str]:
    """Return {category id: title} of these template versions (a later version's title wins)."""
    labels: dict[str, str] = {}
    for version in sorted(versions, key=lambda v: v.id):
        labels.update({c.id: c.title for c in parsed_version(version).categories})
    return labels


def _finding_row(f: Finding, vendor: str, campaign: str, labels: dict[str, str]) -> list:
    return [
        f.id,
        vendor,
        campaign,
        f.question_id,
        f.title,
        f.detail,
        f.severity,
        f.original_severity,
        f.severity_justification,
        category_label(f.category, labels),
        f.source,
        "yes" if f.internal else "no",
        f.state_label,
        f.created_at,
        f.due_date,
        f.plan_owner,
        f.plan_date,
        f.remediation,
        f.acceptance_by.name if f.acceptance_by else None,
        f.acceptance_reason,
        f.acceptance_expires_on,
        f.closed_at,
    ]


# --- writing ------------------------------------------------------------------------------------


def _clean_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL]


def _cell(ws, value) -> WriteOnlyCell:
    from openpyxl.cell import WriteOnlyCell  # loaded by workbook() already: a dictionary look-up

    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=value.astimezone(UTC).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        text = _clean_text(value)
        cell = WriteOnlyCell(ws, value=text)
        if safe_cell(text) != text or cell.data_type != "s":
            # Text, never a formula: stored as a string, shown as typed (Excel's quote prefix).
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell
    return WriteOnlyCell(ws, value=value)


def workbook(sheets: list[Sheet]) -> bytes:
    """Write the sheets as one XLSX workbook and return its bytes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill

    header_font = Font(bold=True, color=HEADER_COLOUR)
    header_fill = PatternFill("solid", fgColor=HEADER_BACKGROUND)
    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=column.title)
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_cell(ws, value) for value in row])
        ws.auto_filter.ref = f"A1:{_letter(len(sheet.columns))}{max(1, len(sheet.rows) + 1)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _csv_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def csv_sheet(sheet: Sheet) -> str:
    """Write one sheet as CSV text (formula-looking text quoted with an apostrophe)."""
    rows: Iterable[list] = ([_csv_value(v) for v in row] for row in sheet.rows)
    return csv_text([c.title for c in sheet.columns], rows)
