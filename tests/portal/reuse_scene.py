"""Templates and steps shared by the tests of answers reused from earlier rounds."""

from __future__ import annotations

from sqlalchemy import select

from tests.portal.helpers import f, n, save, submit
from tests.support.factories import SMALL_TEMPLATE, create_campaign
from vendorrisk.campaigns.models import Response, ReusedAnswer
from vendorrisk.extensions import db
from vendorrisk.portal import services

# A baseline questionnaire: two sections of reusable questions (matched by id), one question
# marked `reusable: false`, and one question carrying a reuse_key.
BASELINE = """\
id: yearly-security-baseline
kind: baseline
title: Yearly security baseline
categories:
  - id: incident_readiness
    title: Readiness for incidents
    weight: 1
sections:
  - id: policies
    title: Policies
    questions:
      - id: has_plan
        type: yes_no
        text: Do you keep a written incident response plan?
        category: incident_readiness
        weight: 2
        options:
          - {value: "yes", label: "Yes", score: 100}
          - {value: "no", label: "No", score: 0}
        finding_title: No written incident response plan
        remediation: Write an incident response plan.
        frameworks: ["ISO/IEC 27001:2022 A.5.24"]
      - id: plan_reviewed
        type: date
        text: When was the plan last reviewed?
      - id: plan_document
        type: evidence
        text: Attach the plan.
  - id: people
    title: People and changes
    questions:
      - id: security_owner
        type: text
        text: Who is responsible for security?
      - id: notice_hours
        type: number
        reuse_key: breach_notice_hours
        text: Within how many hours would you tell us of a breach?
      - id: changes_this_year
        type: long_text
        text: What changed in your security this year?
        reusable: false
"""

# An incident questionnaire (the portal tests' small one): `has_plan` shares an id with the
# baseline but carries no reuse_key (incident-specific: never pre-filled); `notify_hours` carries
# the baseline's reuse key.
INCIDENT = SMALL_TEMPLATE.replace("id: connector-breach-check", "id: relay-incident-check").replace(
    """      - id: notify_hours
        type: number
""",
    """      - id: has_plan
        type: yes_no
        text: Did you follow your incident response plan for this breach?
        weight: 0
        options:
          - {value: "yes", label: "Yes"}
          - {value: "no", label: "No"}
      - id: notify_hours
        type: number
        reuse_key: breach_notice_hours
""",
)
assert "reuse_key: breach_notice_hours" in INCIDENT

ANSWERS = [
    {
        n("has_plan"): "yes",
        n("plan_reviewed"): "2026-03-02",
        f("plan_document").reason: "The plan is confidential; we show it on site.",
    },
    {
        n("security_owner"): "Dana Chief",
        n("notice_hours"): "24",
        n("changes_this_year"): "Moved to a new data centre.",
    },
]


def answer_and_submit(client, aid: int, evidence=None) -> None:
    """Answer the baseline (with a file for the plan when given) and submit it."""
    first = dict(ANSWERS[0])
    if evidence is not None:
        first[n("plan_document")] = evidence
        del first[f("plan_document").reason]
    for index, data in enumerate((first, ANSWERS[1])):
        response = save(client, aid, index, data, action="next")
        assert response.status_code == 302, response.text[:2000]
    response = submit(client, aid)
    assert response.status_code == 302, response.text[:2000]


def second_round(version, vendor):
    """Send the vendor a second campaign of `version`; return its assignment."""
    return create_campaign(version, [vendor]).assignments[0]


def offers_of(assignment) -> dict[str, ReusedAnswer]:
    """Return the assignment's offers (the rows beside the draft), by question, read afresh."""
    db.session.expire_all()
    rows = db.session.scalars(
        select(ReusedAnswer).where(
            ReusedAnswer.response_id == assignment.response.id,
            ReusedAnswer.revision_id.is_(None),
        )
    )
    return {row.question_id: row for row in rows}


def progress_of(assignment):
    """Return the assignment's progress as the portal counts it, read afresh."""
    db.session.expire_all()
    response = db.session.get(Response, assignment.response.id)
    template = services.template_of(response.assignment)
    return services.progress(template, services.shown_answers(response))


def confirm_url(aid: int, section: int) -> str:
    """Return the address that confirms earlier answers offered in a section."""
    return f"/portal/a/{aid}/s/{section}/reuse/confirm"


def confirm(client, aid: int, section: int, question: str | None = None):
    """Press "Confirm this answer" (with a question) or "Confirm all" on a section page."""
    return client.post(confirm_url(aid, section), data={"question": question} if question else {})
