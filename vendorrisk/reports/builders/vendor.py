"""Everything a vendor's due-diligence report shows, gathered in a fixed handful of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.campaigns.models import (
    CAIQ_EVIDENCE,
    RESPONSE_LABELS,
    Assignment,
    Campaign,
    ImpactAlert,
    Recipient,
    Response,
    Revision,
)
from vendorrisk.extensions import db
from vendorrisk.questionnaires.display import answer_text
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.reports import charts
from vendorrisk.reports.builders.common import (
    SEVERITY_ORDER,
    AdvisoryAtSend,
    AuditRow,
    Limits,
    Meta,
    advisories_module,
    advisory_at_send,
    audit_trail,
    clip,
)
from vendorrisk.review import effective
from vendorrisk.review.effective import EffectiveResult, ReviewItem, needs_reviewer
from vendorrisk.review.models import (
    DECISION_LABELS,
    FROM_CONDITION,
    ClarificationItem,
    Finding,
    FindingEvent,
    ReviewDecision,
    ScoreOverride,
)
from vendorrisk.review.queries import residual_for
from vendorrisk.review.residual import Residual
from vendorrisk.scoring import ScoreResult
from vendorrisk.scoring.certificates import CertificateView, certificate_views
from vendorrisk.scoring.result import round_display
from vendorrisk.vendors.models import Contact, ProductUse, Vendor
from vendorrisk.vendors.risk import Tier, inherent_tier

Progress = Callable[[int, str], None]


def _no_progress(percent: int, stage: str) -> None:
    return None


@dataclass
class CategoryRow:
    title: str
    score: str | None
    earned: str
    possible: str


@dataclass
class RevisionView:
    """One submitted revision: attestation, hash, and its effective result."""

    revision: Revision
    submitted_by: str
    result: EffectiveResult | None
    categories: list[CategoryRow]
    # Every override of this revision, superseded ones too (the record of who changed what).
    overrides: list[ScoreOverride] = field(default_factory=list)
    review_items: list[ReviewItem] = field(default_factory=list)

    @property
    def overall(self) -> str | None:
        """The effective overall score as shown, None when not exposed or not scored."""
        return self.result.overall_display if self.result else None

    @property
    def band(self) -> str | None:
        """The effective band."""
        return self.result.band if self.result else self.revision.band

    @property
    def band_label(self) -> str | None:
        return self.result.band_label if self.result else None

    @property
    def not_exposed(self) -> bool:
        return bool(self.result and self.result.result.not_exposed)

    @property
    def not_exposed_reason(self) -> str | None:
        return self.result.not_exposed_reason() if self.result else None

    @property
    def capped_by(self) -> tuple[str, ...]:
        return self.result.result.capped_by if self.result else ()

    @property
    def changed(self) -> bool:
        """Whether reviewer overrides changed the engine's figures."""
        return bool(self.result and self.result.changed)

    @property
    def computed_overall(self) -> str | None:
        return self.result.computed.overall_display if self.result else None

    @property
    def computed_band(self) -> str | None:
        return self.result.computed.band if self.result else None

    @property
    def verdict(self) -> str | None:
        return self.result.verdict.value if self.result else None


@dataclass
class AnswerRow:
    question_id: str
    text: str
    critical: bool
    answer: str
    comment: str | None
    evidence_reason: str | None
    earned: str | None
    possible: str | None
    status: str
    reason: str
    files: list[dict]
    clarifications: list[ClarificationItem]
    certificate: CertificateView | None = None


@dataclass
class SectionView:
    title: str
    rows: list[AnswerRow]


@dataclass
class EvidenceRow:
    id: int
    question_id: str
    filename: str
    size: int
    sha256: str
    uploaded_at: datetime | None
    uploaded_by: str
    revision: int

    @property
    def question_label(self) -> str:
        """The question the file answers, or what it is when it answers none."""
        return "completed CAIQ" if self.question_id == CAIQ_EVIDENCE else self.question_id


@dataclass
class Assessment:
    """One campaign's questionnaire for this vendor, as the report tells it."""

    assignment: Assignment
    campaign: Campaign
    template_title: str
    template_kind: str
    version_number: int
    advisory: AdvisoryAtSend | None
    sent_by: str
    response_label: str
    review_label: str
    reviewed_at: datetime | None
    reviewed_by: str | None
    revisions: list[RevisionView]
    latest: RevisionView | None
    chart: str | None
    sections: list[SectionView]
    answers_cut: int
    evidence: list[EvidenceRow]
    findings: list[Finding]
    conditions: list[Finding]
    decisions: list[ReviewDecision]
    clarifications: list[tuple[str, ClarificationItem]]
    impact_alerts: list[ImpactAlert]

    @property
    def anchor(self) -> str:
        return f"assessment-{self.assignment.id}"


