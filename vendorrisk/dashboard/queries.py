"""What the dashboard shows, read in a fixed number of queries whatever the portfolio's size.

Counts are aggregated in SQL (GROUP BY, window functions); lists are limited; residual risk,
scores and assessment dates come from the stored portfolio state (see snapshot.py). Each number carries the
query-string arguments of the list that shows the same rows, so the page can link to it.

Overdue questionnaires are counted at each request from each vendor's own due time
(`Assignment.effective_due_at`, kept on the assignment), never from the stored portfolio
state: no due date enters it, so a vendor given more time leaves the counts at once without
moving its fingerprint.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, and_, case, false, func, select, true
from sqlalchemy.orm import joinedload, selectinload

from vendorrisk.campaigns.models import (
    SUBMITTED,
    SUBMITTED_LATE,
    Assignment,
    Campaign,
    ImpactAlert,
    Response,
    Revision,
)
from vendorrisk.core.pagination import by_key, first_rows
from vendorrisk.dashboard.models import PortfolioVendor
from vendorrisk.dashboard.snapshot import CORE_CATEGORIES, SCORE_COLUMNS, Portfolio, memo, portfolio
from vendorrisk.extensions import db
from vendorrisk.reassessments import services as reassessments
from vendorrisk.review.models import OPEN, PLANNED, RISK_ACCEPTED, SEVERITIES, Finding
from vendorrisk.review.queries import expiring_condition, open_condition, overdue_condition
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.risk import TIERS

ALL = "all"
MINE = "mine"
LIST_LIMIT = 5
CAMPAIGN_LIMIT = 6
EXPIRING_DAYS = 30
ADVISORY_DAYS = 30
ADVISORY_LIMIT = 5
# Score ranges of the distribution charts, aligned with the default rating bands.
SCORE_BANDS = (
    ("D", "0–49", 0, 50),
    ("C", "50–69", 50, 70),
    ("B", "70–84", 70, 85),
    ("A", "85–100", 85, 101),
)
CATEGORY_TITLES = {
    "certificate_rotation": "Certificate rotation",
    "incident_readiness": "Incident readiness",
}
SUBMITTED_STATES = (SUBMITTED, SUBMITTED_LATE)


@dataclass(frozen=True)
class Scope:
    """Whose vendors the dashboard counts: one owner's (a manager's own) or everyone's."""

    owner_id: int | None = None

    @property
    def name(self) -> str:
        return MINE if self.owner_id is not None else ALL

    def owned(self, vendor_column):
        """A SQL condition limiting rows to this scope (true for everyone's)."""
        return vendor_column == self.owner_id if self.owner_id is not None else true()

    def owns(self, vendor_id_column):
        """A SQL condition limiting rows of a vendor's to this scope, without joining the
        vendors (true for everyone's)."""
        if self.owner_id is None:
            return true()
        return vendor_id_column.in_(select(Vendor.id).where(Vendor.owner_id == self.owner_id))

    @property
    def list_args(self) -> dict:
        """Query-string arguments that give a list the same scope."""
        return {"owner": self.owner_id} if self.owner_id is not None else {}


# --- campaigns and assignments -----------------------------------------------------------------


@dataclass(frozen=True)
class CampaignRow:
    """An open campaign's response rate among the vendors in scope."""

    id: int
    name: str
    due_at: datetime
    due_date: date
    timezone: str
    total: int
    submitted: int
    overdue: int

    @property
    def percent(self) -> int:
        return round(self.submitted * 100 / self.total) if self.total else 0


@dataclass
class CampaignCounts:
    """One campaign's assignments in scope: how many per response state, how many past their
    own due time per state, and the latest due time of any of them."""

    states: Counter = field(default_factory=Counter)
    past_due: Counter = field(default_factory=Counter)
    latest_due: datetime | None = None


def campaign_states(scope: Scope, now: datetime) -> dict[int, CampaignCounts]:
    """Count assignments per campaign and response state, and those past each vendor's own
    due time (`Assignment.effective_due_at`: a vendor given more time is not overdue), in one
    query that reads a covering index of the assignments (for one owner's vendors, the index
    led by the owner copied onto each assignment) and never joins the campaigns."""
    due = Assignment.effective_due_at
    query = (
        select(
            Assignment.campaign_id,
            Assignment.response_state,
            func.count(),
            func.count(case((and_(Assignment.awaits_answers, due < now), 1))),
            func.max(due),
        )
        .where(scope.owned(Assignment.vendor_owner_id))
        .group_by(Assignment.campaign_id, Assignment.response_state)
    )
    counts: dict[int, CampaignCounts] = {}
    for campaign_id, state, count, past_due, latest in db.session.execute(query):
        c = counts.setdefault(campaign_id, CampaignCounts())
        c.states[state] = count
        c.past_due[state] = past_due
        c.latest_due = latest if c.latest_due is None else max(c.latest_due, latest)
    return counts


