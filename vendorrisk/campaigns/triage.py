"""The campaign's triage table: every assignment with where it stands (overdue by its own due
date, see `Assignment.effective_due_at`), its effective score, band, failed critical questions,
impact flag, decision and open findings; filtered and sorted by GET parameters, 50 rows a page,
and the rows a person selects (acted on in bulk.py and deadlines.py).

The whole campaign is read as one light row per assignment (no answers, no score JSON), so
filters and sorting cover every row; the effective result is then worked out for the page's
rows only, and for the few revisions whose reviewers overrode points (the stored score is the
effective one for every other revision). The cost is the same number of queries at any size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from vendorrisk.campaigns import services
from vendorrisk.campaigns.models import (
    IN_PROGRESS,
    NOT_STARTED,
    SUBMITTED,
    SUBMITTED_LATE,
    Assignment,
    Campaign,
    Recipient,
    Response,
    Revision,
    effective_due,
)
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.review.effective import EffectiveResult, for_revisions, number, overridden_results
from vendorrisk.review.models import DECISION_LABELS, OPEN, PLANNED, Finding
from vendorrisk.vendors.models import Vendor

PAGE_SIZE = 50
NOT_REVIEWED = "not_reviewed"
NO_BAND = "none"

STATES = {
    "": "All",
    "not_started": "Not started",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "overdue": "Overdue",
}
_STATE_VALUES = {
    "not_started": (NOT_STARTED,),
    "in_progress": (IN_PROGRESS,),
    "submitted": (SUBMITTED, SUBMITTED_LATE),
}
STATE_LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    SUBMITTED: "Submitted",
    SUBMITTED_LATE: "Submitted late",
}
DECISIONS = {NOT_REVIEWED: "Not reviewed", **DECISION_LABELS}
IMPACT = {"yes": "Impact signal", "no": "No impact signal"}
SORTS = {
    "vendor": "Vendor",
    "state": "Response",
    "submitted": "Submitted",
    "score": "Score",
    "band": "Band",
    "decision": "Decision",
    "findings": "Open findings",
}


@dataclass
class Row:
    """One assignment in the table."""

    assignment_id: int
    vendor_id: int
    vendor_name: str
    name_key: str
    response_state: str
    review_state: str
    revision_id: int | None
    submitted_at: datetime | None
    score: float | None
    band: str | None
    impact: bool
    open_findings: int
    overdue: bool
    due_on: date  # this vendor's due date (see `extended`)
    extended: bool = False  # the vendor alone was given until `due_on`
    effective: EffectiveResult | None = None
    assignment: Assignment | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.response_state, self.response_state)

    @property
    def decision_label(self) -> str:
        return DECISIONS.get(self.review_state, self.review_state)

    @property
    def failed_criticals(self) -> int | None:
        """The critical questions failed in the effective result (None before answers)."""
        return len(self.effective.result.capped_by) if self.effective is not None else None

    def export_row(self) -> list:
        """Return the row's values as the export writes them."""
        return [
            self.vendor_name,
            self.state_label,
            "yes" if self.overdue else "no",
            self.submitted_at,
            self.score,
            self.band or "",
            self.failed_criticals,
            "yes" if self.impact else "no",
            self.decision_label,
            self.open_findings,
            self.due_on,
        ]


EXPORT_COLUMNS = (
    ("Vendor", 30),
    ("Response", 16),
    ("Overdue", 9),
    ("Submitted (UTC)", 18),
    ("Score", 8),
    ("Band", 7),
    ("Failed critical questions", 12),
    ("Impact signal", 9),
    ("Decision", 24),
    ("Open findings", 9),
    ("Due", 12),
)


