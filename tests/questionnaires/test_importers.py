"""Spreadsheet (by mapping), CAIQ v4 and VSAQ files to our template YAML: what is carried over,
and every kind of bad input refused with its cell or item id."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import yaml
from helpers_imports import (
    CAIQ_ROWS,
    MAPPING_YAML,
    SHEET_HEADER,
    SHEET_ROWS,
    VSAQ,
    caiq_workbook,
    sheet_csv,
    vsaq_bytes,
    vsaq_with,
    xlsx,
)
from openpyxl import load_workbook

from vendorrisk.questionnaires.importers import caiq, jsjson, vsaqcond
from vendorrisk.questionnaires.importers.common import ImportRefused
from vendorrisk.questionnaires.importers.mapping import parse_mapping
from vendorrisk.questionnaires.importers.sheet import import_sheet, parse_choices
from vendorrisk.questionnaires.importers.vsaq import import_vsaq
from vendorrisk.questionnaires.validator import check_source


def _parsed(converted):
    checked = check_source(converted.yaml_text, "imported.yaml")
    assert checked.errors == []
    return checked.template


def _refused(call, *args, **kwargs) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        call(*args, **kwargs)
    return [str(p) for p in caught.value.problems]


MAPPING = parse_mapping(MAPPING_YAML, "map.yaml")


# --- CAIQ v4 ---------------------------------------------------------------------------------


def test_a_caiq_layout_workbook_becomes_scored_yes_no_questions_mapped_to_ccm():
    converted = caiq.import_caiq(caiq_workbook(), "caiq.xlsx")
    template = _parsed(converted)
    assert converted.questions == len(CAIQ_ROWS) and converted.notes == []
    assert [s.title for s in template.sections] == [
        "Audit & Assurance",
        "Identity & Access Management",
    ]
    q = template.question(caiq.question_id("A&A-01.1"))
    assert q.id == "a_a_01_1" and q.type == "yes_no" and q.allow_na
    assert q.text == "Is an audit policy written and reviewed every year?"
    assert q.frameworks == ("CCM v4 A&A-01",)
    assert [(o.value, o.score) for o in q.options] == [("yes", 100), ("no", 0)]
    assert q.weight == 1 and q.category == "audit_assurance"
    assert q.finding_title == "A&A-01.1: Is an audit policy written and reviewed every year?"


def test_an_imported_scored_question_gets_a_finding_title_from_its_id_and_text_within_80():
    long_text = "Do you " + "review and approve the configuration of every production system " * 3
    converted = caiq.import_caiq(
        caiq_workbook([("IAM-09.3", long_text, "IAM-09", "Identity & Access Management")]),
        "caiq.xlsx",
    )
    title = _parsed(converted).question("iam_09_3").finding_title
    assert title.startswith("IAM-09.3: Do you review and approve") and title.endswith("…")
    assert len(title) <= 80 and converted.notes == []


def test_caiq_takes_control_and_domain_from_the_question_id_when_their_columns_are_absent():
    data = xlsx(
        [["Question ID", "Question", "CSP CAIQ Answer"], ["DSP-07.2", "Is data classified?", ""]],
        title="CAIQv4.0.2",
    )
    template = _parsed(caiq.import_caiq(data, "caiq.xlsx"))
    assert template.question("dsp_07_2").frameworks == ("CCM v4 DSP-07",)
    assert template.sections[0].title == "DSP"


def test_a_workbook_without_the_caiq_header_is_refused():
    problems = _refused(caiq.import_caiq, xlsx([["Id", "Text"], ["1", "A?"]]), "x.xlsx")
    assert problems == ["Sheet1: no header row found (the row naming the columns)"]


def test_merged_cells_among_the_questions_are_refused_with_their_range():
    data = caiq_workbook(extra=[["IAM-03.1", "Merged?"]])
    wb = load_workbook(io.BytesIO(data))
    wb.active.merge_cells("B4:C4")
    buffer = io.BytesIO()
    wb.save(buffer)
    problems = _refused(caiq.import_caiq, buffer.getvalue(), "caiq.xlsx")
    assert len(problems) == 1 and problems[0].startswith("CAIQv4.0.3!B4:C4: merged cells")


def test_empty_and_duplicate_caiq_ids_are_refused_with_their_cells():
    rows = [*CAIQ_ROWS, ("A&A-01.1", "Again?", "A&A-01", "Audit"), ("", "No id?", "X-01", "X")]
    problems = _refused(caiq.import_caiq, caiq_workbook(rows), "caiq.xlsx")
    assert problems == [
        "CAIQv4.0.3!A7: duplicate question id 'A&A-01.1'; first used at CAIQv4.0.3!A3",
        "CAIQv4.0.3!A8: the question id is empty",
    ]


def test_two_source_ids_that_become_one_question_id_are_refused():
    rows = [CAIQ_ROWS[0], ("A-A-01.1", "Clash?", "A&A-01", "Audit & Assurance")]
    problems = _refused(caiq.import_caiq, caiq_workbook(rows), "caiq.xlsx")
    assert "it becomes 'a_a_01_1', as 'A&A-01.1' does" in problems[0]


# --- any spreadsheet by mapping --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_mapped_spreadsheet_becomes_the_template_it_describes(kind):
    data = sheet_csv() if kind == "csv" else xlsx([SHEET_HEADER, *SHEET_ROWS])
    template = _parsed(import_sheet(data, f"sig.{kind}", MAPPING))
    assert (template.id, template.title) == ("acme-sig-lite", "Acme due diligence")
    assert [s.title for s in template.sections] == ["Governance", "Operations"]
    policy = template.question("q_1_1")
    assert policy.type == "yes_no" and policy.weight == 2 and policy.help == "Attach it later."
    assert policy.frameworks == ("ISO/IEC 27001:2022 ISO A.5.1",)
    maturity = template.question("q_1_2")
    assert [(o.value, o.label, o.score) for o in maturity.options] == [
        ("managed", "Managed", 100),
        ("defined", "Defined", 60),
        ("ad_hoc", "Ad hoc", 0),
    ]
    clouds = template.question("q_2_1")
    assert clouds.type == "multi_choice" and clouds.weight == 0
    assert [o.value for o in clouds.options] == ["aws", "gcp", "other"]
    assert template.question("q_2_2").type == "date"
    assert template.question("q_2_3").type == "long_text"
    assert [c.id for c in template.categories] == ["governance"]


def test_weighted_rows_take_their_finding_title_from_a_mapped_column_else_id_and_text():
    header = [*SHEET_HEADER, "Gap"]
    rows = [[*row, ""] for row in SHEET_ROWS]
    rows[0][-1] = "  No written   security policy "
    rows[2][-1] = "Cloud list missing"  # an unscored row keeps a title it is given
    mapping = parse_mapping(
        MAPPING_YAML.replace("  weight: Points\n", "  weight: Points\n  finding_title: Gap\n"),
        "m.yaml",
    )
    template = _parsed(import_sheet(sheet_csv(rows, header), "sig.csv", mapping))
    assert template.question("q_1_1").finding_title == "No written security policy"
    assert template.question("q_1_2").finding_title == "1.2: How mature is your programme?"
    assert template.question("q_2_1").finding_title == "Cloud list missing"
    assert template.question("q_2_2").finding_title is None  # not scored, nothing given


def test_a_finding_title_longer_than_the_format_allows_is_refused_with_its_cell():
    header = [*SHEET_HEADER, "Gap"]
    rows = [[*row, ""] for row in SHEET_ROWS]
    rows[1][-1] = "x" * 81
    mapping = parse_mapping(
        MAPPING_YAML.replace("  weight: Points\n", "  weight: Points\n  finding_title: Gap\n"),
        "m.yaml",
    )
    problems = _refused(import_sheet, sheet_csv(rows, header), "sig.csv", mapping)
    assert problems == ["sig.csv!I3: the finding title has 81 characters; at most 80"]


def test_formulas_are_read_as_their_text_never_computed():
    rows = [SHEET_HEADER, ["1", "A", '=CONCATENATE("Do you ","patch?")', "", "", "", "", ""]]
    template = _parsed(import_sheet(xlsx(rows), "f.xlsx", MAPPING))
    assert template.question("q_1").text == '=CONCATENATE("Do you ","patch?")'


def test_a_mapping_naming_a_column_the_sheet_lacks_is_refused():
    mapping = parse_mapping(MAPPING_YAML.replace("text: Question", "text: Questoin"), "m.yaml")
    problems = _refused(import_sheet, sheet_csv(), "sig.csv", mapping)
    assert problems[0].startswith(
        "sig.csv!1: unknown column 'Questoin' (columns.text of the mapping); the header row has:"
    )


def test_a_column_named_twice_is_refused():
    header = [*SHEET_HEADER[:-1], "Question"]
    problems = _refused(import_sheet, sheet_csv(header=header), "sig.csv", MAPPING)
    assert any(
        "the column 'Question' appears twice (sig.csv!C1 and sig.csv!H1)" in p for p in problems
    )


def test_a_mapping_file_with_an_unknown_key_is_refused_with_its_line():
    problems = _refused(parse_mapping, MAPPING_YAML.replace("  help:", "  hepl:"), "m.yaml")
    assert problems == [
        "m.yaml:7: columns.hepl: unknown key (the keys are: id, text, section, type, choices, "
        "help, controls, weight, finding_title)"
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Yes;;No", "choice 2 is empty (two separators in a row)"),
        ("Good [x]; Bad [0]", "choice 1: the score [x] is not a number"),
        ("Good [120]; Bad [0]", "choice 1: the score must be from 0 to 100"),
        ("Good [100; Bad", "does not parse"),
        ("Only one", "a choice list needs at least two choices"),
        ("a = A; a = B", "choice 2: the value 'a' is given twice"),
        ("- = Dash; b = B", "is not a usable value"),
    ],
)
def test_choice_lists_that_do_not_parse_say_why(text, reason):
    options, problem = parse_choices(text)
    assert options == [] and reason in problem


def test_every_bad_cell_of_a_sheet_is_reported_and_nothing_is_made():
    rows = [
        ["1", "A", "", "yes/no", "", "", "", ""],
        ["2", "A", "Pick?", "choice", "Good [100];; Bad", "", "C-1", "1"],
        ["3", "A", "Kind?", "essay", "", "", "", ""],
        ["4", "A", "Weighted text?", "text", "", "", "", "3"],
        ["5", "A", "No control?", "yes/no", "", "", "", "1"],
        ["6", "A", "Weight?", "yes/no", "", "", "", "lots"],
        ["7", "A", "Choices on yes/no?", "yes/no", "a; b", "", "", ""],
        ["8", "A", "Unscored choices?", "choice", "Good; Bad", "", "C-2", "1"],
    ]
    problems = _refused(import_sheet, sheet_csv(rows), "bad.csv", MAPPING)
    assert problems == [
        "bad.csv!C2: the question text is empty",
        "bad.csv!E3: choice 2 is empty (two separators in a row)",
        "bad.csv!D4: unknown answer type 'essay'; use one of: date, evidence, long_text, "
        "multi_choice, number, single_choice, text, yes_no",
        "bad.csv!H5: a text question cannot be scored by an import (weight it in the composer)",
        "bad.csv!G6: a weighted question needs at least one control id",
        "bad.csv!H7: the weight 'lots' is not a number",
        "bad.csv!E8: a yes_no question takes no choice list",
        "bad.csv!E9: a weighted question needs a score for every choice, e.g. "
        "`Done [100]; Not started [0]`",
    ]


def test_validator_messages_are_reported_at_the_cell_of_their_question():
    mapping = parse_mapping(MAPPING_YAML.replace("id: acme-sig-lite", "id: Not A Slug"), "m")
    problems = _refused(import_sheet, sheet_csv(), "sig.csv", mapping)
    assert problems and all(p.startswith("sig.csv") for p in problems)
    assert any("is not a valid slug" in p for p in problems)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("x.xlsm", b"PK\x03\x04", "macro-enabled .xlsm workbooks"),
        ("x.xlsx", b"not a zip", "This file is not an Excel workbook"),
        ("x.csv", b"\xff\xfe", "the file is not UTF-8 text"),
        ("x.csv", b'"open,quote\n', "the file is not well-formed CSV"),
        ("x.csv", b"", "the sheet has no row 1"),
        ("x.csv", b"Ref,Question\n", "no question rows below the header"),
    ],
)
def test_files_that_cannot_be_read_are_refused_whole(name, data, reason):
    mapping = parse_mapping("columns: {id: Ref, text: Question}\n", "m.yaml")
    problems = _refused(import_sheet, data, name, mapping)
    assert len(problems) == 1 and reason in problems[0]


def test_a_workbook_with_macros_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/vbaProject.bin", b"\x00")
    mapping = parse_mapping("columns: {id: Ref, text: Question}\n", "m.yaml")
    problems = _refused(import_sheet, buffer.getvalue(), "x.xlsx", mapping)
    assert problems == ["x.xlsx: Workbooks with macros are not accepted; save it as .xlsx"]


def test_too_many_rows_are_refused_with_a_clear_message():
    rows = [[str(i), "A", f"Q{i}?", "", "", "", "", ""] for i in range(2001)]
    problems = _refused(import_sheet, sheet_csv(rows), "big.csv", MAPPING)
    assert problems == [
        "big.csv!2002: the sheet has more than 2,000 question rows, the most one import takes; "
        "split it into several questionnaires"
    ]


# --- VSAQ ------------------------------------------------------------------------------------


def test_a_published_style_vsaq_file_is_read_comments_and_joined_strings_included():
    converted = import_vsaq(vsaq_bytes(), "webapp.json")
    template = _parsed(converted)
    assert template.title == "Vendor security review"
    assert [s.title for s in template.sections] == ["General", "Hosting"]
    assert template.question("company_name").type == "text"
    assert template.question("company_name").required
    program = template.question("has_program")
    assert [(o.value, o.label) for o in program.options] == [("yes", "Yes, we do"), ("no", "No")]
    assert program.help == (
        'Warning (high): A programme is expected. (shown in VSAQ only when has_program is "no")'
    )
    standards = template.question("standards")
    assert standards.text == "Which standards do you follow?"
    assert [o.value for o in standards.options] == ["iso27001", "soc2", "none_of_the_above"]
    assert standards.options[-1].exclusive
    assert (standards.show_if.question, tuple(standards.show_if.values)) == (
        "has_program",
        ("yes",),
    )
    why = template.question("soc2_why")
    assert why.type == "long_text" and why.text == "Why no ISO 27001?"
    assert template.question("cloud_details").text == "Describe your cloud set-up."
    assert template.question("cloud_report").type == "evidence"
    assert converted.notes == []


def test_vsaq_conditions_become_show_if_with_their_blocks_conditions():
    text = import_vsaq(vsaq_bytes(), "webapp.json").yaml_text
    data = yaml.safe_load(text)
    questions = {q["id"]: q for s in data["sections"] for q in s["questions"]}
    assert questions["standards"]["show_if"] == {"question": "has_program", "in": ["yes"]}
    assert questions["soc2_why"]["show_if"] == {
        "all": [
            {"question": "standards", "in": ["soc2"]},
            {"not": {"question": "standards", "in": ["iso27001"]}},
        ]
    }
    assert questions["cloud_report"]["show_if"] == {
        "all": [
            {"question": "has_program", "in": ["yes"]},
            {"question": "hosting_kind", "in": ["host_cloud"]},
            {"question": "cloud_declaration", "in": ["yes"]},
        ]
    }


def test_vsaq_reads_and_and_or_left_to_right_as_vsaq_does():
    node = vsaqcond.parse("a || b && c")
    assert node == vsaqcond.Binary(
        "&&", vsaqcond.Binary("||", vsaqcond.Name("a"), vsaqcond.Name("b")), vsaqcond.Name("c")
    )


@pytest.mark.parametrize(
    ("cond", "reason"),
    [
        ("q1/yes &", "at character 8: write '&&', not a single '&'"),
        ("(q1/yes", "the '(' at character 1 is closed by the end"),
        ("q1/yes q1/no", "'q1/no' follows a complete condition"),
        ("q1/yes && ", "the condition ends where a name was expected"),
        ('q1 && "open', "a quoted string is not closed"),
    ],
)
def test_vsaq_cond_syntax_errors_are_refused_with_the_item_id(cond, reason):
    problems = _refused(
        import_vsaq,
        vsaq_with({"type": "line", "id": "q2", "text": "Second", "cond": cond}),
        "v.json",
    )
    assert len(problems) == 1
    assert (
        problems[0].startswith("item q2: cond syntax error at character") and reason in problems[0]
    )


def test_a_cond_naming_no_item_is_refused():
    item = {"type": "line", "id": "q2", "text": "Second", "cond": "nothing_here/yes"}
    assert _refused(import_vsaq, vsaq_with(item), "v.json") == [
        "item q2: cond: the condition names 'nothing_here/yes', which is no item of the "
        "questionnaire"
    ]


def test_unsupported_vsaq_constructs_are_reported_by_item_id_never_dropped_silently():
    item = {
        "type": "radiogroup",
        "id": "q2",
        "text": "Second",
        "cond": 'q1 && contains(q1/value, "x")',
        "choices": [{"c1": "One"}, {"c2": "Two"}],
        "choicesConds": [{"c2": "q1/no"}],
        "default": "c1",
    }
    converted = import_vsaq(vsaq_with(item), "v.json")
    assert [str(n) for n in converted.notes] == [
        "item q2: its condition 'q1 && contains(q1/value, \"x\")' is not carried over (the "
        "function contains() has no show_if equivalent)",
        "item q2: conditions on single choices (choicesConds) are not carried over: every "
        "choice is always offered",
        "item q2: its default answer is not carried over",
    ]
    assert _parsed(converted).question("q2").show_if is None


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ({"type": "slider", "id": "q2"}, "item q2: unknown item type 'slider'"),
        ({"type": "line", "id": "q1", "text": "Again"}, "item q1: duplicate id 'q1'"),
        (
            {"type": "radiogroup", "id": "q2", "text": "C?"},
            "item q2: a group needs a list of choices",
        ),
        ({"type": "line", "id": "q2"}, "item q2: the question has no text"),
        (
            {"type": "radio", "id": "q2", "text": "Lone"},
            "item q2: a radio outside a radiogroup cannot be imported",
        ),
    ],
)
def test_bad_vsaq_items_are_refused_with_their_id(item, problem):
    assert _refused(import_vsaq, vsaq_with(item), "v.json") == [problem]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"questionnaire": [], }', "v.json:1:"),
        ('{"a": 1 + 2}', "v.json:1:9: '+' may only join two strings"),
        ("// only a comment\n", "v.json:2:1: Expecting value"),
        ('{"questionnaire": [{"type": "line"}]}', "all items must be in one root block"),
    ],
)
def test_files_that_are_not_vsaq_json_say_exactly_why(text, problem):
    problems = _refused(import_vsaq, text.encode(), "v.json")
    assert len(problems) == 1 and problem in problems[0]


def test_js_flavoured_json_keeps_line_numbers_across_comments_and_joins():
    with pytest.raises(jsjson.JsJsonError) as caught:
        jsjson.loads('// a\n/* b\nc */ {"a": "x" +\n "y",\n "b": oops}')
    assert (caught.value.line, caught.value.column) == (5, 7)


def test_the_fixture_holds_every_documented_item_type():
    kinds = set()

    def walk(items):
        for item in items:
            kinds.add(item["type"])
            walk(item.get("items", []))

    walk(VSAQ["questionnaire"])
    assert {
        "block",
        "line",
        "box",
        "yesno",
        "check",
        "radiogroup",
        "checkgroup",
        "info",
        "tip",
        "upload",
        "spacer",
    } <= kinds
    assert json.loads(vsaq_bytes(published=False))


def test_items_without_an_id_get_a_stable_one_as_vsaq_gives_them_a_random_one():
    group = {
        "type": "checkgroup",
        "text": "Standards?",
        "choices": [{"std_1": "One"}, {"std_2": "Two"}],
    }
    line = {"type": "line", "text": "Anything else?"}
    first = import_vsaq(vsaq_with(group), "v.json").yaml_text
    assert "id: std_1_group" in first and first == import_vsaq(vsaq_with(group), "v.json").yaml_text
    assert "id: item_2" in import_vsaq(vsaq_with(line), "v.json").yaml_text