@dataclass
class CampaignSummary:
    """Open campaigns (the first few, soonest due) and overdue assignments, counted once."""

    open: list[CampaignRow]
    open_count: int
    overdue_count: int


def campaign_summary(scope: Scope, now: datetime) -> CampaignSummary:
    """Campaigns still waiting for answers whose links still work, and overdue assignments.

    Two queries: the campaigns (a short table) and assignment counts per campaign and state.
    """
    grace = timedelta(days=current_app.config.get("PORTAL_LINK_GRACE_DAYS", 30))
    states = campaign_states(scope, now)
    campaigns = db.session.execute(
        select(
            Campaign.id, Campaign.name, Campaign.due_at, Campaign.due_date, Campaign.timezone
        ).order_by(Campaign.due_at, Campaign.id)
    ).all()
    rows, overdue = [], 0
    for c in campaigns:
        counts = states.get(c.id)
        if not counts:
            continue
        total = sum(counts.states.values())
        submitted = sum(counts.states[s] for s in SUBMITTED_STATES)
        late = sum(n for s, n in counts.past_due.items() if s not in SUBMITTED_STATES)
        overdue += late
        # Open while some link still works: links run a grace period past each vendor's date.
        if submitted < total and (counts.latest_due or c.due_at) > now - grace:
            rows.append(
                CampaignRow(c.id, c.name, c.due_at, c.due_date, c.timezone, total, submitted, late)
            )
    return CampaignSummary(rows[:CAMPAIGN_LIMIT], len(rows), overdue)


def overdue_query(scope: Scope, now: datetime):
    """Assignments past their own due time with nothing submitted, most overdue first."""
    query = (
        select(Assignment)
        # Walks the partial index of the assignments still waiting, in due order.
        .where(Assignment.awaits_answers, Assignment.effective_due_at < now)
        .options(joinedload(Assignment.campaign), joinedload(Assignment.vendor))
        .order_by(Assignment.effective_due_at, Assignment.id)
    )
    return query.where(scope.owned(Assignment.vendor_owner_id))


# --- findings -----------------------------------------------------------------------------------


@dataclass
class FindingCounts:
    """Open findings and those past their date, by severity."""

    open: dict[str, int] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)

    @property
    def open_total(self) -> int:
        return sum(self.open.values())

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())


def finding_counts(scope: Scope, today: date) -> FindingCounts:
    """Count open and overdue findings by severity in one query (for one owner's vendors, over
    the owner's part of a covering index)."""
    query = (
        select(
            Finding.severity,
            func.sum(case((open_condition(today), 1), else_=0)),
            func.sum(case((overdue_condition(today), 1), else_=0)),
        )
        .where(
            Finding.state.in_([OPEN, PLANNED, RISK_ACCEPTED]),
            scope.owned(Finding.vendor_owner_id),
        )
        .group_by(Finding.severity)
    )
    counts = FindingCounts({s: 0 for s in SEVERITIES}, {s: 0 for s in SEVERITIES})
    for severity, opened, overdue in db.session.execute(query):
        counts.open[severity] = int(opened or 0)
        counts.overdue[severity] = int(overdue or 0)
    return counts


def expiring_acceptances(scope: Scope, today: date) -> tuple[list[Finding], int]:
    """Risk acceptances running out within 30 days, soonest first, and how many there are."""
    query = (
        select(Finding)
        .where(expiring_condition(today, EXPIRING_DAYS), scope.owned(Finding.vendor_owner_id))
        .options(joinedload(Finding.vendor))
        .order_by(Finding.acceptance_expires_on, Finding.id)
    )
    return first_rows(query, LIST_LIMIT)


# --- impact signals ----------------------------------------------------------------------------


def unhandled_alerts_query(scope: Scope):
    """Impact alerts nobody has handled yet, newest first, with their vendor and campaign."""
    return (
        select(ImpactAlert)
        .where(ImpactAlert.handled_at.is_(None), scope.owns(ImpactAlert.vendor_id))
        .options(
            joinedload(ImpactAlert.vendor),
            joinedload(ImpactAlert.assignment).joinedload(Assignment.campaign),
        )
        .order_by(ImpactAlert.raised_at.desc(), ImpactAlert.id.desc())
    )


