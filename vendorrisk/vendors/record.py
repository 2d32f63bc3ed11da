"""A vendor's record: every assessment, its effective score and decision, findings, exposure,
evidence, the latest report and the activity around it, for the vendor page and the API.

Everything is read in a fixed number of queries however long the history grows: the
assessments with their campaigns and revisions in one pass, then overrides, decisions,
findings, evidence, reports and audit entries each in one query keyed by the ids already
loaded. Advisory exposure is worked out per advisory the vendor was asked about or recorded
against (the most recent few), through the advisory library's own rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from vendorrisk.accounts.models import User
from vendorrisk.advisories.exposure import vendor_rows
from vendorrisk.advisories.models import Advisory, Exposure
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.models import Assignment, Campaign, Evidence, Response, Revision
from vendorrisk.charts import bar_chart
from vendorrisk.core.timeutil import iso
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.reports.models import DONE, VENDOR_PDF, ReportJob
from vendorrisk.review.effective import EffectiveResult, for_revisions, number
from vendorrisk.review.models import Finding, ReviewDecision

from .models import Vendor

TIMELINE_SIZE = 40
EXPOSURE_ADVISORIES = 10
CHART_POINTS = 12


@dataclass(frozen=True)
class Assessment:
    """One campaign sent to the vendor: its latest submitted answers as a person sees them."""

    assignment: Assignment
    revision: Revision | None
    effective: EffectiveResult | None
    decision: ReviewDecision | None
    open_findings: int

    @property
    def campaign(self) -> Campaign:
        return self.assignment.campaign

    @property
    def template_label(self) -> str:
        version = self.campaign.template_version
        return f"{version.template.title} v{version.number}"

    def to_json(self) -> dict[str, Any]:
        """Return the assessment with its effective figures as JSON numbers."""
        eff = self.effective
        return {
            "assignment_id": self.assignment.id,
            "campaign": {"id": self.campaign.id, "name": self.campaign.name},
            "template": self.template_label,
            "sent_at": iso(self.campaign.sent_at),
            "due_at": iso(self.assignment.effective_due_at),
            "extended_due_at": iso(self.assignment.extended_due_at),
            "response_state": self.assignment.response_state,
            "submitted_at": iso(self.revision.submitted_at if self.revision else None),
            "revision": self.revision.number if self.revision else None,
            "overall": number(eff.overall) if eff else None,
            "band": eff.band if eff else None,
            "band_label": eff.band_label if eff else None,
            "not_exposed": bool(eff and eff.result.not_exposed),
            "impact": bool(eff and eff.result.impact_signals),
            "categories": {c.id: number(c.score) for c in eff.result.categories} if eff else {},
            "decision": self.decision.decision if self.decision else None,
            "reviewer": self.decision.reviewer.name if self.decision else None,
            "decided_at": iso(self.decision.decided_at if self.decision else None),
            "open_findings": self.open_findings,
        }


@dataclass(frozen=True)
class ExposureState:
    """How far the vendor is known to be exposed to one advisory, and what decided it."""

    advisory: Advisory
    state: str
    label: str
    how: str
    reason: str | None


# How the timeline words the actions it shows most; any other shows its audit code.
ACTIVITY_LABELS = {
    "vendor.created": "Vendor added",
    "vendor.updated": "Vendor details changed",
    "vendor.offboarded": "Vendor offboarded",
    "response.submitted": "Answers submitted",
    "evidence.uploaded": "Evidence uploaded",
    "review.decided": "Review decision recorded",
    "review.clarification_requested": "Clarification asked for",
    "review.points_overridden": "Points overridden by a reviewer",
    "finding.created": "Finding raised",
    "finding.planned": "Remediation planned",
    "finding.closed": "Finding closed",
    "finding.risk_accepted": "Risk accepted",
    "finding.reopened": "Finding reopened",
    "finding.severity_overridden": "Finding severity changed",
    "assignment.reminded": "Reminder sent",
    "assignment.extended": "Due date extended",
    "report.requested": "Report requested",
    "report.built": "Report built",
    "export.report_pdf": "Report exported",
    "export.xlsx": "Workbook exported",
}


@dataclass(frozen=True)
class Activity:
    """One audit log entry about the vendor, its assessments, evidence or findings."""

    at: datetime
    action: str
    who: str
    object_type: str | None
    object_id: str | None

    @property
    def label(self) -> str:
        return ACTIVITY_LABELS.get(self.action, self.action)


@dataclass(frozen=True)
class ScoreSeries:
    """One category's effective scores over time (oldest first), for a chart and its table."""

    category: str
    title: str
    points: list[tuple[datetime, str, float]]  # submitted at, campaign name, score

    def svg(self) -> Markup:
        """Draw the series as a bar per assessment (the numbers are in the table too)."""
        labels = [f"{at:%Y-%m-%d}" for at, _name, _score in self.points]
        svg = bar_chart(
            f"{self.title}: score per assessment",
            labels,
            [score for _at, _name, score in self.points],
            width=420,
            height=200,
            scale_max=100,
        )
        # Safe markup: charts.sanitize escaped every text and dropped anything that could run.
        return Markup(svg)  # noqa: S704  # nosec B704


