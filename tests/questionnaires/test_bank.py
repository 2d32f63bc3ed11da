"""The question bank: every block is valid, parameters are filled from the advisory, a drafted
questionnaire scores best, typical and worst answers into the intended bands, and an advisory
that cannot be drafted from says why."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pytest

from vendorrisk.advisories.document import AdvisoryDocument
from vendorrisk.advisories.validator import parse_path
from vendorrisk.questionnaires import bank
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.canonical import content_hash
from vendorrisk.questionnaires.schema import Template
from vendorrisk.questionnaires.validator import check_source
from vendorrisk.scoring import check_trace, score_response
from vendorrisk.scoring.result import ScoreResult, Verdict

ROOT = Path(__file__).resolve().parents[2]
ADVISORIES = sorted(p.stem for p in (ROOT / "advisories").glob("*.md"))
D = datetime.date
FILE = "a" * 64


def advisory(slug: str) -> AdvisoryDocument:
    parsed = parse_path(ROOT / "advisories" / f"{slug}.md", f"advisories/{slug}.md")
    assert parsed.document is not None, [str(e) for e in parsed.errors]
    return parsed.document


def drafted(document: AdvisoryDocument, **kwargs) -> Template:
    """Draft, write as YAML and read it back through the validator, as an upload is."""
    checked = check_source(bank.to_yaml(bank.draft_from_advisory(document, **kwargs)), "d.yaml")
    assert checked.template is not None, [str(e) for e in checked.errors]
    return checked.template


def minimal(**fields) -> AdvisoryDocument:
    data = {
        "slug": "widget-breach-2025",
        "title": "Widget breach",
        "publisher": "Acme",
        "published": D(2025, 3, 10),
        "severity": "high",
        "summary": "Widget Server was breached.",
        "key_dates": [
            {"name": "compromise_date", "label": "Acme disclosed it", "date": "2025-03-10"}
        ],
        "affected_products": [{"supplier": "Acme", "name": "Widget Server"}],
    }
    data.update(fields)
    return AdvisoryDocument.model_validate(data)


# --- the bank itself ------------------------------------------------------------------------------


def test_every_block_loads_and_is_valid_on_its_own():
    blocks = bank.load_bank()
    assert list(blocks) == list(bank.DEFAULT_ORDER)
    files = sorted(p.stem for p in bank.BANK_DIR.glob("*.yaml"))
    assert sorted(blocks) == files


def test_every_scored_question_has_scoring_remediation_finding_and_controls():
    families = set()
    for block in bank.load_bank().values():
        for question in block.questions:
            assert question.get("frameworks"), f"{block.block}/{question['id']} maps to no control"
            families |= {f.rsplit(" ", 1)[0] for f in question["frameworks"]}
            if question.get("weight", 1) > 0:
                assert question["category"] == block.category.id
                assert question.get("remediation") and question.get("finding_title"), question["id"]
                assert len(question["finding_title"]) <= 80
    assert {"NIST CSF 2.0", "NIST SP 800-53r5", "CSA CCM v4", "ISO/IEC 27001:2022"} <= families


def test_exposure_flags_and_date_rules_follow_the_shipped_templates():
    blocks = bank.load_bank()
    use = blocks["product_use"].questions[0]
    flags = {o["value"]: o for o in use["options"]}
    assert flags["yes"]["exposed"] and flags["no"]["not_exposed"]
    assert "not_exposed" not in flags["unsure"]
    rules = {
        q["id"]: q["date_rule"] for b in blocks.values() for q in b.questions if "date_rule" in q
    }
    # Credit before the reference says where it starts: from the disclosure, or open for logs.
    assert rules["fixed_version_date"]["earliest"] == "disclosure"
    assert rules["credentials_rotation_date"]["earliest"] == "disclosure"
    assert rules["logs_review_start"] == {**rules["logs_review_start"], "open_start": True}
    assert rules["logs_review_start"]["reference"] == "exploitation"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("{products}?", "{product_list}?"), "{product_list} is used but not declared"),
        (("block: product_use", "block: product_used"), "must be named like its file"),
        (("weight: 0", "weight: 0\n    critical: yes"), "critical"),
        (("- {value: unsure", "- {value: maybe"), "maybe"),
    ],
)
def test_a_broken_bank_file_is_refused_with_the_validators_message(tmp_path, change, message):
    path = tmp_path / "product_use.yaml"
    text = (bank.BANK_DIR / "product_use.yaml").read_text()
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(bank.BankError) as caught:
        bank.load_bank(tmp_path)
    assert any(message in e and "bank/product_use.yaml" in e for e in caught.value.errors), (
        caught.value.errors
    )


def test_a_date_role_not_declared_and_a_parameter_never_used_are_refused(tmp_path):
    text = (bank.BANK_DIR / "logs_reviewed.yaml").read_text()
    (tmp_path / "logs_reviewed.yaml").write_text(
        text.replace("dates: [exploitation]\n", "").replace(
            "parameters:\n", "parameters:\n  - {name: notice_hours, label: Hours}\n"
        )
    )
    with pytest.raises(bank.BankError) as caught:
        bank.load_bank(tmp_path)
    assert any("date role 'exploitation'" in e for e in caught.value.errors)
    assert any(
        "parameter notice_hours is declared but never used" in e for e in caught.value.errors
    )


def test_a_question_id_in_two_blocks_is_refused(tmp_path):
    for name in ("suppliers_checked", "post_incident_report"):
        shutil.copy(bank.BANK_DIR / f"{name}.yaml", tmp_path)
    text = (tmp_path / "post_incident_report.yaml").read_text()
    (tmp_path / "post_incident_report.yaml").write_text(
        text.replace("- id: post_incident_report", "- id: suppliers_checked")
    )
    with pytest.raises(bank.BankError, match="question suppliers_checked is also in"):
        bank.load_bank(tmp_path)


def test_bank_files_are_read_under_the_loaders_limits(tmp_path):
    (tmp_path / "big.yaml").write_text("block: big\n# " + "x" * (600 * 1024) + "\n")
    with pytest.raises(bank.BankError, match="larger than 512 KiB"):
        bank.load_bank(tmp_path)


# --- parameters filled from the advisory ------------------------------------------------------------


def test_moveit_draft_fills_products_dates_window_and_indicators():
    template = drafted(advisory("moveit-transfer-2023"))
    assert template.id == "moveit-transfer-2023-followup" and template.kind == "incident"
    assert template.advisories == ("moveit-transfer-2023",)
    dates = {r.name: r.default for r in template.reference_dates}
    assert dates == {"compromise_date": D(2023, 5, 31), "exploitation_start": D(2023, 5, 27)}
    questions = {q.id: q for q in template.questions()}
    assert questions["product_use"].text == (
        "Between 27 May 2023 and 15 June 2023, did your organisation, or a supplier on your "
        "behalf, use MOVEit Transfer or MOVEit Cloud?"
    )
    assert "human2.aspx" in questions["logs_reviewed"].text
    assert "CVE-2023-34362" in questions["indicators_hunted"].text
    assert questions["logs_review_start"].date_rule.reference == "exploitation_start"
    assert questions["fixed_version_date"].date_rule.earliest == "compromise_date"
    assert "27 May 2023" in questions["logs_review_start"].help
    text = bank.to_yaml(bank.draft_from_advisory(advisory("moveit-transfer-2023")))
    assert not re.search(r"\{[a-z_]+\}", text)  # every placeholder filled


def test_fixed_versions_and_notice_hours_are_filled():
    template = drafted(advisory("log4shell-cve-2021-44228"), values={"notice_hours": 72})
    questions = {q.id: q for q in template.questions()}
    assert (
        "(Apache Log4j 2.17.1, 2.12.4 or 2.3.2, or later)" in questions["fixed_version_status"].text
    )
    labels = {o.value: o.label for o in questions["notified_within"].options}
    assert labels["within_limit"] == "Within 72 hours"
    assert "within 72 hours" in questions["notified_within"].remediation


def test_defaults_stand_in_when_the_advisory_names_no_fixed_version_or_indicator():
    doc = minimal()
    template = drafted(doc)
    questions = {q.id: q for q in template.questions()}
    assert "(as the supplier lists them)" in questions["fixed_version_status"].text
    assert (
        "the indicators of compromise published with the advisory"
        in questions["logs_reviewed"].text
    )
    # With no exploitation date, the log window starts at the disclosure.
    assert [r.name for r in template.reference_dates] == ["compromise_date"]
    assert questions["logs_review_start"].date_rule.reference == "compromise_date"


def test_an_update_that_moves_a_key_date_moves_the_draft():
    doc = minimal(
        updates=[
            {
                "date": "2025-03-20",
                "title": "Earlier than thought",
                "key_dates": [
                    {"name": "exploitation_start", "label": "First seen", "date": "2025-02-28"}
                ],
            }
        ]
    )
    dates = {r.name: r.default for r in drafted(doc).reference_dates}
    assert dates == {"compromise_date": D(2025, 3, 10), "exploitation_start": D(2025, 2, 28)}


@pytest.mark.parametrize("slug", ADVISORIES)
def test_every_shipped_advisory_drafts_a_valid_questionnaire(slug):
    template = drafted(advisory(slug))
    assert {c.id for c in template.categories} >= {"certificate_rotation", "incident_readiness"}


def test_yaml_is_stable_and_reads_back_to_the_same_content():
    data = bank.draft_from_advisory(advisory("moveit-transfer-2023"))
    text = bank.to_yaml(data, header="Drafted for a test.")
    assert text == bank.to_yaml(data, header="Drafted for a test.")
    assert text.startswith("# Drafted for a test.\nid: moveit-transfer-2023-followup\n")
    assert "  - {value: 'no', label: 'No', score: 0}" in text  # short options on one line
    first = check_source(text, "a.yaml").template
    again = check_source(bank.to_yaml(data), "b.yaml").template
    assert first is not None and again is not None
    assert content_hash(first) == content_hash(again)


def test_a_subset_of_blocks_drops_conditions_on_blocks_left_out():
    doc = advisory("moveit-transfer-2023")
    template = drafted(
        doc, blocks=["credentials_rotated", "notified_within", "post_incident_report"]
    )
    questions = {q.id: q for q in template.questions()}
    assert questions["notified_within"].show_if is None
    assert all(s.show_if is None for s in template.sections)


# --- bad input ------------------------------------------------------------------------------------


def test_an_advisory_without_products_is_refused_with_what_to_add():
    with pytest.raises(bank.DraftRefused, match="names no affected product"):
        bank.draft_from_advisory(minimal(affected_products=[]))


def test_an_advisory_without_key_dates_is_refused_with_what_to_add():
    with pytest.raises(bank.DraftRefused, match="has no key dates"):
        bank.draft_from_advisory(minimal(key_dates=[]))


def test_an_advisory_with_only_an_exploitation_date_counts_disclosure_from_publication():
    doc = minimal(
        key_dates=[{"name": "exploitation_start", "label": "First seen", "date": "2025-03-01"}]
    )
    dates = {r.name: r.default for r in drafted(doc).reference_dates}
    assert dates == {"compromise_date": D(2025, 3, 10), "exploitation_start": D(2025, 3, 1)}


def test_blocks_that_do_not_make_an_incident_questionnaire_are_refused_with_the_reason():
    with pytest.raises(bank.DraftRefused, match="certificate_rotation"):
        bank.draft_from_advisory(minimal(), blocks=["product_use", "post_incident_report"])
    with pytest.raises(bank.DraftRefused, match="no block 'nonsense'"):
        bank.draft_from_advisory(minimal(), blocks=["nonsense"])


# --- scoring the draft for a fixture advisory -------------------------------------------------------


def a(value, *, file: bool = False) -> Answer:
    return Answer(value, evidence_hashes=(FILE,) if file else ())


BEST = {
    "product_use": a("yes"),
    "fixed_version_status": a("all_fixed"),
    "fixed_version_date": a(D(2023, 6, 2)),
    "compensating_controls": a("isolated"),
    "credentials_rotated": a("all"),
    "credentials_rotation_date": a(D(2023, 6, 5)),
    "old_credentials_removed": a("yes"),
    "logs_reviewed": a("yes"),
    "logs_review_start": a(D(2023, 5, 1)),
    "indicators_hunted": a("none_found"),
    "data_affected": a("no"),
    "suppliers_checked": a("yes"),
    "post_incident_report": a("yes"),
}
# Did everything, but patched and rotated weeks late, watched instead of restricting, searched
# logs from three days after exploitation began, and did not ask its suppliers.
TYPICAL = {
    **BEST,
    "fixed_version_date": a(D(2023, 6, 20)),
    "compensating_controls": a("restricted"),
    "credentials_rotation_date": a(D(2023, 7, 1)),
    "logs_review_start": a(D(2023, 5, 30)),
    "suppliers_checked": a("no"),
}
WORST = {
    "product_use": a("yes"),
    "fixed_version_status": a("not_fixed"),
    "compensating_controls": a("none"),
    "credentials_rotated": a("none"),
    "old_credentials_removed": a("no"),
    "logs_reviewed": a("no"),
    "indicators_hunted": a("not_searched"),
    "data_affected": a("yes", file=True),
    "notified_within": a("not_yet"),
    "suppliers_checked": a("no"),
    "post_incident_report": a("no"),
}


@pytest.fixture(scope="module")
def moveit_draft() -> Template:
    return drafted(advisory("moveit-transfer-2023"))


def scored(template: Template, answers) -> ScoreResult:
    result = score_response(template, answers)
    assert check_trace(result) == []
    assert result.completeness.unanswered_required == ()
    return result


def test_best_answers_score_into_the_top_band(moveit_draft):
    result = scored(moveit_draft, BEST)
    assert (result.band, result.overall_display) == ("A", "100.0")
    assert result.findings == () and result.impact_signals == ()


def test_typical_answers_score_adequate(moveit_draft):
    result = scored(moveit_draft, TYPICAL)
    assert result.band == "B" and result.capped_by == ()
    gaps = {f.question_id for f in result.findings}
    assert {"fixed_version_date", "credentials_rotation_date", "suppliers_checked"} <= gaps


def test_typical_answers_with_a_critical_gap_are_capped(moveit_draft):
    result = scored(moveit_draft, {**TYPICAL, "credentials_rotated": a("some")})
    assert result.uncapped_band == "B" and result.band == "C"
    assert result.capped_by == ("credentials_rotated",)


def test_worst_answers_score_into_the_bottom_band_with_the_impact_signal(moveit_draft):
    result = scored(moveit_draft, WORST)
    assert (result.band, result.overall_display) == ("D", "0.0")
    assert [s.question_id for s in result.impact_signals] == ["data_affected"]
    assert {"credentials_rotated", "old_credentials_removed"} <= {
        f.question_id for f in result.findings
    }


def test_a_vendor_that_did_not_use_the_product_is_not_exposed(moveit_draft):
    answers = {
        "product_use": a("no"),
        "suppliers_checked": a("yes"),
        "post_incident_report": a("yes"),
    }
    result = scored(moveit_draft, answers)
    assert result.verdict == Verdict.NOT_EXPOSED
