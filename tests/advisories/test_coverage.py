"""The content review's coverage tables: generated from the shipped files and kept in step."""

from pathlib import Path

from vendorrisk.advisories.coverage import coverage_markdown
from vendorrisk.questionnaires.loader import load_template_path

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "content-review.md"


def test_the_content_review_matches_the_shipped_templates_and_advisories(runner):
    """Regenerate with `flask --app vendorrisk advisories coverage > docs/content-review.md`."""
    result = runner.invoke(args=["advisories", "coverage"])
    assert result.exit_code == 0, result.output
    assert result.output == DOC.read_text(encoding="utf-8"), (
        "docs/content-review.md is out of date: regenerate it with "
        "`flask --app vendorrisk advisories coverage > docs/content-review.md`"
    )


def test_every_shipped_question_has_a_row_with_its_controls():
    text = DOC.read_text(encoding="utf-8")
    for path in sorted((ROOT / "questionnaires").glob("*.yaml")):
        template = load_template_path(path)
        section = text[text.index(f"`{template.id}` ({template.kind})") :].split("\n## ")[0]
        for question in (q for s in template.sections for q in s.questions):
            assert question.frameworks, (template.id, question.id)
            prefix = f"| `{question.id}` |"
            row = next(line for line in section.splitlines() if line.startswith(prefix))
            assert "; ".join(question.frameworks).replace("|", "\\|") in row


def test_a_question_linked_to_an_action_names_it_in_the_checks_column():
    template = load_template_path(ROOT / "questionnaires" / "log4shell-cve-2021-44228.yaml")
    from vendorrisk.advisories.validator import parse_text

    advisory = ROOT / "advisories" / "log4shell-cve-2021-44228.md"
    doc, errors = parse_text(advisory.read_text(encoding="utf-8"), str(advisory))
    assert errors == []
    text = coverage_markdown([template], [doc])
    row = next(line for line in text.splitlines() if line.startswith("| `hunt_start_date` |"))
    assert "`log4shell-cve-2021-44228/vendors-hunt`" in row
    assert "first_exploitation" not in row and "logging_monitoring, weight 2" in row