@dataclass
class AdvisoryExposure:
    title: str
    slug: str
    state: str
    reason: str | None
    actions: list[tuple[str, str]]  # (action text, this vendor's state)


@dataclass
class VendorReport:
    """The whole context of a vendor report."""

    meta: Meta
    vendor: Vendor
    tier: Tier
    residual: Residual
    contacts: list[Contact]
    product_uses: list[ProductUse]
    assessments: list[Assessment]
    assessments_cut: int
    advisories: list[AdvisoryExposure]
    advisories_note: str | None
    audit: list[AuditRow]
    audit_total: int
    period_text: str

    @property
    def open_findings(self) -> list[Finding]:
        """Open findings and conditions of every assessment, most severe first."""
        found = [f for a in self.assessments for f in a.findings + a.conditions if f.is_open]
        return sorted(found, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.id))


def _recipient_names(assignments: list[Assignment]) -> dict[int, str]:
    return {r.id: r.contact.display_name for a in assignments for r in a.recipients}


def _revision_view(
    revision: Revision,
    template,
    result: EffectiveResult | None,
    overrides: list[ScoreOverride],
    names: dict[int, str],
) -> RevisionView:
    submitted_by = names.get(revision.submitted_by_recipient_id or -1, "—")
    if result is None:
        return RevisionView(revision, submitted_by, None, [], overrides)
    return RevisionView(
        revision=revision,
        submitted_by=submitted_by,
        result=result,
        categories=[
            CategoryRow(
                c.title, round_display(c.score), f"{float(c.earned):g}", f"{float(c.possible):g}"
            )
            for c in result.result.categories
        ],
        overrides=overrides,
        review_items=needs_reviewer(result, template),
    )


def _sections(
    template,
    revision: Revision | None,
    result: ScoreResult | None,
    clarifications: dict[str, list[ClarificationItem]],
    limits: Limits,
    budget: list[int],
) -> tuple[list[SectionView], int]:
    if revision is None:
        return [], 0
    answers = revision.answers or {}
    trace = {e.question_id: e for e in result.trace} if result else {}
    certificates = certificate_views(template, result)
    files: dict[str, list[dict]] = {}
    for item in revision.evidence_index or []:
        files.setdefault(item["question_id"], []).append(item)
    sections, cut = [], 0
    for section in template.sections:
        rows = []
        for question in section.questions:
            entry = trace.get(question.id)
            if entry is not None and entry.status.value == "hidden":
                continue
            if entry is None and question.id not in answers:
                continue
            if budget[0] <= 0:
                cut += 1
                continue
            budget[0] -= 1
            data = answers.get(question.id) or {}
            rows.append(
                AnswerRow(
                    question_id=question.id,
                    text=question.text,
                    critical=question.critical,
                    answer=clip(answer_text(question, data), limits.answer_chars) or "",
                    comment=clip(data.get("comment"), limits.answer_chars),
                    evidence_reason=clip(data.get("evidence_reason"), limits.answer_chars),
                    earned=f"{float(entry.earned):g}" if entry and entry.possible else None,
                    possible=f"{float(entry.possible):g}" if entry and entry.possible else None,
                    status=entry.status.value if entry else "",
                    reason=entry.reason if entry else "",
                    files=files.get(question.id, []),
                    clarifications=clarifications.get(question.id, []),
                    certificate=certificates.get(question.id),
                )
            )
        if rows:
            sections.append(SectionView(section.title, rows))
    return sections, cut


def _evidence(revisions: list[Revision], names: dict[int, str]) -> list[EvidenceRow]:
    seen: dict[int, EvidenceRow] = {}
    for revision in revisions:
        for item in revision.evidence_index or []:
            if item["id"] in seen:
                continue
            uploaded = item.get("uploaded_at")
            seen[item["id"]] = EvidenceRow(
                id=item["id"],
                question_id=item["question_id"],
                filename=item["filename"],
                size=item["size"],
                sha256=item["sha256"],
                uploaded_at=datetime.fromisoformat(uploaded) if uploaded else None,
                uploaded_by=names.get(item.get("uploaded_by_recipient") or -1, "—"),
                revision=revision.number,
            )
    return sorted(seen.values(), key=lambda e: (e.revision, e.id))