@dataclass(frozen=True)
class Query:
    """What the person asked for: filters, sort order and page (from GET parameters)."""

    state: str = ""
    band: str = ""
    decision: str = ""
    impact: str = ""
    sort: str = "vendor"
    descending: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> Query:
        """Read the query from request arguments; unknown values fall back to the default."""
        sort = args.get("sort", "vendor")
        descending = sort.startswith("-")
        sort = sort.lstrip("-")
        decision = args.get("decision", "")
        return cls(
            state=args.get("state", "") if args.get("state", "") in STATES else "",
            band=args.get("band", "").strip()[:8],
            decision=decision if decision in DECISIONS else "",
            impact=args.get("impact", "") if args.get("impact", "") in IMPACT else "",
            sort=sort if sort in SORTS else "vendor",
            descending=descending and sort in SORTS,
            page=max(1, args.get("page", 1, type=int) or 1),
        )

    def args(self, **changes) -> dict:
        """Return GET parameters for this query with some changed (empty ones left out)."""
        values = {
            "state": self.state,
            "band": self.band,
            "decision": self.decision,
            "impact": self.impact,
            "sort": ("-" if self.descending else "") + self.sort,
            "page": self.page,
        }
        values.update(changes)
        if values["sort"] == "vendor":
            values["sort"] = ""
        if values["page"] == 1:
            values["page"] = ""
        return {k: v for k, v in values.items() if v not in ("", None)}

    def sort_args(self, key: str) -> dict:
        """Return the parameters that sort by a column (again: the other way round)."""
        flip = key == self.sort and not self.descending
        return self.args(sort=("-" if flip else "") + key, page=1)


@dataclass
class Triage:
    """One page of the triage table with its counts and the choices of its filters."""

    campaign: Campaign
    query: Query
    rows: list[Row]
    counts: dict[str, int]
    matching: int
    page: int
    pages: int
    bands: list[str] = field(default_factory=list)

    @property
    def submitted(self) -> int:
        return self.counts["submitted"]

    @property
    def total(self) -> int:
        return self.counts[""]


def _light_rows(campaign: Campaign, now: datetime) -> list[Row]:
    responses = (
        select(Response.id)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .where(Assignment.campaign_id == campaign.id)
    )
    latest = (
        select(Revision.response_id, func.max(Revision.number).label("number"))
        .where(Revision.submitted_at.is_not(None), Revision.response_id.in_(responses))
        .group_by(Revision.response_id)
        .subquery()
    )
    open_findings = (
        select(Finding.assignment_id, func.count().label("n"))
        .join(Assignment, Assignment.id == Finding.assignment_id)
        .where(Assignment.campaign_id == campaign.id, Finding.state.in_((OPEN, PLANNED)))
        .group_by(Finding.assignment_id)
        .subquery()
    )
    query = (
        select(
            Assignment.id,
            Assignment.vendor_id,
            Vendor.name,
            Vendor.name_key,
            Assignment.response_state,
            Assignment.review_state,
            Assignment.extended_due_at,
            Assignment.awaits_answers,
            Revision.id,
            Revision.submitted_at,
            Revision.overall,
            Revision.band,
            Revision.impact,
            Revision.not_exposed,
            func.coalesce(open_findings.c.n, 0),
        )
        .join(Vendor, Vendor.id == Assignment.vendor_id)
        .outerjoin(Response, Response.assignment_id == Assignment.id)
        .outerjoin(latest, latest.c.response_id == Response.id)
        .outerjoin(
            Revision,
            and_(Revision.response_id == Response.id, Revision.number == latest.c.number),
        )
        .outerjoin(open_findings, open_findings.c.assignment_id == Assignment.id)
        .where(Assignment.campaign_id == campaign.id)
    )
    rows = []
    for (
        assignment_id,
        vendor_id,
        name,
        name_key,
        state,
        review_state,
        extended_due_at,
        awaits_answers,
        revision_id,
        submitted_at,
        overall,
        band,
        impact,
        not_exposed,
        findings,
    ) in db.session.execute(query):
        due_at = effective_due(extended_due_at, campaign.due_at)
        rows.append(
            Row(
                assignment_id=assignment_id,
                vendor_id=vendor_id,
                vendor_name=name,
                name_key=name_key,
                response_state=state,
                review_state=review_state or NOT_REVIEWED,
                revision_id=revision_id,
                submitted_at=submitted_at,
                score=None if not_exposed else overall,
                band=band,
                impact=bool(impact),
                open_findings=findings,
                overdue=bool(awaits_answers) and now > due_at,  # as Assignment.is_overdue
                due_on=services.due_day(due_at, campaign),
                extended=due_at != campaign.due_at,
            )
        )
    return rows


def _load_revisions(campaign: Campaign, revision_ids: list[int]) -> dict[int, EffectiveResult]:
    if not revision_ids:
        return {}
    return for_revisions(db.session.scalars(select(Revision).where(Revision.id.in_(revision_ids))))


def _apply_overrides(campaign: Campaign, rows: list[Row]) -> None:
    """Put the effective figures on the rows whose revisions a reviewer overrode."""
    with_revision = [r.revision_id for r in rows if r.revision_id is not None]
    if not with_revision:
        return
    effective = overridden_results(with_revision)
    for row in rows:
        eff = effective.get(row.revision_id) if row.revision_id is not None else None
        if eff is not None:
            row.effective = eff
            row.score, row.band = number(eff.overall), eff.band


