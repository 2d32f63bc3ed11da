"""Inputs for the import tests, generated here: a workbook in the CAIQ v4 layout (made-up
questions, no CSA content), spreadsheets for a column mapping, and VSAQ files in the structure
VSAQ documents (block, line, box, yesno, check, radiogroup, checkgroup, info, tip, upload)."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import Workbook

CAIQ_HEADER = [
    "Question ID",
    "Question",
    "CSP CAIQ Answer",
    "SSRM Control Ownership",
    "CSP Implementation Description (Optional/Recommended)",
    "CSC Responsibilities (Optional/Recommended)",
    "CCM Control ID",
    "CCM Control Specification",
    "CCM Control Title",
    "CCM Domain Title",
]
# (question id, text, control id, domain title): invented wording in the CAIQ's shape.
CAIQ_ROWS = [
    (
        "A&A-01.1",
        "Is an audit policy written and reviewed every year?",
        "A&A-01",
        "Audit & Assurance",
    ),
    ("A&A-02.1", "Are independent audits run at least yearly?", "A&A-02", "Audit & Assurance"),
    ("IAM-01.1", "Is an access control policy in force?", "IAM-01", "Identity & Access Management"),
    ("IAM-02.1", "Are strong passwords enforced?", "IAM-02", "Identity & Access Management"),
]


def xlsx(rows: list[list], *, title: str = "Sheet1", merge: str | None = None) -> bytes:
    """Return a workbook with one sheet holding `rows`."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def caiq_workbook(rows=CAIQ_ROWS, *, extra: list[list] | None = None, banner: bool = True) -> bytes:
    """Return a workbook in the CAIQ v4 layout: a merged title row, the header, the questions."""
    sheet = [["Consensus Assessments Initiative Questionnaire v4 (test layout)"]] if banner else []
    sheet.append(CAIQ_HEADER)
    for qid, text, control, domain in rows:
        sheet.append([qid, text, None, "CSP-owned", None, None, control, "spec", "title", domain])
    sheet += extra or []
    return xlsx(sheet, title="CAIQv4.0.3", merge="A1:J1" if banner else None)


SHEET_HEADER = ["Ref", "Area", "Question", "Kind", "Options", "Guidance", "Controls", "Points"]
SHEET_ROWS = [
    [
        "1.1",
        "Governance",
        "Do you keep a security policy?",
        "yes/no",
        "",
        "Attach it later.",
        "ISO A.5.1",
        "2",
    ],
    [
        "1.2",
        "",
        "How mature is your programme?",
        "choice",
        "Managed [100]; Defined [60]; Ad hoc [0]",
        "",
        "ISO A.5.2",
        "1",
    ],
    [
        "2.1",
        "Operations",
        "Which clouds do you use?",
        "multi",
        "aws = AWS; gcp = Google Cloud; Other",
        "",
        "",
        "",
    ],
    ["2.2", "", "When was your last test?", "date", "", "", "", ""],
    ["2.3", "", "Anything else?", "long text", "", "", "", ""],
]
MAPPING_YAML = """\
columns:
  id: Ref
  section: Area
  text: Question
  type: Kind
  choices: Options
  help: Guidance
  controls: Controls
  weight: Points
defaults:
  framework: "ISO/IEC 27001:2022"
template:
  id: acme-sig-lite
  title: Acme due diligence
"""


def sheet_csv(rows=SHEET_ROWS, header=SHEET_HEADER) -> bytes:
    """Return the mapped spreadsheet as CSV bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


VSAQ = {
    "version": 1,
    "questionnaire": [
        {
            "type": "block",
            "text": "Vendor <b>security</b> review",
            "items": [
                {
                    "type": "block",
                    "id": "general_block",
                    "text": "General",
                    "items": [
                        {
                            "type": "line",
                            "id": "company_name",
                            "text": "Company name",
                            "required": True,
                        },
                        {
                            "type": "yesno",
                            "id": "has_program",
                            "text": "Do you run a security programme?",
                            "yes": "Yes, we do",
                            "no": "No",
                        },
                        {
                            "type": "tip",
                            "id": "program_tip",
                            "cond": "has_program/no",
                            "warn": "yes",
                            "severity": "high",
                            "text": "A programme is expected.",
                        },
                        {"type": "info", "text": "Which standards do you follow?"},
                        {
                            "type": "checkgroup",
                            "id": "standards",
                            "defaultChoice": True,
                            "cond": "has_program/yes",
                            "choices": [{"iso27001": "ISO 27001"}, {"soc2": "SOC 2"}],
                        },
                        {
                            "type": "tip",
                            "id": "soc2_why",
                            "cond": "soc2 && !iso27001",
                            "text": "ISO 27001 is preferred.",
                            "why": "Why no ISO 27001?",
                        },
                        {"type": "spacer"},
                    ],
                },
                {
                    "type": "block",
                    "id": "hosting_block",
                    "text": "Hosting",
                    "cond": "has_program",
                    "items": [
                        {
                            "type": "radiogroup",
                            "id": "hosting_kind",
                            "text": "Where do you host?",
                            "choices": [{"host_cloud": "Cloud"}, {"host_onprem": "On premises"}],
                        },
                        {
                            "type": "block",
                            "text": "Cloud",
                            "cond": "host_cloud",
                            "items": [
                                {
                                    "type": "box",
                                    "id": "cloud_details",
                                    "text": "Describe your cloud set-up.",
                                },
                                {
                                    "type": "check",
                                    "id": "cloud_declaration",
                                    "text": "Our cloud provider is certified.",
                                },
                                {
                                    "type": "upload",
                                    "id": "cloud_report",
                                    "text": "Attach the provider's report.",
                                    "cond": "cloud_declaration",
                                },
                            ],
                        },
                    ],
                },
            ],
        }
    ],
}


def vsaq_bytes(document=None, *, published: bool = True) -> bytes:
    """Return a VSAQ file; `published` adds what Google's files carry: a `//` licence header
    and one string joined with `+`."""
    text = json.dumps(document or VSAQ, indent=2)
    if published:
        text = text.replace(
            '"Describe your cloud set-up."', '"Describe your " +\n    "cloud set-up."'
        )
        text = "// Copyright notice\n// Licensed under a licence.\n" + text
    return text.encode()


def vsaq_with(item: dict) -> bytes:
    """Return a small VSAQ file whose one section holds a yes/no question and `item`."""
    return vsaq_bytes(
        {
            "questionnaire": [
                {
                    "type": "block",
                    "text": "Small",
                    "items": [
                        {
                            "type": "block",
                            "text": "Only",
                            "items": [
                                {"type": "yesno", "id": "q1", "text": "First?"},
                                item,
                            ],
                        }
                    ],
                }
            ]
        },
        published=False,
    )
