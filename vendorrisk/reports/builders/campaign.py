"""Everything a campaign's portfolio report shows, in a fixed number of queries for any size."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from vendorrisk.campaigns.models import (
    NOT_STARTED,
    RESPONSE_LABELS,
    Assignment,
    Campaign,
    ImpactAlert,
    Recipient,
    Response,
    Revision,
)
from vendorrisk.campaigns.services import due_display
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.reports import charts
from vendorrisk.reports import record as records
from vendorrisk.reports.builders.common import (
    AdvisoryAtSend,
    Limits,
    Meta,
    advisory_at_send,
)
from vendorrisk.review import effective
from vendorrisk.review.effective import EffectiveResult
from vendorrisk.review.models import DECISION_LABELS, ClarificationItem, Finding
from vendorrisk.review.queries import open_condition
from vendorrisk.scoring.result import round_display

Progress = Callable[[int, str], None]
# Vendors whose effective results are held at once while the report's lines are written.
RESULT_CHUNK = 100

NOT_EXPOSED = "not_exposed"
NOT_SCORED = "not_scored"
NO_RESPONSE = "no_response"


def _no_progress(percent: int, stage: str) -> None:
    return None


@dataclass
class VendorLine:
    """One vendor's line in the portfolio table."""

    assignment: Assignment
    name: str
    tier: int
    tier_label: str
    response: str
    review: str
    overdue: bool
    revisions: int
    overall: str | None
    band: str | None
    overridden: bool
    not_exposed: bool
    categories: dict[str, str | None]
    open_findings: Counter = field(default_factory=Counter)
    impact: bool = False
    needs_review: bool = False

    @property
    def band_key(self) -> str:
        if not self.revisions:
            return NO_RESPONSE
        if self.not_exposed:
            return NOT_EXPOSED
        return self.band or NOT_SCORED


@dataclass
class OverdueLine:
    name: str
    tier_label: str
    days: int
    state: str
    recipients: int
    delivery: str
    last_activity: datetime | None


@dataclass
class FindingGroup:
    """One gap found at several vendors: the same finding title, remediation and vendors."""

    title: str
    remediation: str | None
    findings: list[Finding]

    @property
    def vendors(self) -> list[str]:
        return [f.vendor.name + (" (plan)" if f.state == "planned" else "") for f in self.findings]


@dataclass
class SignalLine:
    alert: ImpactAlert
    vendor: str
    signals: list[str]


@dataclass
class CampaignReport:
    """The whole context of a campaign report."""

    meta: Meta
    campaign: Campaign
    template_title: str
    template_kind: str
    version_number: int
    advisory: AdvisoryAtSend | None
    due: str
    sent_by: str
    total: int
    submitted: int
    late: int
    in_progress: int
    not_started: int
    bands: list[tuple[str, str, int]]  # (band id or a special key, label, vendors)
    band_ids: set[str]
    band_chart: str | None
    categories: list[tuple[str, str]]  # (id, title)
    averages: list[tuple[str, str | None, int]]  # (title, average, vendors scored)
    category_chart: str | None
    lines: list[VendorLine]
    lines_cut: int
    critical: list[FindingGroup]
    open_by_severity: Counter
    overdue: list[OverdueLine]
    signals: list[SignalLine]
    period_text: str
    # (vendor, question text, item): each question asked about, with its replies round by round
    clarifications: list = field(default_factory=list)
    # Every assignment of the campaign (the printed table may be cut; the record is not).
    assignments: list[Assignment] = field(default_factory=list)

    @property
    def rate(self) -> int:
        return round(100 * self.submitted / self.total) if self.total else 0


def _assignments(campaign: Campaign) -> list[Assignment]:
    # The revisions are not loaded here: a line needs only how many were submitted, and the
    # scores come from the effective-result service a chunk at a time (see `build`).
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.campaign_id == campaign.id)
            .options(
                selectinload(Assignment.vendor),
                selectinload(Assignment.recipients).selectinload(Recipient.last_message),
            )
            .order_by(Assignment.id)
        )
    )


