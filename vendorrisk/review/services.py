"""Reviewing submissions: decisions, clarification rounds, overrides and findings."""

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import IN_PROGRESS, Assignment, Recipient, Revision
from vendorrisk.core.text import counted, shortened
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.questionnaires.display import answer_text
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review.models import (
    ACCEPTED,
    APPROVED_WITH_CONDITIONS,
    CLARIFICATION,
    CLOSED,
    FROM_CONDITION,
    FROM_REVIEWER,
    FROM_SCORING,
    OPEN,
    PLANNED,
    REJECTED,
    RISK_ACCEPTED,
    SEVERITIES,
    ClarificationItem,
    ClarificationReply,
    Finding,
    FindingEvent,
    ReviewDecision,
    ScoreOverride,
)
from vendorrisk.scoring import ScoreResult

DECISIONS = (ACCEPTED, APPROVED_WITH_CONDITIONS, CLARIFICATION, REJECTED)
SHORT_TITLE = 80


class ReviewError(ValueError):
    """A refused review action, with a message fit to show the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _event(
    finding: Finding,
    action: str,
    *,
    user=None,
    recipient=None,
    note=None,
    to_state: str | None = None,
) -> None:
    db.session.add(
        FindingEvent(
            finding=finding,
            action=action,
            user_id=user.id if user else None,
            recipient_id=recipient.id if recipient else None,
            note=note,
            from_state=finding.state,
            to_state=to_state or finding.state,
        )
    )
    if to_state:
        finding.state = to_state


# --- findings from scoring --------------------------------------------------------------------


def finding_title(template, question_id: str, question_text: str) -> str:
    """Return the short name of the gap a question's low score reveals.

    The question's `finding_title`. Only versions stored before every scored question had to
    carry one (`rules.check_template` refuses new ones without) fall back to a short form of
    the question's text; stored versions are never rewritten, so the fallback stays.
    """
    try:
        title = template.question(question_id).finding_title
    except KeyError:
        title = None
    if title:
        return title
    return shortened(question_text, SHORT_TITLE)


def due_date_for(severity: str, today: date) -> date | None:
    """Return a finding's due date by the configured policy (FINDING_DUE_DAYS per severity)."""
    days = current_app.config["FINDING_DUE_DAYS"].get(severity)
    return today + timedelta(days=days) if days is not None else None


def raise_scoring_findings(assignment: Assignment, revision: Revision) -> list[Finding]:
    """Open a tracked finding for each gap the engine found that is not already open."""
    result = ScoreResult.from_dict(revision.score or {})
    template = parsed_version(assignment.campaign.template_version)
    today = utcnow().date()
    existing = {
        f.question_id: f
        for f in db.session.scalars(
            select(Finding).where(
                Finding.assignment_id == assignment.id, Finding.source == FROM_SCORING
            )
        )
    }
    created = []
    failing_now = set()
    for gap in result.findings:
        failing_now.add(gap.question_id)
        if gap.question_id in existing and existing[gap.question_id].is_open:
            continue
        finding = Finding(
            vendor_id=assignment.vendor_id,
            assignment_id=assignment.id,
            revision_id=revision.id,
            question_id=gap.question_id,
            source=FROM_SCORING,
            title=finding_title(template, gap.question_id, gap.question_text),
            detail=gap.summary,
            category=gap.category,
            severity=gap.severity,
            original_severity=gap.severity,
            remediation=gap.remediation,
            frameworks=list(gap.frameworks),
            internal=False,
            due_date=due_date_for(gap.severity, today),
            owner_id=assignment.vendor.owner_id,
        )
        db.session.add(finding)
        _event(finding, "raised", note=f"revision {revision.number}")
        created.append(finding)
    # A later revision that fixes the answer closes the scoring finding, on the record.
    for qid, finding in existing.items():
        if qid not in failing_now and finding.is_open:
            _event(
                finding, "resolved_by_answer", note=f"revision {revision.number}", to_state=CLOSED
            )
            finding.closed_at = utcnow()
    db.session.flush()
    return created


# --- decisions -------------------------------------------------------------------------------


def latest_revision(assignment: Assignment) -> Revision | None:
    """Return the latest submitted revision of an assignment."""
    return assignment.response.latest_submitted if assignment.response else None


