"""A CAIQ-based questionnaire and completed CAIQs, generated here (made-up questions, no CSA
content), for the tests of a vendor's CAIQ upload."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.questionnaires.helpers_imports import CAIQ_HEADER, caiq_workbook
from tests.support.factories import approved_version
from vendorrisk.questionnaires.importers.caiq import import_caiq

SHEET = "CAIQv4.0.3"
# The layout's answer and description columns (CAIQ_HEADER: C and E).
ANSWER, DESCRIPTION = "C", "E"
# Sections of the imported template: 0 "Audit & Assurance" (a_a_01_1, a_a_02_1),
# 1 "Identity & Access Management" (iam_01_1, iam_02_1).
CONTROLS = {
    "A&A-01.1": ("A&A-01", "Audit & Assurance"),
    "A&A-02.1": ("A&A-02", "Audit & Assurance"),
    "IAM-01.1": ("IAM-01", "Identity & Access Management"),
    "IAM-02.1": ("IAM-02", "Identity & Access Management"),
    "A&A-09.2": ("A&A-09", "Audit & Assurance"),  # not in the template
}


def caiq_version():
    """Import the generated CAIQ-layout workbook as a template and approve it."""
    converted = import_caiq(caiq_workbook(), "caiq-v4.xlsx", template_id="caiq-baseline")
    return approved_version(converted.yaml_text)


def filled_caiq(answers: list[tuple], *, extra: list[list] | None = None, title=SHEET) -> bytes:
    """Return a completed CAIQ: a title row, the header (row 2), one row per (id, answer,
    description) from row 3 on, then `extra` rows as given."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["Consensus Assessments Initiative Questionnaire v4 (test layout)"])
    ws.append(CAIQ_HEADER)
    for caiq_id, answer, description in answers:
        control, domain = CONTROLS.get(caiq_id, ("", ""))
        ws.append(
            [caiq_id, "made-up wording", answer, "CSP-owned", description, None, control]
            + ["spec", "title", domain]
        )
    for row in extra or []:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client, aid: int, data: bytes, name: str = "acme-caiq.xlsx", **kw):
    """Post a completed CAIQ through the portal."""
    return client.post(
        f"/portal/a/{aid}/caiq",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        **kw,
    )