def _submitted_counts(campaign: Campaign) -> dict[int, int]:
    """Return how many revisions each assignment of the campaign submitted, in one query."""
    return dict(
        db.session.execute(
            select(Response.assignment_id, func.count(Revision.id))
            .join(Revision, Revision.response_id == Response.id)
            .join(Assignment, Assignment.id == Response.assignment_id)
            .where(Assignment.campaign_id == campaign.id, Revision.submitted_at.is_not(None))
            .group_by(Response.assignment_id)
        ).all()
    )


def _line(
    assignment: Assignment, result: EffectiveResult | None, now: datetime, submitted: int
) -> VendorLine:
    vendor = assignment.vendor
    line = VendorLine(
        assignment=assignment,
        name=vendor.name,
        tier=vendor.risk_tier,
        tier_label=vendor.tier_label,
        response=RESPONSE_LABELS.get(assignment.response_state, assignment.response_state),
        review=DECISION_LABELS.get(assignment.review_state, "Not reviewed"),
        overdue=assignment.is_overdue(now),
        revisions=submitted,
        overall=None,
        band=None,
        overridden=False,
        not_exposed=False,
        categories={},
    )
    if result is not None:
        line.overridden = result.changed
        line.overall = result.overall_display
        line.band = result.band
        line.not_exposed = result.result.not_exposed
        line.needs_review = bool(result.review_flags)
        line.impact = bool(result.result.impact_signals)
        line.categories = {c.id: round_display(c.score) for c in result.result.categories}
    return line


