"""The campaign's triage table: every assignment with where it stands (overdue by its own due
date, see `Assignment.effective_due_at`), its effective score, band, failed critical questions,
impact flag, decision and open findings; filtered and sorted by GET parameters, 50 rows a page,
and the rows a person selects (acted on in bulk.py and deadlines.py).

Filters, sorting and paging are SQL over the campaign (`_Columns`), so a page reads its 50 rows
whatever the campaign's size. The score and band filtered and sorted on are the effective ones:
the stored figures, which are the effective ones for every revision no reviewer overrode, and
for the few that were overridden the effective figures worked out beforehand and put in the
query. The page's rows then get their full effective results. The cost is the same number of
queries at any size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    and_,
    case,
    false,
    func,
    literal,
    null,
    select,
)
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
    Revision,
    effective_due,
)
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review.effective import (
    EffectiveResult,
    for_revisions,
    number,
    overridden_in_campaign,
)
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
_STATE_ORDER = {NOT_STARTED: 0, IN_PROGRESS: 1, SUBMITTED_LATE: 2, SUBMITTED: 3}
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


class _Columns:
    """The table's columns and filters as SQL over one campaign: each assignment with its vendor
    and its latest submitted revision (joined by `Assignment.latest_revision_id`), the revision's
    score and band being the effective ones (the stored figures, corrected for the few revisions
    reviewers overrode). Open findings are counted over the whole campaign only to sort by them;
    otherwise for the rows shown (`open_findings_of`)."""

    def __init__(self, campaign: Campaign, now: datetime) -> None:
        self.campaign = campaign
        self.open_findings = (
            select(Finding.assignment_id, func.count().label("n"))
            .join(Assignment, Assignment.id == Finding.assignment_id)
            .where(Assignment.campaign_id == campaign.id, Finding.state.in_((OPEN, PLANNED)))
            .group_by(Finding.assignment_id)
            .subquery()
        )
        self.fixed = overridden_in_campaign(campaign.id)
        score: ColumnElement = case((Revision.not_exposed, null()), else_=Revision.overall)
        band: ColumnElement = Revision.band.expression
        if self.fixed:
            score = case(
                {rid: _float(number(e.overall)) for rid, e in self.fixed.items()},
                value=Revision.id,
                else_=score,
            )
            band = case(
                {rid: _text(e.band) for rid, e in self.fixed.items()},
                value=Revision.id,
                else_=band,
            )
        self.score, self.band = score, band
        self.findings = func.coalesce(self.open_findings.c.n, 0)
        self.review = func.coalesce(Assignment.review_state, NOT_REVIEWED)
        self.impact = func.coalesce(Revision.impact, false())
        self.overdue = and_(Assignment.awaits_answers, Assignment.effective_due_at < now)

    def joined(self, *columns, findings: bool = False) -> Select:
        """Select `columns` over the campaign's assignments with everything the table joins
        (the open-finding counts too, if `findings`)."""
        query = (
            select(*columns)
            .select_from(Assignment)
            .join(Campaign, Campaign.id == Assignment.campaign_id)
            .join(Vendor, Vendor.id == Assignment.vendor_id)
            .outerjoin(Revision, Revision.id == Assignment.latest_revision_id)
            .where(Assignment.campaign_id == self.campaign.id)
        )
        if findings:
            query = query.outerjoin(
                self.open_findings, self.open_findings.c.assignment_id == Assignment.id
            )
        return query

    def rows(self, q: Query | None = None) -> Select:
        """Select the table's rows over the campaign (joined as sorting by `q` needs)."""
        return self.joined(
            Assignment.id,
            Assignment.vendor_id,
            Vendor.name,
            Vendor.name_key,
            Assignment.response_state,
            self.review,
            Assignment.extended_due_at,
            self.overdue,
            Revision.id,
            Revision.submitted_at,
            self.score,
            self.band,
            self.impact,
            findings=q is not None and q.sort == "findings",
        )

    def where(self, q: Query) -> list[ColumnElement]:
        """Return the conditions of the query's filters."""
        conditions: list[ColumnElement] = []
        if q.state == "overdue":
            conditions.append(self.overdue)
        elif q.state in _STATE_VALUES:
            conditions.append(Assignment.response_state.in_(_STATE_VALUES[q.state]))
        if q.band:
            conditions.append(self.band.is_(None) if q.band == NO_BAND else self.band == q.band)
        if q.decision:
            conditions.append(self.review == q.decision)
        if q.impact:
            conditions.append(self.impact == (q.impact == "yes"))
        return conditions

    def order(self, q: Query) -> list:
        """Return the sort: the column (rows without a value last whichever way the sort goes),
        then the vendor's name and the assignment."""
        value = {
            "vendor": Vendor.name_key,
            "state": case(_STATE_ORDER, value=Assignment.response_state, else_=9),
            "submitted": Revision.submitted_at,
            "score": self.score,
            "band": self.band,
            "decision": case(DECISIONS, value=self.review, else_=self.review),
            "findings": self.findings,
        }[q.sort]
        direction = value.desc() if q.descending else value.asc()
        if q.sort == "vendor":
            # Never empty and unique: the database walks the vendors' name index and stops at
            # the page, instead of sorting every vendor of the portfolio.
            return [direction, Assignment.id]
        return [value.is_(None), direction, Vendor.name_key, Assignment.id]

    def open_findings_of(self, assignment_ids: list[int]) -> dict[int | None, int]:
        """Return the open findings of these assignments, by assignment (one grouped query)."""
        query = (
            select(Finding.assignment_id, func.count())
            .where(Finding.assignment_id.in_(assignment_ids), Finding.state.in_((OPEN, PLANNED)))
            .group_by(Finding.assignment_id)
        )
        return {assignment_id: count for assignment_id, count in db.session.execute(query)}

    def rows_of(self, found: Sequence) -> list[Row]:
        """Return table rows from selected rows of `rows()`, with their open findings."""
        findings = self.open_findings_of([values[0] for values in found]) if found else {}
        return [self.row(values, findings.get(values[0], 0)) for values in found]

    def row(self, values, findings: int) -> Row:
        """Return a table row from a selected row of `rows()` and its open findings."""
        (
            assignment_id,
            vendor_id,
            name,
            name_key,
            state,
            review_state,
            extended_due_at,
            overdue,
            revision_id,
            submitted_at,
            score,
            band,
            impact,
        ) = values
        due_at = effective_due(extended_due_at, self.campaign.due_at)
        return Row(
            assignment_id=assignment_id,
            vendor_id=vendor_id,
            vendor_name=name,
            name_key=name_key,
            response_state=state,
            review_state=review_state,
            revision_id=revision_id,
            submitted_at=submitted_at,
            score=score,
            band=band,
            impact=bool(impact),
            open_findings=findings,
            overdue=bool(overdue),  # as Assignment.is_overdue
            due_on=services.due_day(due_at, self.campaign),
            extended=due_at != self.campaign.due_at,
            effective=self.fixed.get(revision_id) if revision_id is not None else None,
        )

    def counts(self) -> dict[str, int]:
        """Return how many assignments each state filter holds (one grouped query)."""
        counts = {key: 0 for key in STATES}
        query = (
            select(
                Assignment.response_state,
                func.count(),
                func.coalesce(func.sum(case((self.overdue, 1), else_=0)), 0),
            )
            .join(Campaign, Campaign.id == Assignment.campaign_id)
            .where(Assignment.campaign_id == self.campaign.id)
            .group_by(Assignment.response_state)
        )
        for state, count, overdue in db.session.execute(query):
            counts[""] += count
            counts["overdue"] += int(overdue)
            for key, values in _STATE_VALUES.items():
                if state in values:
                    counts[key] += count
        return counts

    def bands(self) -> list[str]:
        """Return the bands of the campaign's questionnaire, best first, for the band filter (an
        effective band, overridden or not, is always one of them)."""
        return [band.id for band in parsed_version(self.campaign.template_version).bands]