def decide(
    assignment: Assignment,
    reviewer,
    decision: str,
    note: str | None,
    conditions: list[tuple[str, date]] | None = None,
) -> ReviewDecision:
    """Record a decision on the latest submitted revision (conditions become findings)."""
    revision = latest_revision(assignment)
    if revision is None or assignment.response.open_revision is not None:
        raise ReviewError("There is no submitted revision waiting for a decision.")
    if decision not in (ACCEPTED, APPROVED_WITH_CONDITIONS, REJECTED):
        raise ReviewError("Unknown decision.", "decision")
    if decision == REJECTED and not (note or "").strip():
        raise ReviewError("Say why the answers are rejected.", "note")
    conditions = [(t.strip(), d) for t, d in (conditions or []) if t.strip()]
    if decision == APPROVED_WITH_CONDITIONS and not conditions:
        raise ReviewError("Add at least one condition with its due date.", "conditions")
    row = ReviewDecision(
        assignment_id=assignment.id,
        revision_id=revision.id,
        decision=decision,
        note=(note or "").strip() or None,
        reviewer_id=reviewer.id,
    )
    db.session.add(row)
    for text, due in conditions:
        finding = Finding(
            vendor_id=assignment.vendor_id,
            assignment_id=assignment.id,
            revision_id=revision.id,
            source=FROM_CONDITION,
            title=text,
            severity="medium",
            original_severity="medium",
            due_date=due,
            internal=False,
            created_by_id=reviewer.id,
        )
        db.session.add(finding)
        _event(finding, "raised", user=reviewer, note="condition of approval")
    assignment.review_state = decision
    db.session.flush()
    audit.record(
        "review.decided",
        "assignment",
        assignment.id,
        details={"decision": decision, "revision": revision.number, "conditions": len(conditions)},
    )
    return row


def request_clarification(
    assignment: Assignment, reviewer, items: dict[str, str], template
) -> Revision:
    """Open a new revision in which only the chosen questions can change, and tell the vendor."""
    revision = latest_revision(assignment)
    if revision is None or assignment.response.open_revision is not None:
        raise ReviewError("There is no submitted revision to ask about.")
    items = {qid: c.strip() for qid, c in items.items() if c and c.strip()}
    if not items:
        raise ReviewError("Choose at least one question and write what you need.", "questions")
    for qid in items:
        template.question(qid)  # KeyError for an unknown id: the view answers 400
    new = open_follow_up(
        assignment,
        reviewer,
        "clarification",
        sorted(with_dependents(template, set(items))),
        reason="Please look again at the answers marked below.",
    )
    for qid, comment in items.items():
        db.session.add(
            ClarificationItem(
                assignment_id=assignment.id,
                revision_number=new.number,
                question_id=qid,
                comment=comment,
                asked_by_id=reviewer.id,
            )
        )
    db.session.add(
        ReviewDecision(
            assignment_id=assignment.id,
            revision_id=revision.id,
            decision=CLARIFICATION,
            reviewer_id=reviewer.id,
            note=f"Asked about {counted(len(items), 'question')}",
        )
    )
    assignment.review_state = CLARIFICATION
    _notify_recipients(
        assignment,
        "clarification",
        f"Clarification requested: {assignment.campaign.name}",
        items=[(template.question(q).text, c) for q, c in items.items()],
    )
    audit.record(
        "review.clarification_requested",
        "assignment",
        assignment.id,
        details={"questions": sorted(items), "revision": new.number},
    )
    return new


def with_dependents(template, question_ids: set[str]) -> set[str]:
    """Add the questions whose show_if depends on the given ones (so follow-ups can be answered)."""
    from vendorrisk.questionnaires.rules import condition_refs

    result = set(question_ids)
    for section in template.sections:
        section_refs = {ref.question for ref, _ in condition_refs(section.show_if, ())}
        for question in section.questions:
            refs = section_refs | {ref.question for ref, _ in condition_refs(question.show_if, ())}
            if refs & result:
                result.add(question.id)
    return result


def open_follow_up(
    assignment: Assignment, actor, kind: str, question_ids: list[str], reason: str
) -> Revision:
    """Open a revision in which only some questions can change; other answers carry forward."""
    response = assignment.response
    revision = Revision(
        response=response,
        number=len(response.revisions) + 1,
        kind=kind,
        reason=reason,
        editable_questions=sorted(question_ids),
        opened_by_id=actor.id if actor else None,
    )
    db.session.add(revision)
    assignment.response_state = IN_PROGRESS
    grace = timedelta(days=current_app.config.get("FOLLOW_UP_DAYS", 14))
    for recipient in assignment.recipients:
        if recipient.revoked_at is None:
            recipient.expires_at = max(recipient.expires_at, utcnow() + grace)
    db.session.flush()
    return revision


def _notify_recipients(assignment: Assignment, template: str, subject: str, **context) -> None:
    from vendorrisk.campaigns.services import PORTAL_PURPOSE

    for recipient in assignment.recipients:
        if recipient.usable() and recipient.contact.email:
            outbox.queue(
                template,
                recipient.contact.email,
                subject,
                link=(PORTAL_PURPOSE, recipient.id),
                related=("recipient", recipient.id),
                contact_name=recipient.contact.name,
                vendor_name=assignment.vendor.name,
                campaign=assignment.campaign,
                **context,
            )


