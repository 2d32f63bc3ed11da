"""Gather the vendor's response times for campaign assignments and act on a breached clause."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment, Campaign, Recipient, Response, Revision
from vendorrisk.clocks.response import ResponseClock, measure
from vendorrisk.contracts.models import Contract
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.review import effective
from vendorrisk.review.effective import EffectiveResult
from vendorrisk.review.models import CLOSED, RISK_ACCEPTED, Finding, FindingEvent

FROM_CONTRACT_CLOCK = "contract_clock"


def clause_contracts(vendor_ids: Iterable[int], day) -> dict[int, Contract]:
    """The in-force contract with the strictest breach-notification clause, per vendor."""
    rows = db.session.scalars(
        select(Contract).where(
            Contract.vendor_id.in_(set(vendor_ids)), Contract.breach_notification_hours.is_not(None)
        )
    )
    best: dict[int, Contract] = {}
    for c in rows:
        if not c.in_force_on(day):
            continue
        held = best.get(c.vendor_id)
        if held is None or (c.breach_notification_hours or 0) < (
            held.breach_notification_hours or 0
        ):
            best[c.vendor_id] = c
    return best


def _stated(
    revisions: list[Revision], results: dict[int, EffectiveResult]
) -> tuple[datetime | None, str | None]:
    for revision in sorted(revisions, key=lambda r: r.submitted_at or datetime.max):
        result = results.get(revision.id)
        if result is None:
            continue
        if result.result.impact_signals:
            return revision.submitted_at, "affected"
        if result.result.not_exposed:
            return revision.submitted_at, "not affected"
    return None, None


def for_assignments(
    assignments: list[Assignment], now: datetime, *, only_with_clause: bool = False
) -> dict[int, tuple[ResponseClock, Contract | None]]:
    """Measure each sent assignment's response; a fixed number of queries however many.

    With `only_with_clause`, vendors without a notification clause are left out (one query
    when none has one).
    """
    sent = {a.id: a.campaign.sent_at for a in assignments if a.campaign.sent_at is not None}
    by_id = {a.id: a for a in assignments}
    if not sent:
        return {}
    contracts = clause_contracts({by_id[i].vendor_id for i in sent}, min(sent.values()).date())
    if only_with_clause:
        sent = {i: at for i, at in sent.items() if by_id[i].vendor_id in contracts}
    ids = list(sent)
    if not ids:
        return {}
    acknowledged = dict(
        db.session.execute(
            select(Recipient.assignment_id, func.min(Recipient.first_opened_at))
            .where(Recipient.assignment_id.in_(ids))
            .group_by(Recipient.assignment_id)
        ).all()
    )
    revisions: dict[int, list[Revision]] = defaultdict(list)
    for assignment_id, revision in db.session.execute(
        select(Response.assignment_id, Revision)
        .join(Revision, Revision.response_id == Response.id)
        .where(Response.assignment_id.in_(ids), Revision.submitted_at.is_not(None))
    ):
        revisions[assignment_id].append(revision)
    results = effective.for_revisions(r for rows in revisions.values() for r in rows)
    findings: dict[int, list[Finding]] = defaultdict(list)
    for f in db.session.scalars(select(Finding).where(Finding.assignment_id.in_(ids))):
        findings[f.assignment_id or 0].append(f)
    clocks = {}
    for i in ids:
        assignment = by_id[i]
        contract = contracts.get(assignment.vendor_id)
        stated_at, stated = _stated(revisions[i], results)
        own = [f for f in findings[i] if f.source != FROM_CONTRACT_CLOCK]
        closed = own and all(f.state in (CLOSED, RISK_ACCEPTED) for f in own)
        clocks[i] = (
            measure(
                asked_at=sent[i],
                due_at=assignment.effective_due_at,
                clause_hours=contract.breach_notification_hours if contract else None,
                acknowledged_at=acknowledged.get(i),
                stated_at=stated_at,
                stated=stated,
                submitted_at=min(
                    (r.submitted_at for r in revisions[i] if r.submitted_at), default=None
                ),
                findings_closed_at=max(f.closed_at or f.created_at for f in own)
                if closed
                else None,
                now=now,
            ),
            contract,
        )
    return clocks


def raise_breaches(campaign: Campaign, now: datetime) -> list[Finding]:
    """Raise one finding per assignment whose vendor breached its clause, and tell the owner."""
    already = set(
        db.session.scalars(
            select(Finding.assignment_id).where(
                Finding.source == FROM_CONTRACT_CLOCK,
                Finding.assignment_id.in_([a.id for a in campaign.assignments]),
            )
        )
    )
    raised = []
    for assignment_id, (clock, contract) in for_assignments(campaign.assignments, now).items():
        if not clock.clause_breached or assignment_id in already or contract is None:
            continue
        assignment = next(a for a in campaign.assignments if a.id == assignment_id)
        stated = clock.milestone("stated").at
        late = (
            f"stated it {(stated - clock.asked_at).total_seconds() / 3600:.1f} h after being asked"
            if stated
            else "has not stated whether it is affected"
        )
        finding = Finding(
            vendor_id=assignment.vendor_id,
            assignment_id=assignment.id,
            source=FROM_CONTRACT_CLOCK,
            title=f"Breach-notification clause missed ({clock.clause_hours} h)",
            detail=(
                f"Contract {contract.contractual_arrangement_reference_number} requires notice "
                f"within {clock.clause_hours} h; for “{campaign.name}” the vendor {late}."
            ),
            severity="high",
            original_severity="high",
            internal=True,
        )
        db.session.add(finding)
        finding.events.append(FindingEvent(action="raised", to_state=finding.state))
        db.session.flush()
        audit.record("finding.created", "finding", finding.id, details={"source": "contract_clock"})
        owner = assignment.vendor.owner
        if owner is not None and owner.active:
            outbox.queue(
                "clause_breach",
                owner.email,
                f"Notification clause missed: {assignment.vendor.name}",
                related=("finding", finding.id),
                user_name=owner.name,
                vendor_name=assignment.vendor.name,
                campaign=campaign,
                detail=finding.detail,
            )
        raised.append(finding)
    return raised