def _keep(row: Row, q: Query) -> bool:
    if q.state == "overdue" and not row.overdue:
        return False
    if q.state in _STATE_VALUES and row.response_state not in _STATE_VALUES[q.state]:
        return False
    if q.band and (row.band or NO_BAND) != q.band:
        return False
    if q.decision and row.review_state != q.decision:
        return False
    return not (q.impact and row.impact != (q.impact == "yes"))


_STATE_ORDER = {NOT_STARTED: 0, IN_PROGRESS: 1, SUBMITTED_LATE: 2, SUBMITTED: 3}


def _key(q: Query):
    """Sort key of a column; rows without a value go last whichever way the sort goes."""
    value = {
        "vendor": lambda r: r.name_key,
        "state": lambda r: _STATE_ORDER.get(r.response_state, 9),
        "submitted": lambda r: r.submitted_at,
        "score": lambda r: r.score,
        "band": lambda r: r.band,
        "decision": lambda r: r.decision_label,
        "findings": lambda r: r.open_findings,
    }[q.sort]
    return value


def _sorted(rows: list[Row], q: Query) -> list[Row]:
    value = _key(q)
    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    present.sort(key=lambda r: (r.name_key, r.assignment_id))
    present.sort(key=value, reverse=q.descending)
    missing.sort(key=lambda r: (r.name_key, r.assignment_id))
    return present + missing


def _counts(rows: list[Row]) -> dict[str, int]:
    counts = {key: 0 for key in STATES}
    counts[""] = len(rows)
    for row in rows:
        for key, values in _STATE_VALUES.items():
            if row.response_state in values:
                counts[key] += 1
        counts["overdue"] += row.overdue
    return counts


def _load_page(campaign: Campaign, rows: list[Row]) -> None:
    """Load the shown rows' assignments (recipients, delivery) and effective results."""
    if not rows:
        return
    assignments = {
        a.id: a
        for a in db.session.scalars(
            select(Assignment)
            .where(Assignment.id.in_([r.assignment_id for r in rows]))
            .options(
                joinedload(Assignment.vendor),
                selectinload(Assignment.recipients).selectinload(Recipient.contact),
                selectinload(Assignment.recipients).selectinload(Recipient.last_message),
            )
        )
    }
    missing = [r.revision_id for r in rows if r.revision_id is not None and r.effective is None]
    effective = _load_revisions(campaign, missing)
    for row in rows:
        row.assignment = assignments[row.assignment_id]
        if row.effective is None and row.revision_id is not None:
            row.effective = effective.get(row.revision_id)
        if row.effective is not None:
            row.score, row.band = number(row.effective.overall), row.effective.band


def _campaign(campaign_id: int) -> Campaign | None:
    return db.session.scalar(
        select(Campaign)
        .where(Campaign.id == campaign_id)
        .options(
            joinedload(Campaign.template_version),
            joinedload(Campaign.created_by),
            selectinload(Campaign.due_changes),
        )
    )


def triage(campaign_id: int, query: Query, now: datetime | None = None) -> Triage | None:
    """Return one page of a campaign's triage table (None: no such campaign)."""
    campaign = _campaign(campaign_id)
    if campaign is None:
        return None
    now = now or utcnow()
    rows = _light_rows(campaign, now)
    _apply_overrides(campaign, rows)
    bands = sorted({r.band for r in rows if r.band})
    chosen = _sorted([r for r in rows if _keep(r, query)], query)
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    page = min(query.page, pages)
    shown = chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    _load_page(campaign, shown)
    return Triage(campaign, query, shown, _counts(rows), len(chosen), page, pages, bands)


# --- bulk actions -------------------------------------------------------------------------------


class BulkError(ValueError):
    """A bulk action that cannot be done as asked."""


def selected_rows(campaign: Campaign, ids: list[int], now: datetime | None = None) -> list[Row]:
    """Return the triage rows of the selected assignments of this campaign (others ignored)."""
    wanted = set(ids)
    rows = [r for r in _light_rows(campaign, now or utcnow()) if r.assignment_id in wanted]
    if not rows:
        raise BulkError("Select at least one vendor first.")
    _apply_overrides(campaign, rows)
    rows.sort(key=lambda r: (r.name_key, r.assignment_id))
    _load_page(campaign, rows)
    return rows
