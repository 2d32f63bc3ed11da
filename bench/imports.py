"""Measure the questionnaire imports: a CAIQ-layout workbook the size of CAIQ v4 (261
questions), a 1,000-row CSV by a column mapping, and a VSAQ file of 500 questions, each read,
converted and checked by the validator (no database).

Run alone: .venv/bin/python bench/imports.py [runs]
Prints `name: value unit` lines, e.g. `import caiq 261 questions: 0.21 s`.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from vendorrisk.questionnaires.importers.caiq import import_caiq  # noqa: E402
from vendorrisk.questionnaires.importers.mapping import parse_mapping  # noqa: E402
from vendorrisk.questionnaires.importers.sheet import import_sheet  # noqa: E402
from vendorrisk.questionnaires.importers.vsaq import import_vsaq  # noqa: E402

DOMAINS = [
    "A&A",
    "AIS",
    "BCR",
    "CCC",
    "CEK",
    "DCS",
    "DSP",
    "GRC",
    "HRS",
    "IAM",
    "IPY",
    "IVS",
    "LOG",
    "SEF",
    "STA",
    "TVM",
    "UEM",
]


def caiq_workbook(questions: int = 261) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "CAIQv4.0.3"
    ws.append(["Benchmark workbook in the CAIQ v4 layout"])
    ws.append(["Question ID", "Question", "CSP CAIQ Answer", "CCM Control ID", "CCM Domain Title"])
    for i in range(questions):
        domain = DOMAINS[i % len(DOMAINS)]
        control = f"{domain}-{i // len(DOMAINS) + 1:02d}"
        ws.append([f"{control}.1", f"Generated question {i}?", None, control, f"Domain {domain}"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sheet_csv(rows: int = 1000) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Ref", "Area", "Question", "Kind", "Options"])
    for i in range(rows):
        kind, options = ("choice", "Done; Planned; No") if i % 2 else ("yes/no", "")
        writer.writerow(
            [f"{i // 50 + 1}.{i % 50}", f"Area {i // 50}", f"Question {i}?", kind, options]
        )
    return buffer.getvalue().encode()


def vsaq_file(questions: int = 500) -> bytes:
    items = []
    for i in range(questions):
        cond = {"cond": f"q{i - 1}/yes"} if i % 5 else {}
        items.append({"type": "yesno", "id": f"q{i}", "text": f"Question {i}?", **cond})
    document = {
        "questionnaire": [
            {
                "type": "block",
                "text": "Bench",
                "items": [{"type": "block", "text": "Only", "items": items}],
            }
        ]
    }
    return ("// licence\n" + json.dumps(document)).encode()


def timed(name: str, call, runs: int) -> None:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    print(f"{name} {result.questions} questions: {best:.3f} s")


def main(runs: int = 3) -> None:
    caiq = caiq_workbook()
    timed("import caiq", lambda: import_caiq(caiq, "caiq.xlsx"), runs)
    mapping = parse_mapping(
        "columns: {id: Ref, section: Area, text: Question, type: Kind, choices: Options}\n", "m"
    )
    data = sheet_csv()
    timed("import sheet csv", lambda: import_sheet(data, "sheet.csv", mapping), runs)
    vsaq = vsaq_file()
    timed("import vsaq", lambda: import_vsaq(vsaq, "bench.json"), runs)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