def _float(value: float | None) -> ColumnElement:
    return null() if value is None else literal(value, Float())


def _text(value: str | None) -> ColumnElement:
    return null() if value is None else literal(value, String())


def _load_revisions(campaign: Campaign, revision_ids: list[int]) -> dict[int, EffectiveResult]:
    if not revision_ids:
        return {}
    return for_revisions(db.session.scalars(select(Revision).where(Revision.id.in_(revision_ids))))


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
    """Return one page of a campaign's triage table (None: no such campaign).

    Filtered, sorted and paged in SQL: the state counts (which give the number of matching rows
    unless a band, decision or impact filter is set, then counted), the page's rows and their
    open findings; then the page's assignments and effective results.
    """
    campaign = _campaign(campaign_id)
    if campaign is None:
        return None
    columns = _Columns(campaign, now or utcnow())
    counts = columns.counts()
    where = columns.where(query)
    if query.band or query.decision or query.impact:
        matching = db.session.scalar(columns.joined(func.count()).where(*where)) or 0
    else:
        matching = counts[query.state]
    pages = max(1, -(-matching // PAGE_SIZE))
    page = min(query.page, pages)
    found = db.session.execute(
        columns.rows(query)
        .where(*where)
        .order_by(*columns.order(query))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    shown = columns.rows_of(found)
    _load_page(campaign, shown)
    return Triage(campaign, query, shown, counts, matching, page, pages, columns.bands())


# --- bulk actions -------------------------------------------------------------------------------


class BulkError(ValueError):
    """A bulk action that cannot be done as asked."""


def selected_rows(campaign: Campaign, ids: list[int], now: datetime | None = None) -> list[Row]:
    """Return the triage rows of the selected assignments of this campaign (others ignored)."""
    wanted = sorted(set(ids))
    columns = _Columns(campaign, now or utcnow())
    query = columns.rows().where(Assignment.id.in_(wanted)).order_by(Vendor.name_key, Assignment.id)
    rows = columns.rows_of(db.session.execute(query).all()) if wanted else []
    if not rows:
        raise BulkError("Select at least one vendor first.")
    _load_page(campaign, rows)
    return rows
