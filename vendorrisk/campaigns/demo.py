"""Demo assessments for `flask demo`: one Mimecast campaign answered, scored and reviewed.

So that the dashboard, the vendor pages and the reports tell a story on the first visit, the
demo sends the shipped Mimecast questionnaire to five demo vendors who use Mimecast products:
one answers well, one middling, one badly, one reports that our data was reached (an impact
signal) and one has not answered yet. Answers go through the portal's own services (drafts,
evidence files, attestation), so the scoring engine scores them and raises the findings; a
reviewer decides on each, and a due-diligence report is built for the best-answered vendor.
Running it again adds nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import click
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from vendorrisk.accounts.models import User
from vendorrisk.advisories import sync as advisory_sync
from vendorrisk.campaigns import services
from vendorrisk.campaigns.models import Assignment, Campaign
from vendorrisk.extensions import db
from vendorrisk.portal import services as portal
from vendorrisk.questionnaires import sync as template_sync
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.conditions import effective_answers, visible_questions
from vendorrisk.questionnaires.models import Template
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.reports import jobs
from vendorrisk.reports.models import VENDOR_PDF
from vendorrisk.review import services as review
from vendorrisk.vendors.services import vendor_by_name

CAMPAIGN_NAME = "Mimecast certificate compromise: supplier check"
TEMPLATE_SLUG = "mimecast-certificate-compromise-2021"
ADVISORY_SLUG = "mimecast-certificate-compromise-2021"
MANAGER = "manager@vendorrisk.example"
COMPLIANCE = "compliance@vendorrisk.example"

GOOD, MEDIOCRE, POOR, IMPACT = "good", "mediocre", "poor", "impact"
# Vendor, how it answers (None: not answered yet), the reviewer's decision and note.
ROSTER = (
    ("Harbourline Payroll Services", GOOD, "accepted", "Thorough answers with evidence."),
    (
        "Stratusvault Backup",
        MEDIOCRE,
        "approved_with_conditions",
        "Acceptable once the stored credentials are reset.",
    ),
    ("Keyrow Managed IT", POOR, "rejected", "The certificate is still in use; escalated."),
    (
        "Ashgrove & Pell",
        IMPACT,
        "approved_with_conditions",
        "Our data was reached; incident call held, actions agreed.",
    ),
    ("Ferncliff Print & Mail", None, None, None),
)
TEXTS = {
    GOOD: "Our security team replaced the connection on the day of the notice and reviewed "
    "the sign-in logs back to December; change record CHG-2021-0114.",
    MEDIOCRE: "The infrastructure team handled it; we are still collecting the change records.",
    POOR: "We rely on the supplier to handle this.",
    IMPACT: "Our investigation found access to mail archives that include your correspondence.",
}
PDF_BYTES = b"%PDF-1.4\n% demo evidence\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _scored(question) -> list:
    return [
        o
        for o in question.options
        if o.score is not None and not o.not_exposed and not o.is_uncertain and not o.impact_signal
    ]


@dataclass
class _Writer:
    """How one vendor answers: its style, and what it has said so far."""

    style: str
    references: dict[str, date]
    impact_told: bool = False
    choices: int = 0


def _choice(question, w: _Writer):
    style = w.style
    impact = [o for o in question.options if o.impact_signal]
    if style == IMPACT and impact and not w.impact_told:
        w.impact_told = True
        return impact[0].value
    plain = [
        o
        for o in question.options
        if not o.not_exposed and not o.is_uncertain and not o.impact_signal and not o.exclusive
    ]
    scored = sorted(_scored(question), key=lambda o: o.score)
    if not scored:
        return (plain or list(question.options))[0].value
    # Only the poor vendor fails a critical question: the others' bands stay uncapped.
    if style == GOOD or (question.critical and style != POOR):
        return scored[-1].value
    if style == POOR:
        return scored[0].value
    # Middling: every third answer is the best, the others fall short.
    w.choices += 1
    return (scored[-1] if w.choices % 3 == 0 else scored[(len(scored) - 1) // 2]).value


def _number(question, style: str):
    rule = question.number_rule
    if rule is None:
        return 24
    bounds = [s.max if s.max is not None else s.min for s in rule.steps]
    bounds = [b for b in bounds if b is not None] or [24]
    if style == GOOD:
        return bounds[0]
    if style == POOR:
        return bounds[-1] * 4 if rule.direction == "lower_is_better" else 0
    return bounds[len(bounds) // 2]


def _answer(question, w: _Writer):
    kind, style = question.type, w.style
    if kind in ("yes_no", "single_choice"):
        return Answer(_choice(question, w))
    if kind == "multi_choice":
        usable = [
            o.value
            for o in question.options
            if not o.not_exposed and not o.exclusive and not o.is_uncertain and not o.impact_signal
        ]
        if style == GOOD:
            return Answer(usable)
        return Answer(usable[: max(1, len(usable) // (2 if style == MEDIOCRE else 3))])
    if kind == "date":
        rule = question.date_rule
        base = w.references.get(rule.reference) if rule else None
        days = {GOOD: 2, MEDIOCRE: 12}.get(style, 40)
        return Answer((base or date(2021, 1, 12)) + timedelta(days=days))
    if kind == "number":
        return Answer(_number(question, style))
    if kind in ("text", "long_text"):
        return Answer(TEXTS[style])
    return None


def _upload(question_id: str) -> FileStorage:
    name = f"{question_id.replace('_', '-')}.pdf"
    return FileStorage(stream=io.BytesIO(PDF_BYTES + question_id.encode()), filename=name)


def _fill(assignment: Assignment, style: str) -> None:
    """Answer as a vendor would through the portal, attaching evidence where asked."""
    response = assignment.response
    recipient = assignment.recipients[0]
    template = portal.template_of(assignment)
    writer = _Writer(style, portal.reference_dates(assignment))
    answers = {}
    for question in template.questions():
        answer = _answer(question, writer)
        if answer is not None:
            answers[question.id] = answer
    portal.save_answers(response, recipient, list(answers), answers, response.version)
    db.session.flush()
    for _round in range(3):
        merged = portal.draft_answers(response)
        files = portal.live_evidence(response)
        problems = portal.gaps(template, effective_answers(template, merged), files)
        if not problems:
            return
        fixes = {}
        for gap in problems:
            question = template.question(gap.question_id)
            answer = merged.get(gap.question_id)
            if "evidence" in gap.message and style == GOOD:
                portal.attach_evidence(response, recipient, question.id, _upload(question.id))
            elif "evidence" in gap.message or question.type == "evidence":
                fixes[question.id] = Answer(
                    answer.value if answer else None,
                    na=bool(answer and answer.na),
                    comment=answer.comment if answer else None,
                    evidence_reason="Available to auditors on site.",
                )
            elif "does not apply" in gap.message:
                fixes[question.id] = Answer(None, na=True, comment="Not in our scope.")
            else:
                fixes[question.id] = _answer(question, writer) or Answer(
                    None, na=True, comment="Not in our scope."
                )
        if fixes:
            portal.save_answers(response, recipient, list(fixes), fixes, response.version)
        db.session.flush()


def _evidence_for_good(assignment: Assignment) -> None:
    """A careful vendor attaches files to every evidence question it sees."""
    response = assignment.response
    template = portal.template_of(assignment)
    merged = portal.draft_answers(response)
    files = portal.live_evidence(response)
    for question in visible_questions(template, merged):
        if question.type == "evidence" and not files.get(question.id):
            portal.attach_evidence(
                response, assignment.recipients[0], question.id, _upload(question.id)
            )
    db.session.flush()


def _sync_library() -> bool:
    """Load the shipped questionnaires and advisories (as `make run` does); False on error."""
    try:
        template_sync.sync_directory(template_sync.default_directory())
        advisory_sync.sync_directory(advisory_sync.default_directory())
    except (template_sync.SyncError, advisory_sync.SyncError) as exc:
        click.echo(f"Demo assessments skipped: the shipped files could not be loaded ({exc}).")
        return False
    return True


def _version():
    template = db.session.scalar(select(Template).where(Template.slug == TEMPLATE_SLUG))
    if template is None:
        return None
    return next((v for v in services.launchable_versions() if v.template_id == template.id), None)


def _vendors(names: Iterable[str]) -> list:
    return [v for v in (vendor_by_name(n) for n in names) if v is not None]


def load_demo_assessments() -> None:
    """Send, answer, score and review the demo campaign, then build one report (once)."""
    if db.session.scalar(select(Campaign.id).where(Campaign.name == CAMPAIGN_NAME)):
        return
    manager = db.session.scalar(select(User).where(User.email == MANAGER))
    compliance = db.session.scalar(select(User).where(User.email == COMPLIANCE))
    if manager is None or compliance is None or not _sync_library():
        return
    version = _version()
    vendors = _vendors(name for name, *_ in ROSTER)
    if version is None or len(vendors) < len(ROSTER):
        click.echo("Demo assessments skipped: the Mimecast questionnaire or vendors are missing.")
        return
    campaign = services.create_campaign(
        name=CAMPAIGN_NAME,
        template_version=version,
        vendor_ids=[v.id for v in vendors],
        due_date=date.today() + timedelta(days=14),
        tz_name="Europe/London",
        message="Please tell us how the Mimecast certificate compromise affected your service.",
        reference_dates=services.default_reference_dates(parsed_version(version)),
        actor=manager,
        advisory_slug=ADVISORY_SLUG,
    )
    db.session.flush()
    by_vendor = {a.vendor.name: a for a in campaign.assignments}
    for name, style, decision, note in ROSTER:
        assignment = by_vendor.get(name)
        if assignment is None or style is None or decision is None:
            continue
        portal.start(assignment.recipients[0])
        _fill(assignment, style)
        if style == GOOD:
            _evidence_for_good(assignment)
        contact = assignment.recipients[0].contact
        portal.submit(
            assignment,
            assignment.recipients[0],
            name=contact.name,
            title=contact.title or "Security lead",
            expected_version=assignment.response.version,
        )
        db.session.flush()
        conditions = (
            [("Reset every stored credential and send the change record", _in(30))]
            if decision == "approved_with_conditions"
            else []
        )
        review.decide(assignment, manager, decision, note, conditions)
        db.session.flush()
    best = by_vendor[ROSTER[0][0]].vendor
    job = jobs.request_report(VENDOR_PDF, best, compliance, {})
    db.session.commit()
    jobs.run(job.id)


def _in(days: int) -> date:
    return date.today() + timedelta(days=days)