def unhandled_alerts(scope: Scope) -> tuple[list[ImpactAlert], int]:
    """The newest unhandled impact alerts and how many there are (two queries)."""
    return first_rows(unhandled_alerts_query(scope), LIST_LIMIT)


# --- residual risk, stale assessments, scores (from the stored portfolio state) ---------------


@dataclass
class TierCounts:
    """Current vendors by inherent and by residual tier."""

    inherent: dict[int, int]
    residual: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.residual.values())


def score_band_sql(column):
    """The range (SCORE_BANDS: A to D) a 0-100 score column falls in, as SQL (null stays
    null). The one place scores are put in ranges: charts, counts and list filters."""
    return case(
        *((column >= low, band) for band, _, low, _ in reversed(SCORE_BANDS[1:])),
        (column.is_not(None), SCORE_BANDS[0][0]),
        else_=None,
    )


@dataclass
class ScoreDistribution:
    """How one category's latest scores fall in the ranges, per inherent tier."""

    category: str
    title: str
    counts: dict[int, dict[str, int]]  # tier -> band -> vendors
    scored: int


def _stored(owner_id: int | None):
    """SQL condition limiting stored vendor states to one owner's (None: everyone's)."""
    return PortfolioVendor.owner_id == owner_id if owner_id is not None else true()


def matching_ids(
    snapshot: Portfolio,
    *,
    residual: int | None = None,
    score_category: str | None = None,
    score_band_id: str | None = None,
) -> Select:
    """Return SQL selecting the current vendors with a residual tier and/or a score range (the
    vendor list's filters), from the stored state `snapshot` names."""
    query = select(PortfolioVendor.vendor_id)
    if residual is not None:
        query = query.where(PortfolioVendor.residual == residual)
    if score_category in SCORE_COLUMNS:
        column = SCORE_COLUMNS[score_category]
        query = query.where(column.is_not(None))
        if score_band_id:
            query = query.where(score_band_sql(column) == score_band_id)
    elif score_category:
        query = query.where(false())
    return query


@dataclass
class StaleVendors:
    """Current vendors without an accepted baseline assessment young enough."""

    count: int
    never: int
    first: list[tuple[Vendor, date | None]]


@dataclass(frozen=True)
class ScopeSummary:
    """The stored state's aggregates for one scope, read in two queries."""

    vendor_count: int
    tiers: TierCounts
    scores: tuple[ScoreDistribution, ...]
    stale_count: int
    never: int
    # The most urgent stale vendors (highest tier, oldest assessment): (vendor id, last date).
    stale_first: tuple[tuple[int, date | None], ...]


def scope_summary(snapshot: Portfolio, owner_id: int | None) -> ScopeSummary:
    """Aggregate the stored state for one scope (once per process and version of the state)."""
    return memo(snapshot, ("summary", owner_id), lambda: _summary(snapshot, owner_id))


def _summary(snapshot: Portfolio, owner_id: int | None) -> ScopeSummary:
    stale = snapshot.stale_condition()
    flags = (
        select(
            PortfolioVendor.inherent.label("inherent"),
            PortfolioVendor.residual.label("residual"),
            *(score_band_sql(SCORE_COLUMNS[c]).label(c) for c in CORE_CATEGORIES),
            case((stale, 1), else_=0).label("stale"),
            case((PortfolioVendor.last_baseline.is_(None), 1), else_=0).label("never"),
        )
        .where(_stored(owner_id))
        .subquery()
    )
    grouped = db.session.execute(select(*flags.c, func.count()).group_by(*flags.c)).all()
    inherent: Counter = Counter()
    residual: Counter = Counter()
    scores = {c: {t: {band: 0 for band, *_ in SCORE_BANDS} for t in TIERS} for c in CORE_CATEGORIES}
    scored: Counter = Counter()
    stale_count = never = total = 0
    for row in grouped:
        tier, after, *banded, is_stale, is_never, count = row
        total += count
        inherent[tier] += count
        residual[after] += count
        for category, band in zip(CORE_CATEGORIES, banded, strict=True):
            if band is not None and tier in scores[category]:
                scores[category][tier][band] += count
                scored[category] += count
        stale_count += count * is_stale
        never += count * is_never
    first = db.session.execute(
        select(PortfolioVendor.vendor_id, PortfolioVendor.last_baseline)
        .where(_stored(owner_id), stale)
        .order_by(
            PortfolioVendor.inherent,
            case((PortfolioVendor.last_baseline.is_(None), 0), else_=1),
            PortfolioVendor.last_baseline,
            PortfolioVendor.vendor_id,
        )
        .limit(LIST_LIMIT)
    ).all()
    return ScopeSummary(
        vendor_count=total,
        tiers=TierCounts(
            {t: inherent.get(t, 0) for t in TIERS}, {t: residual.get(t, 0) for t in TIERS}
        ),
        scores=tuple(
            ScoreDistribution(c, CATEGORY_TITLES.get(c, c), scores[c], scored[c])
            for c in CORE_CATEGORIES
        ),
        stale_count=stale_count,
        never=never,
        stale_first=tuple((vendor_id, last) for vendor_id, last in first),
    )