def all_clarification_items(assignment: Assignment) -> list[ClarificationItem]:
    """Return every question asked about in every round, oldest first (replies loaded too)."""
    return list(
        db.session.scalars(
            select(ClarificationItem)
            .where(ClarificationItem.assignment_id == assignment.id)
            .options(selectinload(ClarificationItem.asked_by))
            .order_by(ClarificationItem.revision_number, ClarificationItem.id)
        )
    )


def clarification_items(assignment: Assignment, revision_number: int) -> list[ClarificationItem]:
    """Return the questions asked about in one round."""
    return list(
        db.session.scalars(
            select(ClarificationItem)
            .where(
                ClarificationItem.assignment_id == assignment.id,
                ClarificationItem.revision_number == revision_number,
            )
            .order_by(ClarificationItem.id)
        )
    )


def record_answer_replies(
    assignment: Assignment, revision: Revision, recipient: Recipient, template
) -> list[ClarificationReply]:
    """Keep, per question asked about in this round, the answer and comment just submitted.

    The vendor replies in place: the answer as changed (or not) and its comment are the reply.
    """
    items = clarification_items(assignment, revision.number)
    earlier = [
        r
        for r in assignment.response.revisions
        if r.submitted_at is not None and r.number < revision.number
    ]
    before = max(earlier, key=lambda r: r.number).answers or {} if earlier else {}
    replies = []
    for item in items:
        data = (revision.answers or {}).get(item.question_id)
        try:
            question = template.question(item.question_id)
        except KeyError:
            question = None
        reply = ClarificationReply(
            item=item,
            revision_id=revision.id,
            revision_number=revision.number,
            answer=data,
            answer_text=answer_text(question, data),
            changed=data != before.get(item.question_id),
            comment=((data or {}).get("comment") or "").strip() or None,
            replied_at=utcnow(),
            replied_by_recipient_id=recipient.id,
        )
        db.session.add(reply)
        replies.append(reply)
    if replies:
        db.session.flush()
        audit.record(
            "review.clarification_replied",
            "assignment",
            assignment.id,
            actor_type="vendor",
            actor_ref=f"recipient:{recipient.id}",
            details={"revision": revision.number, "questions": len(replies)},
        )
    return replies


def first_question_asked(assignment: Assignment) -> str | None:
    """Return the first question asked about in the open round, if one is open."""
    revision = assignment.response.open_revision if assignment.response else None
    if revision is None:
        return None
    items = clarification_items(assignment, revision.number)
    return items[0].question_id if items else None


def record_replies(
    assignment: Assignment, recipient: Recipient, number: int, replies: dict[int, str]
) -> None:
    """Keep the vendor's reply to each clarification comment."""
    for item in clarification_items(assignment, number):
        text = (replies.get(item.id) or "").strip()
        if text:
            item.reply = text[:5000]
            item.replied_at = utcnow()
            item.replied_by_recipient_id = recipient.id


# --- overrides -------------------------------------------------------------------------------


def override_points(
    revision: Revision,
    question_id: str,
    percent: int,
    justification: str,
    reviewer,
    original: str | None,
) -> ScoreOverride:
    """Change a question's points for review purposes; the engine's score stays on record."""
    if not justification.strip():
        raise ReviewError("A written justification is required.", "justification")
    if not 0 <= percent <= 100:
        raise ReviewError("Give a percentage from 0 to 100.", "percent")
    for old in db.session.scalars(
        select(ScoreOverride).where(
            ScoreOverride.revision_id == revision.id,
            ScoreOverride.question_id == question_id,
            ScoreOverride.superseded_at.is_(None),
        )
    ):
        old.superseded_at = utcnow()
    row = ScoreOverride(
        revision_id=revision.id,
        question_id=question_id,
        new_percent=percent,
        original_percent=original,
        justification=justification.strip(),
        by_id=reviewer.id,
    )
    db.session.add(row)
    audit.record(
        "review.points_overridden",
        "revision",
        revision.id,
        details={"question": question_id, "percent": percent},
    )
    return row


def override_severity(finding: Finding, severity: str, justification: str, reviewer) -> None:
    """Change a finding's severity with a justification; the original stays recorded."""
    if severity not in SEVERITIES:
        raise ReviewError("Unknown severity.", "severity")
    if not justification.strip():
        raise ReviewError("A written justification is required.", "justification")
    _event(
        finding,
        "severity_changed",
        user=reviewer,
        note=f"{finding.severity} → {severity}: {justification.strip()}",
    )
    finding.severity = severity
    finding.severity_justification = justification.strip()
    audit.record(
        "finding.severity_overridden", "finding", finding.id, details={"severity": severity}
    )