@dataclass
class VendorRecord:
    """What the vendor page and `GET /api/v1/vendors/<id>` show beyond the profile."""

    vendor: Vendor
    assessments: list[Assessment]  # newest first
    findings: list[Finding]
    exposures: list[ExposureState]
    evidence: list[Evidence]
    latest_report: ReportJob | None
    timeline: list[Activity]
    series: list[ScoreSeries] = field(default_factory=list)

    @property
    def open_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.is_open]

    @property
    def closed_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_open]

    def to_json(self) -> dict[str, Any]:
        """Return the record as JSON data (numbers as numbers, times in ISO 8601 UTC)."""
        return {
            "assessments": [a.to_json() for a in self.assessments],
            "findings": {
                "open": len(self.open_findings),
                "closed": len(self.closed_findings),
                "items": [_finding_json(f) for f in self.findings],
            },
            "exposure": [
                {
                    "advisory": e.advisory.slug,
                    "title": e.advisory.title,
                    "state": e.state,
                    "how": e.how,
                    "reason": e.reason,
                }
                for e in self.exposures
            ],
            "evidence": [
                {
                    "filename": e.filename,
                    "sha256": e.sha256,
                    "size": e.size,
                    "question_id": e.question_id,
                    "assignment_id": e.response.assignment_id,
                    "uploaded_at": iso(e.uploaded_at),
                }
                for e in self.evidence
            ],
            "latest_report": _report_json(self.latest_report),
            "score_history": [
                {
                    "category": s.category,
                    "title": s.title,
                    "points": [
                        {"submitted_at": iso(at), "campaign": name, "score": score}
                        for at, name, score in s.points
                    ],
                }
                for s in self.series
            ],
            "activity": [
                {
                    "at": iso(e.at),
                    "action": e.action,
                    "who": e.who,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                }
                for e in self.timeline
            ],
        }


def _finding_json(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "title": f.title,
        "category": f.category,
        "severity": f.severity,
        "state": f.state,
        "source": f.source,
        "internal": f.internal,
        "assignment_id": f.assignment_id,
        "due_date": f.due_date.isoformat() if f.due_date else None,
        "created_at": iso(f.created_at),
        "closed_at": iso(f.closed_at),
    }


def _report_json(job: ReportJob | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {
        "job_id": job.id,
        "document_id": job.document_id,
        "finished_at": iso(job.finished_at),
        "pages": job.pages,
        "size": job.size,
        "sha256": job.sha256,
    }


# --- loading ------------------------------------------------------------------------------------


def _assignments(vendor_id: int) -> list[Assignment]:
    return list(
        db.session.scalars(
            select(Assignment)
            .where(Assignment.vendor_id == vendor_id)
            .order_by(Assignment.created_at.desc(), Assignment.id.desc())
            .options(
                joinedload(Assignment.campaign)
                .joinedload(Campaign.template_version)
                .joinedload(TemplateVersion.template),
                selectinload(Assignment.response).selectinload(Response.revisions),
            )
        ).unique()
    )


def latest_decisions(assignment_ids: list[int]) -> dict[int, ReviewDecision]:
    """Return the latest review decision of each assignment, with its reviewer."""
    latest: dict[int, ReviewDecision] = {}
    if not assignment_ids:
        return latest
    for decision in db.session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.assignment_id.in_(assignment_ids))
        .order_by(ReviewDecision.id)
        .options(joinedload(ReviewDecision.reviewer))
    ):
        latest[decision.assignment_id] = decision
    return latest


def _findings(vendor_id: int) -> list[Finding]:
    return list(
        db.session.scalars(
            select(Finding)
            .where(Finding.vendor_id == vendor_id)
            .order_by(Finding.created_at.desc(), Finding.id.desc())
        )
    )


def _evidence(assignment_ids: list[int]) -> list[Evidence]:
    if not assignment_ids:
        return []
    return list(
        db.session.scalars(
            select(Evidence)
            .join(Response, Response.id == Evidence.response_id)
            .where(
                Response.assignment_id.in_(assignment_ids),
                Evidence.removed_at.is_(None),
                Evidence.first_submitted_revision.is_not(None),
            )
            .order_by(Evidence.uploaded_at.desc(), Evidence.id.desc())
            .options(joinedload(Evidence.response))
        )
    )


def _latest_report(vendor_id: int) -> ReportJob | None:
    return db.session.scalar(
        select(ReportJob)
        .where(
            ReportJob.kind == VENDOR_PDF,
            ReportJob.object_id == vendor_id,
            ReportJob.state == DONE,
        )
        .order_by(ReportJob.id.desc())
        .limit(1)
    )


