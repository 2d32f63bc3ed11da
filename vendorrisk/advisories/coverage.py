"""The content review's coverage tables: for each shipped template, every question, the controls
it maps to, and the advisory actions whose confirmation it checks.

`flask advisories coverage` prints the Markdown kept in docs/content-review.md; a test keeps the
file and the shipped content in step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from vendorrisk.questionnaires.schema import Question, Template

from .document import AdvisoryDocument

PREAMBLE = """\
# Content review: control coverage of the shipped questionnaires

Generated from `questionnaires/*.yaml` and `advisories/*.md` by
`flask --app vendorrisk advisories coverage > docs/content-review.md`; a test fails when this
file and the shipped content disagree. For each template, every question (scored or not) maps to
at least one control: NIST CSF 2.0 (including GV.SC-01..10), ISO/IEC 27001:2022 Annex A
(supplier relationships A.5.19-5.23, incident management A.5.24-5.28), CSA CCM v4 (the controls
the CAIQ asks about), and NIST SP 800-53r5 / SP 800-161r1 SR and IR controls where they fit.
`flask questionnaires validate` fails on a question with no control.

The **checks** column names the advisory actions (`advisory/action`) that a question confirms: a
vendor confirms an action when its latest answers score 100 % on every linked scored question.
Questions marked *re-asked by* are those an advisory update asks again.

## The seed advisory's eight actions

The product began with a consultancy's note on the Mimecast breach. Its eight recommended
actions are the Mimecast advisory's firm actions; this is where the Mimecast questionnaire asks
a vendor whether it did the same:

| seed action | firm action | vendor questions |
|---|---|---|
| 1. delete and re-create the Microsoft 365 connection | `replace-m365-connection` | `connection_recreated`, `new_connection_date`, `old_connection_removed_date` |
| 2. get expert help if needed | `get-expert-help` | `external_assistance` |
| 3. assess the Microsoft 365 configuration | `review-m365-configuration` | `m365_config_review`, `app_permissions_reviewed` |
| 4. review logs at least two weeks back | `review-logs-two-weeks` | `log_review_performed`, `log_review_lookback_days`, `log_sources_reviewed` |
| 5. check backups and resilience plans | `check-backups` | `backups_verified` |
| 6. update the incident response plan | `update-incident-plan` | `ir_plan_reviewed`, `ir_plan_changes` |
| 7. urge third parties to follow the guidance | `vendors-replace-connection` (and this questionnaire) | `suppliers_informed`, `subcontractor_exposure` |
| 8. follow further Mimecast guidance | `follow-later-guidance` | `later_updates_tracked`, `later_guidance_followed` |
"""


def _links(
    documents: Iterable[AdvisoryDocument],
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Map `template/question` to the actions that check it and the updates that re-ask it."""
    checks: dict[str, list[str]] = defaultdict(list)
    reasked: dict[str, list[str]] = defaultdict(list)
    for doc in documents:
        actions = list(doc.actions) + [a for u in doc.updates for a in u.actions]
        for action in actions:
            for ref in action.questions:
                name = f"{doc.slug}/{action.id}"
                if name not in checks[ref]:
                    checks[ref].append(name)
        for update in doc.updates:
            for ref in update.affected_questions:
                reasked[ref].append(f"{doc.slug} ({update.date.isoformat()})")
    return checks, reasked


def _scoring(question: Question) -> str:
    if not question.scored:
        return "not scored"
    return f"{question.category}, weight {question.weight:g}" + (
        ", critical" if question.critical else ""
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def template_table(
    template: Template, checks: dict[str, list[str]], reasked: dict[str, list[str]]
) -> str:
    """Return one template's coverage section: a row per question in document order."""
    questions = [q for s in template.sections for q in s.questions]
    unmapped = sum(1 for q in questions if not q.frameworks)
    lines = [
        f"## {template.title}",
        "",
        f"`{template.id}` ({template.kind}): {len(questions)} questions, "
        f"{sum(1 for q in questions if q.scored)} scored, {unmapped} without a control.",
        "",
        "| question | scoring | controls | checks |",
        "|---|---|---|---|",
    ]
    for q in questions:
        ref = f"{template.id}/{q.id}"
        checked = [f"`{c}`" for c in checks.get(ref, [])]
        checked += [f"re-asked by {r}" for r in reasked.get(ref, [])]
        lines.append(
            f"| `{q.id}` | {_scoring(q)} | {_cell('; '.join(q.frameworks)) or '(none)'} | "
            f"{'; '.join(checked) or '-'} |"
        )
    return "\n".join(lines) + "\n"


def coverage_markdown(templates: Iterable[Template], documents: Iterable[AdvisoryDocument]) -> str:
    """Return the whole content-review document for these templates and advisories."""
    checks, reasked = _links(documents)
    sections = [template_table(t, checks, reasked) for t in sorted(templates, key=lambda t: t.id)]
    return PREAMBLE + "\n" + "\n".join(sections)