def vendor_counts(snapshot: Portfolio, owner_id: int) -> tuple[int, int]:
    """Return (one owner's current vendors, everyone's), in one query."""

    def count() -> tuple[int, int]:
        mine, everyone = db.session.execute(
            select(
                func.coalesce(
                    func.sum(case((PortfolioVendor.owner_id == owner_id, 1), else_=0)), 0
                ),
                func.count(),
            )
        ).one()
        return int(mine), int(everyone)

    return memo(snapshot, ("counts", owner_id), count)


def reassessments_due(snapshot: Portfolio, scope: Scope, limit: int) -> tuple[list, int]:
    """The first `limit` baseline reassessments falling due in the coming 60 days (overdue
    ones included), soonest first, and how many there are: read from the stored state, whose
    dates come from reassessments.services.due_dates. Raises ScheduleError when the schedule
    cannot be used."""
    tiers = reassessments.schedule()
    if not tiers:
        return [], 0
    end = snapshot.today + timedelta(days=reassessments.UPCOMING_DAYS)
    rows = db.session.execute(
        select(
            Vendor,
            PortfolioVendor.reassess_last,
            PortfolioVendor.reassess_due,
            func.count().over(),
        )
        .join(PortfolioVendor, PortfolioVendor.vendor_id == Vendor.id)
        .where(PortfolioVendor.reassess_due <= end, _stored(scope.owner_id))
        .order_by(PortfolioVendor.reassess_due, Vendor.name_key, Vendor.id)
        .limit(limit)
    ).all()
    items = [
        reassessments.Due(vendor, tiers[vendor.risk_tier], due_on, last_on)
        for vendor, last_on, due_on, _ in rows
        if vendor.risk_tier in tiers and due_on is not None
    ]
    return items, (rows[0][3] if rows else 0)


def scope_findings(snapshot: Portfolio, scope: Scope) -> FindingCounts:
    """Finding counts for a scope, kept with the version of the stored state.

    The state's fingerprint moves with every finding raised and every step of one (each
    appends a finding event), and it is brought to each new day, so the counts stay right.
    """
    return memo(
        snapshot, ("findings", scope.owner_id), lambda: finding_counts(scope, snapshot.today)
    )


def stale_vendors(summary: ScopeSummary) -> StaleVendors:
    """Count stale vendors and load the few most urgent by name (one query)."""
    ids = [vendor_id for vendor_id, _ in summary.stale_first]
    by_id = {v.id: v for v in db.session.scalars(select(Vendor).where(Vendor.id.in_(ids)))}
    return StaleVendors(
        count=summary.stale_count,
        never=summary.never,
        first=[(by_id[i], last) for i, last in summary.stale_first if i in by_id],
    )


# --- advisories --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdvisoryRow:
    """A recently updated advisory and how many vendors in scope are exposed to it."""

    slug: str
    title: str
    severity: str
    updated_on: date
    exposed: int
    confirmed: int


