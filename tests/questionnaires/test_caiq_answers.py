"""A vendor's completed CAIQ read back by the CAIQ importer's layout, and the questions of a
template that are CAIQ questions."""

from __future__ import annotations

import io
import zipfile

import pytest
from helpers_imports import CAIQ_HEADER, caiq_workbook, xlsx

from vendorrisk.questionnaires.importers import caiq
from vendorrisk.questionnaires.importers.common import ImportRefused
from vendorrisk.questionnaires.validator import check_source


def _template(yaml_text: str):
    checked = check_source(yaml_text, "t.yaml")
    assert checked.template is not None, checked.errors
    return checked.template


def _filled(rows: list[list], header=CAIQ_HEADER) -> bytes:
    return xlsx([["CAIQ v4 (test layout)"], header, *rows], title="CAIQv4.0.3")


def _row(caiq_id, answer, description="", ssrm="CSP-owned"):
    return [caiq_id, "made-up wording", answer, ssrm, description]


def _refused(data: bytes, name: str = "caiq.xlsx") -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        caiq.read_answers(data, name)
    return [str(p) for p in caught.value.problems]


def test_an_imported_caiq_template_names_each_question_by_its_caiq_id():
    template = _template(caiq.import_caiq(caiq_workbook(), "caiq.xlsx").yaml_text)
    found = caiq.caiq_questions(template)
    assert {k: q.id for k, q in found.items()} == {
        "A&A-01.1": "a_a_01_1",
        "A&A-02.1": "a_a_02_1",
        "IAM-01.1": "iam_01_1",
        "IAM-02.1": "iam_02_1",
    }


def test_a_question_is_a_caiq_question_only_with_its_id_and_its_ccm_control():
    template = _template(
        """\
id: not-caiq
kind: baseline
title: Not a CAIQ
sections:
  - id: s
    title: S
    questions:
      - {id: a_a_01_1, type: yes_no, weight: 0, text: Same id without the CCM control?,
         options: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]}
      - {id: iam_09_1, type: yes_no, weight: 0, text: Another question's control?,
         frameworks: ["CCM v4 IAM-01"],
         options: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]}
      - {id: policy, type: yes_no, weight: 0, text: A control but no CAIQ id?,
         frameworks: ["CCM v4 GRC-01", "ISO/IEC 27001:2022 A.5.1"],
         options: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]}
      - {id: grc_01_3, type: yes_no, weight: 0, text: Another framework's numbering?,
         frameworks: ["ISO/IEC 27001:2022 GRC-01"],
         options: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]}
"""
    )
    assert caiq.caiq_questions(template) == {}


def test_answers_are_read_by_id_with_their_description_and_cell():
    data = _filled(
        [
            _row("A&A-01.1", "Yes", "Yearly audit."),
            _row("a&a-02.1", " no "),
            _row("IAM-01.1", "N/A", "No accounts."),
            _row("IAM-02.1", "not applicable", "None."),
            _row("IAM-03.1", "Y"),
            _row("IAM-04.1", ""),  # not answered
            _row("IAM-05.1", "", "a description but no answer"),
        ]
    )
    filled = caiq.read_answers(data, "caiq.xlsx")
    assert [(a.caiq_id, a.answer, a.comment, a.where) for a in filled.answers] == [
        ("A&A-01.1", "yes", "Yearly audit.", "CAIQv4.0.3!C3"),
        ("A&A-02.1", "no", "", "CAIQv4.0.3!C4"),
        ("IAM-01.1", "na", "No accounts.", "CAIQv4.0.3!C5"),
        ("IAM-02.1", "na", "None.", "CAIQv4.0.3!C6"),
        ("IAM-03.1", "yes", "", "CAIQv4.0.3!C7"),
    ]
    assert filled.answers[0].comment_where == "CAIQv4.0.3!E3"
    assert filled.blank == 2 and filled.problems == []


def test_rows_that_cannot_be_read_are_listed_by_cell_and_the_others_kept():
    data = _filled(
        [
            _row("A&A-01.1", "Partly"),
            _row("", "Yes"),
            _row("Audit", "Yes"),
            _row("A&A-02.1", "Yes"),
            _row("A&A-02.1", "No"),
        ]
    )
    filled = caiq.read_answers(data, "caiq.xlsx")
    assert [str(p) for p in filled.problems] == [
        "CAIQv4.0.3!C3: A&A-01.1: 'Partly' is not Yes, No or NA",
        "CAIQv4.0.3!C4: an answer without a question id in CAIQv4.0.3!A4",
        "CAIQv4.0.3!C5: 'Audit' in CAIQv4.0.3!A5 is not a CAIQ question id (like A&A-01.1)",
        "CAIQv4.0.3!C7: A&A-02.1 is answered again (first in CAIQv4.0.3!C6)",
    ]
    assert [(a.caiq_id, a.answer) for a in filled.answers] == [("A&A-02.1", "yes")]


def test_without_a_description_column_answers_carry_no_comment():
    data = _filled(
        [["A&A-01.1", "Q?", "Yes"]], header=["Question ID", "Question", "CSP CAIQ Answer"]
    )
    (answer,) = caiq.read_answers(data, "caiq.xlsx").answers
    assert (answer.comment, answer.comment_where) == ("", None)


def test_a_formula_is_refused_where_it_is_read_and_ignored_elsewhere():
    answer_formula = _filled([_row("A&A-01.1", '=IF(1,"Yes","No")')])
    assert _refused(answer_formula) == [
        "CAIQv4.0.3!C3: formulas are not accepted; type the value itself"
    ]
    description_formula = _filled([_row("A&A-01.1", "Yes", "=A1&B1")])
    assert _refused(description_formula) == [
        "CAIQv4.0.3!E3: formulas are not accepted; type the value itself"
    ]
    elsewhere = _filled([_row("A&A-01.1", "Yes", ssrm='=CONCAT("CSP","-owned")')])
    assert [a.answer for a in caiq.read_answers(elsewhere, "caiq.xlsx").answers] == ["yes"]


def test_files_that_are_not_a_plain_caiq_workbook_are_refused():
    data = _filled([_row("A&A-01.1", "Yes")])
    assert "macro-enabled workbooks (.xlsm)" in _refused(data, "caiq.xlsm")[0]
    assert "(.xlsx)" in _refused(b"Question ID,Question\n", "caiq.csv")[0]
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\0" * 16)
    assert "with macros are not accepted" in _refused(buffer.getvalue())[0]
    assert "not an Excel workbook" in _refused(b"PK\x03\x04 not really a zip")[0]
    no_answers = xlsx([["Question ID", "Question"], ["A&A-01.1", "Q?"]], title="CAIQv4.0.3")
    assert _refused(no_answers) == [
        "CAIQv4.0.3!1: the header row has no column 'CSP CAIQ Answer': this is not a CAIQ v4 "
        "workbook in its own layout (the CAIQ's own header names 'Question ID', 'Question' "
        "and 'CSP CAIQ Answer')"
    ]
    too_long = _filled([_row("A&A-01.1", "Yes")] * 2001)
    assert _refused(too_long) == [
        "CAIQv4.0.3!2003: the sheet has more than 2,000 rows below the header, more than a CAIQ has"
    ]