def _assignments(vendor: Vendor, limits: Limits, period) -> tuple[list[Assignment], int]:
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.vendor_id == vendor.id)
        .options(
            selectinload(Assignment.campaign)
            .selectinload(Campaign.template_version)
            .selectinload(TemplateVersion.template),
            selectinload(Assignment.campaign).selectinload(Campaign.created_by),
            selectinload(Assignment.response).selectinload(Response.revisions),
            selectinload(Assignment.recipients).selectinload(Recipient.contact),
        )
    ).all()
    kept = [a for a in assignments if period.contains(a.campaign.sent_at or a.campaign.created_at)]
    kept.sort(key=lambda a: (a.campaign.sent_at or a.campaign.created_at, a.id), reverse=True)
    return kept[: limits.assessments], max(0, len(kept) - limits.assessments)


def _by_assignment(rows, key="assignment_id") -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _advisories(
    vendor: Vendor, assignments: list[Assignment]
) -> tuple[list[AdvisoryExposure], str | None]:
    models = advisories_module("models")
    exposure = advisories_module("exposure")
    checklist = advisories_module("checklist")
    services = advisories_module("services")
    needed = (getattr(models, "Advisory", None), getattr(exposure, "vendor_rows", None))
    if None in needed:
        return [], "The advisory library is not part of this installation."
    result = []
    for advisory in db.session.scalars(select(models.Advisory).order_by(models.Advisory.slug)):
        mine = [a for a in assignments if a.campaign.advisory_slug == advisory.slug]
        row = next(
            (r for r in exposure.vendor_rows(advisory, mine) if r.vendor.id == vendor.id), None
        )
        if row is None:
            continue
        actions: list[tuple[str, str]] = []
        if checklist is not None and services is not None and hasattr(services, "effective"):
            for item in checklist.vendor_checklist(services.effective(advisory), [row]):
                check = item.checks[0] if item.checks else None
                actions.append(
                    (item.action.text, check.label if check else "Not asked about this action")
                )
        result.append(
            AdvisoryExposure(advisory.title, advisory.slug, row.state_label, row.reason, actions)
        )
    note = None
    if checklist is None:
        note = "Confirmed actions are not tracked in this installation."
    return result, note