def build(
    campaign: Campaign,
    meta: Meta,
    limits: Limits,
    progress: Progress = _no_progress,
    record: records.RecordWriter | None = None,
) -> CampaignReport:
    """Gather a campaign's results for its portfolio report (and its record into `record`)."""
    now = utcnow()
    today = now.date()
    progress(8, "Reading the campaign")
    version = campaign.template_version
    template = parsed_version(version)
    assignments = _assignments(campaign)
    submitted_counts = _submitted_counts(campaign)
    ids = [a.id for a in assignments]
    open_findings = db.session.scalars(
        select(Finding)
        .where(Finding.assignment_id.in_(ids or [-1]), open_condition(today))
        .options(selectinload(Finding.vendor))
        .order_by(Finding.id)
    ).all()
    lines = []
    # A chunk of vendors at a time: each chunk's revisions, answers and effective results are
    # dropped once its lines (and its part of the record) are written, so memory stays bounded
    # whatever the size of the campaign, and each result is computed once for both.
    for start in range(0, len(assignments), RESULT_CHUNK):
        progress(10 + 25 * start // max(1, len(assignments)), "Scoring summary per vendor")
        chunk = assignments[start : start + RESULT_CHUNK]
        if record is None:
            results = effective.for_assignments(chunk)
        else:
            part = records.gather(chunk)
            record.add(part)
            results = part.results()
            del part
        for assignment in chunk:
            result = results.get(assignment.id)
            lines.append(_line(assignment, result, now, submitted_counts.get(assignment.id, 0)))
        del results
    by_assignment = {line.assignment.id: line for line in lines}
    for finding in open_findings:
        if finding.assignment_id in by_assignment:
            by_assignment[finding.assignment_id].open_findings[finding.severity] += 1
    lines.sort(key=lambda line: (line.tier, line.name.lower()))

    band_counts = Counter(line.band_key for line in lines)
    bands = [(b.id, b.label, band_counts.get(b.id, 0)) for b in template.bands]
    bands += [
        (NOT_EXPOSED, "Not exposed", band_counts.get(NOT_EXPOSED, 0)),
        (NOT_SCORED, "Not scored", band_counts.get(NOT_SCORED, 0)),
        (NO_RESPONSE, "No response", band_counts.get(NO_RESPONSE, 0)),
    ]
    categories = [(c.id, c.title) for c in template.categories]
    averages = []
    for cat_id, title in categories:
        scores = [float(s) for line in lines if (s := line.categories.get(cat_id)) is not None]
        averages.append(
            (title, f"{sum(scores) / len(scores):.1f}" if scores else None, len(scores))
        )
    progress(36, "Drawing charts")
    band_ids = {b.id for b in template.bands}
    band_chart = (
        charts.band_chart(
            [
                (key, f"{key} · {label}" if key in band_ids else label, count)
                for key, label, count in bands
            ]
        )
        if lines
        else None
    )
    category_chart = (
        charts.category_chart(
            [(title, float(avg) if avg is not None else None) for title, avg, _ in averages]
        )
        if any(avg is not None for _, avg, _ in averages)
        else None
    )

    overdue = []
    for line in lines:
        if not line.overdue:
            continue
        assignment = line.assignment
        states = Counter(r.delivery_state for r in assignment.recipients)
        overdue.append(
            OverdueLine(
                name=line.name,
                tier_label=line.tier_label,
                days=max(0, (now - assignment.effective_due_at).days),
                state=line.response,
                recipients=len(assignment.recipients),
                delivery=", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "no recipient",
                last_activity=assignment.last_activity_at,
            )
        )
    signals = []
    names = {a.id: a.vendor.name for a in assignments}
    for alert in db.session.scalars(
        select(ImpactAlert)
        .where(ImpactAlert.assignment_id.in_(ids or [-1]))
        .order_by(ImpactAlert.id)
    ):
        signals.append(
            SignalLine(
                alert,
                names.get(alert.assignment_id, "?"),
                [
                    f"{s.get('question_text', s.get('question_id'))}: {s.get('answer_label', '')}"
                    for s in alert.signals or []
                ],
            )
        )
    groups: dict[tuple[str, str | None], FindingGroup] = {}
    for finding in sorted(
        (f for f in open_findings if f.severity == "critical"),
        key=lambda f: (f.vendor.name.lower(), f.id),
    ):
        key = (finding.title, finding.remediation)
        groups.setdefault(key, FindingGroup(finding.title, finding.remediation, []))
        groups[key].findings.append(finding)
    critical = sorted(groups.values(), key=lambda g: (-len(g.findings), g.title))
    kept = lines[: limits.vendors]
    return CampaignReport(
        meta=meta,
        campaign=campaign,
        template_title=template.title,
        template_kind=template.kind,
        version_number=version.number,
        advisory=advisory_at_send(campaign.advisory_slug, campaign.sent_at),
        due=due_display(campaign),
        sent_by=campaign.created_by.name if campaign.created_by else "—",
        total=len(lines),
        submitted=sum(1 for a in assignments if a.is_submitted),
        late=sum(1 for a in assignments if a.response_state == "submitted_late"),
        in_progress=sum(1 for a in assignments if a.response_state == "in_progress"),
        not_started=sum(1 for a in assignments if a.response_state == NOT_STARTED),
        bands=bands,
        band_ids=band_ids,
        band_chart=band_chart,
        categories=categories,
        averages=averages,
        category_chart=category_chart,
        lines=kept,
        lines_cut=len(lines) - len(kept),
        critical=critical,
        open_by_severity=Counter(f.severity for f in open_findings),
        overdue=overdue,
        signals=signals,
        period_text=meta.period.describe(
            (campaign.sent_at or campaign.created_at).date(), meta.generated_at
        ),
        clarifications=_clarifications(assignments, template),
        assignments=assignments,
    )


def _clarifications(assignments: list[Assignment], template) -> list:
    """Return each question asked about, by vendor then round (replies load in one query)."""
    vendors = {a.id: a.vendor.name for a in assignments}
    items = db.session.scalars(
        select(ClarificationItem)
        .where(ClarificationItem.assignment_id.in_(list(vendors) or [-1]))
        .options(selectinload(ClarificationItem.asked_by))
        .order_by(ClarificationItem.assignment_id, ClarificationItem.id)
    ).all()

    def text(qid: str) -> str:
        try:
            return template.question(qid).text
        except KeyError:
            return qid

    return [(vendors[i.assignment_id], text(i.question_id), i) for i in items]