def recent_advisories(scope: Scope, today: date) -> tuple[list[AdvisoryRow], bool]:
    """Advisories published or updated in the last 30 days with their exposed-vendor counts.

    Returns (rows, available): `available` is False when the advisory library is not part of
    this installation, and the panel says so instead of showing numbers.
    """
    try:
        from vendorrisk.advisories import exposure
        from vendorrisk.advisories.models import Advisory, AdvisoryUpdate
    except ImportError:
        return [], False
    last_update = (
        select(AdvisoryUpdate.advisory_id, func.max(AdvisoryUpdate.published_on).label("on"))
        .group_by(AdvisoryUpdate.advisory_id)
        .subquery()
    )
    latest = func.coalesce(last_update.c.on, Advisory.published_on)
    updated_on = case((Advisory.published_on > latest, Advisory.published_on), else_=latest)
    since = today - timedelta(days=ADVISORY_DAYS)
    found = db.session.execute(
        select(Advisory, updated_on.label("updated_on"))
        .outerjoin(last_update, last_update.c.advisory_id == Advisory.id)
        .where(updated_on >= since)
        .order_by(updated_on.desc(), Advisory.id.desc())
        .limit(ADVISORY_LIMIT)
    ).all()
    rows = []
    for advisory, on in found:
        concerned = exposure.vendor_rows(advisory, _advisory_assignments(advisory.slug))
        vendors = [
            r
            for r in concerned
            if r.exposed and (scope.owner_id is None or r.vendor.owner_id == scope.owner_id)
        ]
        rows.append(
            AdvisoryRow(
                slug=advisory.slug,
                title=advisory.title,
                severity=advisory.severity,
                updated_on=on,
                exposed=len(vendors),
                confirmed=sum(1 for r in vendors if r.state == exposure.CONFIRMED),
            )
        )
    return rows, True


def _advisory_assignments(slug: str) -> list[Assignment]:
    """The assignments of an advisory's campaigns with only what deciding exposure reads.

    The advisory page loads whole revisions (answers and score JSON) and every recipient; a
    count needs each revision's number, time and not-exposed flag. Joined and subquery loads
    keep it at four queries however many vendors were asked (an advisory's campaigns are few).
    """
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Campaign, Campaign.id == Assignment.campaign_id)
            .where(Campaign.advisory_slug == slug)
            .options(
                joinedload(Assignment.vendor).load_only(
                    Vendor.id,
                    Vendor.name,
                    Vendor.name_key,
                    Vendor.owner_id,
                    Vendor.risk_tier,
                    Vendor.status,
                    Vendor.criticality,
                    Vendor.data_access,
                ),
                selectinload(Assignment.campaign).load_only(Campaign.id, Campaign.name),
                joinedload(Assignment.response)
                .load_only(Response.id, Response.assignment_id, Response.version)
                .subqueryload(Response.revisions)
                .load_only(
                    Revision.id,
                    Revision.response_id,
                    Revision.number,
                    Revision.submitted_at,
                    Revision.not_exposed,
                ),
            )
            .order_by(Assignment.id)
        ).unique()
    )


# --- the whole page ----------------------------------------------------------------------------


@dataclass
class Dashboard:
    """Everything the dashboard page shows."""

    scope: Scope
    today: date
    vendor_count: int
    tiers: TierCounts
    campaigns: list[CampaignRow]
    open_campaign_count: int
    overdue: list[Assignment]
    overdue_count: int
    findings: FindingCounts
    expiring: list[Finding]
    expiring_count: int
    alerts: list[ImpactAlert]
    alert_count: int
    stale: StaleVendors
    scores: list[ScoreDistribution]
    advisories: list[AdvisoryRow]
    advisories_available: bool
    stale_days: int


def overdue_first(scope: Scope, now: datetime) -> list[Assignment]:
    """The few most overdue assignments (the count comes from the campaign summary)."""
    return list(db.session.scalars(by_key(overdue_query(scope, now), LIST_LIMIT)))


def dashboard(
    scope: Scope, today: date, now: datetime, snapshot: Portfolio | None = None
) -> Dashboard:
    """Gather the page: a fixed number of queries, whatever the number of vendors."""
    snapshot = snapshot or portfolio(today)
    summary = scope_summary(snapshot, scope.owner_id)
    campaigns = campaign_summary(scope, now)
    expiring, expiring_count = expiring_acceptances(scope, today)
    alerts, alert_count = unhandled_alerts(scope)
    advisories, available = recent_advisories(scope, today)
    return Dashboard(
        scope=scope,
        today=today,
        vendor_count=summary.vendor_count,
        tiers=summary.tiers,
        campaigns=campaigns.open,
        open_campaign_count=campaigns.open_count,
        overdue=overdue_first(scope, now),
        overdue_count=campaigns.overdue_count,
        findings=scope_findings(snapshot, scope),
        expiring=expiring,
        expiring_count=expiring_count,
        alerts=alerts,
        alert_count=alert_count,
        stale=stale_vendors(summary),
        scores=list(summary.scores),
        advisories=advisories,
        advisories_available=available,
        stale_days=snapshot.stale_days,
    )