def build(
    vendor: Vendor, meta: Meta, limits: Limits, progress: Progress = _no_progress
) -> VendorReport:
    """Gather a vendor's record for its due-diligence report."""
    period = meta.period
    progress(10, "Reading the vendor's record")
    assignments, assessments_cut = _assignments(vendor, limits, period)
    ids = [a.id for a in assignments]
    revisions = [
        r
        for a in assignments
        if a.response
        for r in a.response.revisions
        if r.submitted_at is not None
    ]
    revision_ids = [r.id for r in revisions]
    results = effective.for_revisions(revisions)
    overrides = _by_assignment(
        db.session.scalars(
            select(ScoreOverride)
            .where(ScoreOverride.revision_id.in_(revision_ids or [-1]))
            .options(selectinload(ScoreOverride.by))
            .order_by(ScoreOverride.id)
        ),
        "revision_id",
    )
    findings = db.session.scalars(
        select(Finding)
        .where(Finding.vendor_id == vendor.id)
        .options(
            selectinload(Finding.events).selectinload(FindingEvent.user),
            selectinload(Finding.acceptance_by),
            selectinload(Finding.closed_by),
        )
        .order_by(Finding.id)
    ).all()
    decisions = _by_assignment(
        db.session.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.assignment_id.in_(ids or [-1]))
            .options(selectinload(ReviewDecision.reviewer), selectinload(ReviewDecision.revision))
            .order_by(ReviewDecision.id)
        )
    )
    items = _by_assignment(
        db.session.scalars(
            select(ClarificationItem)
            .where(ClarificationItem.assignment_id.in_(ids or [-1]))
            .options(selectinload(ClarificationItem.asked_by))
            .order_by(ClarificationItem.id)
        )
    )
    alerts = _by_assignment(
        db.session.scalars(
            select(ImpactAlert)
            .where(ImpactAlert.assignment_id.in_(ids or [-1]))
            .order_by(ImpactAlert.id)
        )
    )
    names = _recipient_names(assignments)
    findings_by = _by_assignment(findings)
    budget = [limits.answer_rows]  # answer rows left for the whole report
    assessments = []
    for index, assignment in enumerate(assignments):
        progress(10 + 25 * index // max(1, len(assignments)), "Gathering assessments")
        assessments.append(
            _assessment(
                assignment,
                results,
                overrides,
                findings_by,
                decisions,
                items,
                alerts,
                names,
                limits,
                budget,
            )
        )
    progress(38, "Reading advisories and the audit trail")
    advisories, advisories_note = _advisories(vendor, assignments)
    all_ids = {
        "vendor": [vendor.id],
        "contact": [c.id for c in vendor.contacts],
        "assignment": ids,
        "revision": revision_ids,
        "finding": [f.id for f in findings],
        "evidence": sorted(
            {e["id"] for r in revisions for e in r.evidence_index or []}
            | {e.id for a in assignments if a.response for e in a.response.evidence}
        ),
        "recipient": [r.id for a in assignments for r in a.recipients],
        "impact_alert": [x.id for rows in alerts.values() for x in rows],
    }
    audit_rows, audit_total = audit_trail(all_ids, period, limits.audit_rows)
    first = min((a.campaign.sent_at or a.campaign.created_at for a in assignments), default=None)
    return VendorReport(
        meta=meta,
        vendor=vendor,
        tier=inherent_tier(vendor.criticality, vendor.data_access),
        residual=residual_for([vendor])[vendor.id],
        contacts=list(vendor.contacts),
        product_uses=list(vendor.product_uses),
        assessments=assessments,
        assessments_cut=assessments_cut,
        advisories=advisories,
        advisories_note=advisories_note,
        audit=audit_rows,
        audit_total=audit_total,
        period_text=period.describe(
            first.date() if first else vendor.created_at.date(), meta.generated_at
        ),
    )


def _assessment(
    assignment: Assignment,
    results: dict[int, EffectiveResult],
    overrides,
    findings_by,
    decisions,
    items,
    alerts,
    names,
    limits: Limits,
    budget: list[int],
) -> Assessment:
    campaign = assignment.campaign
    version = campaign.template_version
    template = parsed_version(version)
    submitted = [
        r
        for r in (assignment.response.revisions if assignment.response else [])
        if r.submitted_at is not None
    ]
    views = [
        _revision_view(r, template, results.get(r.id), overrides.get(r.id, []), names)
        for r in reversed(submitted)
    ]
    latest = views[0] if views else None
    result = latest.result.result if latest and latest.result else None
    my_items = items.get(assignment.id, [])
    by_question: dict[str, list[ClarificationItem]] = {}
    for item in my_items:
        by_question.setdefault(item.question_id, []).append(item)
    sections, cut = _sections(
        template, latest.revision if latest else None, result, by_question, limits, budget
    )
    chart = None
    if latest and latest.categories:
        chart = charts.category_chart(
            [(c.title, float(c.score) if c.score is not None else None) for c in latest.categories]
        )
    my_decisions = decisions.get(assignment.id, [])
    final = next((d for d in reversed(my_decisions)), None)
    findings = sorted(
        findings_by.get(assignment.id, []), key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.id)
    )

    def question_text(qid: str) -> str:
        try:
            return template.question(qid).text
        except KeyError:
            return qid

    return Assessment(
        assignment=assignment,
        campaign=campaign,
        template_title=template.title,
        template_kind=template.kind,
        version_number=version.number,
        advisory=advisory_at_send(campaign.advisory_slug, campaign.sent_at),
        sent_by=campaign.created_by.name if campaign.created_by else "—",
        response_label=RESPONSE_LABELS.get(assignment.response_state, assignment.response_state),
        review_label=DECISION_LABELS.get(assignment.review_state, "Not reviewed yet"),
        reviewed_at=final.decided_at if final else None,
        reviewed_by=final.reviewer.name if final else None,
        revisions=views,
        latest=latest,
        chart=chart,
        sections=sections,
        answers_cut=cut,
        evidence=_evidence(submitted, names),
        findings=[f for f in findings if f.source != FROM_CONDITION],
        conditions=[f for f in findings if f.source == FROM_CONDITION],
        decisions=my_decisions,
        clarifications=[(question_text(i.question_id), i) for i in my_items],
        impact_alerts=alerts.get(assignment.id, []),
    )
