"""The workbook format on its own: every shipped template survives a blank round trip, and
vendor text that looks like a formula is written as text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from vendorrisk.questionnaires import workbook
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.validator import validate_path

SHIPPED = sorted(Path(__file__).resolve().parents[2].joinpath("questionnaires").glob("*.yaml"))
BINDING = workbook.Binding("7", "3", "ab" * 32, "cd" * 32)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_blank_workbook_of_each_shipped_template_reads_back_without_errors(path):
    template, errors = validate_path(path)
    assert template is not None, errors
    data = workbook.build(template, {}, BINDING, template.title)
    read = workbook.read(data, "blank.xlsx", template)
    assert read.errors == []
    assert read.binding == BINDING
    assert read.question_ids == {q.id for q in template.questions()}
    assert not list(read.formdata.items(multi=True))


def test_text_that_looks_like_a_formula_is_written_as_text():
    template, _ = validate_path(SHIPPED[0])
    assert template is not None
    question = next(q for q in template.questions() if q.type in ("text", "long_text"))
    payload = '=HYPERLINK("http://example.invalid","x")'
    answers = {question.id: Answer(value=payload, comment="+cmd|' /C calc'!A0")}
    book = load_workbook(io.BytesIO(workbook.build(template, answers, BINDING, "t")))
    cells = [
        c
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and ("HYPERLINK" in c.value or "calc" in c.value)
    ]
    assert sorted(c.value for c in cells) == sorted([payload, "+cmd|' /C calc'!A0"])
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    # Read back, the text is exactly what was given: no formula, no added quote.
    read = workbook.read(workbook.build(template, answers, BINDING, "t"), "a.xlsx", template)
    assert read.errors == []
    assert read.formdata.get(f"a-{question.id}") == payload


def test_sheet_names_fit_excel():
    assert workbook.sheet_title(12, "A very long section title: with [odd] characters/here") == (
        "12. A very long section title"
    )


def test_an_offer_fills_only_an_unanswered_question_shaded_with_its_note_and_reads_back():
    path = next(p for p in SHIPPED if p.stem == "incident-readiness-baseline")
    template, _ = validate_path(path)
    assert template is not None
    first, second = [q for q in template.questions() if q.type in ("text", "long_text")][:2]
    offers = {
        q.id: workbook.Offer(Answer(value=f"earlier {q.id}"), "From your answer of 02 March 2026")
        for q in (first, second)
    }
    answers = {second.id: Answer(value="typed now")}
    data = workbook.build(template, answers, BINDING, "t", offers)
    book = load_workbook(io.BytesIO(data))
    cells = {
        ws.cell(row=r, column=1).value: [c for c in ws[r]]
        for ws in book.worksheets[1:]
        for r in range(2, ws.max_row + 1)
    }
    offered, answered = cells[first.id], cells[second.id]
    assert offered[workbook.COL_ANSWER - 1].value == f"earlier {first.id}"
    assert offered[workbook.COL_EARLIER - 1].value == "From your answer of 02 March 2026"
    assert offered[workbook.COL_ANSWER - 1].fill.start_color.rgb == workbook.OFFER_FILL
    # The draft's answer wins: no offer is written over it, and nothing marks it.
    assert answered[workbook.COL_ANSWER - 1].value == "typed now"
    assert answered[workbook.COL_EARLIER - 1].value is None
    assert answered[workbook.COL_ANSWER - 1].fill.fill_type is None
    read = workbook.read(data, "a.xlsx", template)
    assert read.errors == []
    assert read.formdata.get(f"a-{first.id}") == f"earlier {first.id}"