def _timeline(vendor_id: int, ids_by_type: dict[str, list[int]]) -> list[Activity]:
    about = [and_(AuditEntry.object_type == "vendor", AuditEntry.object_id == str(vendor_id))]
    for object_type, ids in ids_by_type.items():
        if ids:
            about.append(
                and_(
                    AuditEntry.object_type == object_type,
                    AuditEntry.object_id.in_([str(i) for i in ids]),
                )
            )
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .where(or_(*about), AuditEntry.outcome == "success")
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(TIMELINE_SIZE)
        )
    )
    names = dict(
        db.session.execute(
            select(User.id, User.name).where(User.id.in_({e.actor_id for e in entries} or {-1}))
        ).all()
    )
    return [Activity(e.at, e.action, _who(e, names), e.object_type, e.object_id) for e in entries]


def _who(entry: AuditEntry, names: dict[int, str]) -> str:
    name = names.get(entry.actor_id) if entry.actor_id is not None else None
    return name or _actor(entry)


def _actor(entry: AuditEntry) -> str:
    return {"vendor": "The vendor", "system": "The system"}.get(entry.actor_type, entry.actor_type)


def _exposures(vendor: Vendor, assignments: list[Assignment]) -> list[ExposureState]:
    asked = {a.campaign.advisory_slug for a in assignments if a.campaign.advisory_slug}
    recorded = select(Exposure.advisory_id).where(Exposure.vendor_id == vendor.id)
    advisories = list(
        db.session.scalars(
            select(Advisory)
            .where(or_(Advisory.slug.in_(asked or {""}), Advisory.id.in_(recorded)))
            .order_by(Advisory.published_on.desc(), Advisory.id.desc())
            .limit(EXPOSURE_ADVISORIES)
        )
    )
    states = []
    for advisory in advisories:
        mine = [a for a in reversed(assignments) if a.campaign.advisory_slug == advisory.slug]
        row = next((r for r in vendor_rows(advisory, mine) if r.vendor.id == vendor.id), None)
        if row is not None:
            states.append(ExposureState(advisory, row.state, row.state_label, row.how, row.reason))
    return states


def _series(assessments: list[Assessment]) -> list[ScoreSeries]:
    points: dict[str, list[tuple[datetime, str, float]]] = defaultdict(list)
    titles: dict[str, str] = {}
    for a in reversed(assessments):
        eff, revision = a.effective, a.revision
        if eff is None or revision is None or eff.result.not_exposed:
            continue
        if revision.submitted_at is None:
            continue
        for c in eff.result.categories:
            score = number(c.score)
            if score is None:
                continue
            titles.setdefault(c.id, c.title)
            points[c.id].append((revision.submitted_at, a.campaign.name, score))
    return [
        ScoreSeries(category, titles[category], values[-CHART_POINTS:])
        for category, values in points.items()
    ]


def score_series(vendor: Vendor) -> list[ScoreSeries]:
    """Return the score-over-time series alone, for the chart images of the vendor page."""
    assignments = _assignments(vendor.id)
    latest = {a.id: a.response.latest_submitted for a in assignments if a.response is not None}
    effective = for_revisions(r for r in latest.values() if r is not None)
    assessments = []
    for a in assignments:
        revision = latest.get(a.id)
        result = effective.get(revision.id) if revision is not None else None
        assessments.append(Assessment(a, revision, result, None, 0))
    return _series(assessments)


def vendor_record(vendor: Vendor) -> VendorRecord:
    """Gather a vendor's whole record in a fixed number of queries."""
    assignments = _assignments(vendor.id)
    ids = [a.id for a in assignments]
    latest = {a.id: a.response.latest_submitted for a in assignments if a.response is not None}
    effective = for_revisions(r for r in latest.values() if r is not None)
    decisions = latest_decisions(ids)
    findings = _findings(vendor.id)
    open_by: dict[int, int] = defaultdict(int)
    for f in findings:
        if f.is_open and f.assignment_id is not None:
            open_by[f.assignment_id] += 1
    assessments = []
    for a in assignments:
        revision = latest.get(a.id)
        assessments.append(
            Assessment(
                a,
                revision,
                effective.get(revision.id) if revision is not None else None,
                decisions.get(a.id),
                open_by[a.id],
            )
        )
    evidence = _evidence(ids)
    revisions = [r.id for a in assignments if a.response for r in a.response.revisions]
    record = VendorRecord(
        vendor=vendor,
        assessments=assessments,
        findings=findings,
        exposures=_exposures(vendor, assignments),
        evidence=evidence,
        latest_report=_latest_report(vendor.id),
        timeline=_timeline(
            vendor.id,
            {
                "assignment": ids,
                "revision": revisions,
                "finding": [f.id for f in findings],
                "evidence": [e.id for e in evidence],
            },
        ),
    )
    record.series = _series(assessments)
    return record