# --- finding life cycle ----------------------------------------------------------------------


def add_finding(
    assignment: Assignment,
    reviewer,
    *,
    title: str,
    severity: str,
    due_date: date | None,
    remediation: str | None,
    internal: bool,
    question_id: str | None = None,
) -> Finding:
    """Raise a finding by hand (internal ones are never shown to the vendor)."""
    if severity not in SEVERITIES:
        raise ReviewError("Unknown severity.", "severity")
    revision = latest_revision(assignment)
    finding = Finding(
        vendor_id=assignment.vendor_id,
        assignment_id=assignment.id,
        revision_id=revision.id if revision else None,
        question_id=question_id,
        source=FROM_REVIEWER,
        title=title.strip(),
        severity=severity,
        original_severity=severity,
        due_date=due_date,
        remediation=(remediation or "").strip() or None,
        internal=internal,
        created_by_id=reviewer.id,
    )
    db.session.add(finding)
    _event(finding, "raised", user=reviewer)
    db.session.flush()
    audit.record("finding.created", "finding", finding.id, details={"severity": severity})
    return finding


def plan_remediation(
    finding: Finding, *, owner: str, plan_date: date, plan: str, user=None, recipient=None
) -> None:
    """Record who at the vendor fixes it and by when (staff or the vendor itself)."""
    if not finding.is_open:
        raise ReviewError("Only an open finding can get a remediation plan.")
    if not owner.strip():
        raise ReviewError("Name the person at the vendor who owns the fix.", "owner")
    finding.plan_owner, finding.plan_date, finding.plan_text = (
        owner.strip(),
        plan_date,
        plan.strip(),
    )
    _event(
        finding,
        "planned",
        user=user,
        recipient=recipient,
        note=f"{owner.strip()} by {plan_date.isoformat()}",
        to_state=PLANNED,
    )
    audit.record(
        "finding.planned",
        "finding",
        finding.id,
        actor_type="vendor" if recipient else None,
        actor_ref=f"recipient:{recipient.id}" if recipient else None,
    )


def close_finding(finding: Finding, reviewer, note: str) -> None:
    """Close a finding once a reviewer verified the fix."""
    if not finding.is_open:
        raise ReviewError("This finding is not open.")
    if not note.strip():
        raise ReviewError("Say how the fix was verified.", "note")
    _event(finding, "closed", user=reviewer, note=note.strip(), to_state=CLOSED)
    finding.closed_by_id, finding.closed_at = reviewer.id, utcnow()
    audit.record("finding.closed", "finding", finding.id)


def accept_risk(finding: Finding, user, reason: str, expires_on: date) -> None:
    """Accept a finding's risk until a date; never by the vendor's own internal owner."""
    if not finding.is_open:
        raise ReviewError("Only an open finding's risk can be accepted.")
    if finding.vendor.owner_id == user.id:
        raise ReviewError("The vendor's owner cannot accept its risks; ask someone else.")
    if not reason.strip():
        raise ReviewError("Give the reason for accepting the risk.", "reason")
    if expires_on <= date.today():
        raise ReviewError("The acceptance must expire after today.", "expires_on")
    _event(
        finding,
        "risk_accepted",
        user=user,
        note=f"until {expires_on.isoformat()}: {reason.strip()}",
        to_state=RISK_ACCEPTED,
    )
    finding.acceptance_by_id = user.id
    finding.acceptance_reason = reason.strip()
    finding.acceptance_expires_on = expires_on
    audit.record(
        "finding.risk_accepted",
        "finding",
        finding.id,
        details={"expires_on": expires_on.isoformat()},
    )


def reopen_expired_acceptances(today: date | None = None) -> int:
    """Reopen findings whose risk acceptance has run out; return how many."""
    today = today or date.today()
    expired = db.session.scalars(
        select(Finding).where(Finding.state == RISK_ACCEPTED, Finding.acceptance_expires_on < today)
    ).all()
    for finding in expired:
        _event(
            finding,
            "acceptance_expired",
            note=f"accepted until {finding.acceptance_expires_on}",
            to_state=OPEN,
        )
        audit.record("finding.reopened", "finding", finding.id, actor_type="system")
    return len(expired)


def vendor_findings(assignment: Assignment) -> list[Finding]:
    """Return the findings raised to the vendor for this assignment (never internal ones)."""
    return list(
        db.session.scalars(
            select(Finding)
            .where(Finding.assignment_id == assignment.id, Finding.internal.is_(False))
            .order_by(Finding.id)
        )
    )
