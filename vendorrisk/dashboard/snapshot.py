"""The portfolio state: residual risk, scores, assessment date and next reassessment of every
current vendor, kept in the database (portfolio_vendors, one row per vendor) so that no request
and no new worker process computes the whole portfolio.

Residual risk is a rule in Python (review/residual.py) over each vendor's assessments and open
findings: evaluating it for 100,000 vendors takes seconds. It is evaluated when something it
depends on changes, for the vendors concerned, and stored; pages aggregate the stored rows in
SQL (counts by tier, score ranges, stale assessments), which costs the same in a fresh process
as in a warm one.

What the stored rows were computed from is the single row of portfolio_marks: a *fingerprint*
of the inputs (the newest id or time of vendors, submitted revisions, review decisions,
findings, finding events and score overrides, with how many rows each holds above a base; and
the newest assignment and revision; findings change state only through services that append
an event), the day, the staleness age and the reassessment schedule. Every request reads the
fingerprint in one query, served by indexes. When it moved, the rows newer than the stored one
name the vendors concerned and only those are computed again, under a lock on the mark row so
hosts do not write at once; the row counts prove that nothing was missed. A new day changes
residual risk only where a baseline assessment turns stale or a risk acceptance runs out, and
those vendors are found from the stored dates and the findings. Rows the fingerprint cannot
account for (a row deleted, or committed late with an older id) call for a full rebuild: a
worker does it when one is configured (REDIS_URL), else the request. The periodic task
`dashboard.refresh` (and `flask dashboard refresh`) rebuilds everything every
SNAPSHOT_MAX_AGE seconds, a bound on what a change made outside the services could hide;
without a worker, a request finding the state older than that rebuilds it.

The counts are taken above a base (`Since`), set at each full rebuild a little below the
newest row of each table (ID_WINDOW ids, TIME_WINDOW for submission times), so that reading
them costs the rows added since the last rebuild, not a scan of tables of half a million rows.
A transaction still open at the rebuild commits its rows within the window, where they are
counted; only a row committed later than ID_WINDOW newer rows of the same table, or a row
deleted below the base, goes unseen until the next full rebuild.

Score categories are the effective ones (reviewer overrides applied) of the latest submitted
revision of each vendor: a revision's JSON is read with a path expression, never the whole
score; a revision with overrides in force goes through the effective-result service
(review/effective.py).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Select, delete, func, insert, literal, or_, select, true, union_all

from vendorrisk.campaigns.models import Assignment, Response, Revision
from vendorrisk.core import tasks
from vendorrisk.core.timeutil import utcnow
from vendorrisk.dashboard.models import PortfolioMark, PortfolioVendor
from vendorrisk.extensions import db
from vendorrisk.reassessments import services as reassessments
from vendorrisk.review import effective
from vendorrisk.review.models import (
    RISK_ACCEPTED,
    Finding,
    FindingEvent,
    ReviewDecision,
    ScoreOverride,
)
from vendorrisk.review.queries import ID_BATCH, accepted_baselines, residual_for
from vendorrisk.scoring.result import round_display
from vendorrisk.vendors import owner_copies
from vendorrisk.vendors.models import OFFBOARDED, Vendor

log = logging.getLogger(__name__)

CORE_CATEGORIES = ("certificate_rotation", "incident_readiness")
SCORE_COLUMNS = {
    "certificate_rotation": PortfolioVendor.certificate_rotation,
    "incident_readiness": PortfolioVendor.incident_readiness,
}
SNAPSHOT_MAX_AGE = 1800  # seconds
# Past this share of the portfolio, recomputing everything is as quick as a partial update.
PARTIAL_LIMIT = 0.2
MARK_ID = 1
_EXTENSION = "vendorrisk.dashboard.snapshot"
_DATETIMES = (1, 3)  # the fingerprint's positions holding a time, the others hold numbers
# How far below the newest row, at a full rebuild, the counts start (see the module's notes).
ID_WINDOW = 1000
TIME_WINDOW = timedelta(hours=1)


class Since(NamedTuple):
    """The bases the fingerprint counts rows above: ids, and a submission time."""

    vendor: int = 0
    submitted: datetime | None = None
    decision: int = 0
    finding: int = 0
    event: int = 0
    override: int = 0

    def encode(self) -> list:
        return [v.isoformat() if isinstance(v, datetime) else v for v in self]

    @classmethod
    def decode(cls, values: list | None) -> Since | None:
        if values is None:
            return None
        values = list(values)
        if values[1] is not None:
            values[1] = datetime.fromisoformat(values[1])
        return cls._make(values)


@dataclass(frozen=True, slots=True)
class VendorState:
    """What the dashboard needs to know about one current (not offboarded) vendor."""

    owner_id: int | None
    inherent: int
    residual: int
    last_baseline: date | None  # the latest accepted baseline assessment's decision date
    scores: dict[str, float]  # core category -> score of the latest submitted revision
    reassess_due: date | None = None  # the next baseline reassessment (None: not scheduled)
    reassess_last: date | None = None  # when the scheduled template was last submitted


class Fingerprint(NamedTuple):
    """Newest markers of the tables the portfolio state is computed from, and how many rows
    they hold above the bases `since` (the counts are comparable between fingerprints taken
    above the same bases only)."""

    vendors: int
    vendor_changed: datetime | None
    submitted: int
    submitted_last: datetime | None
    decisions: int
    decision_last: int | None
    findings: int
    finding_last: int | None
    events: int
    event_last: int | None
    overrides: int = 0
    override_last: int | None = None
    vendor_last: int | None = None  # newest vendor id: new vendors are counted, not timed
    # Newest assignment and revision (submitted or not): a vendor asked again, or asked to
    # clarify, is no longer due for a reassessment.
    assignment_last: int | None = None
    revision_last: int | None = None
    since: Since | None = None

    def encode(self) -> str:
        *values, since = self
        return json.dumps(
            [v.isoformat() if isinstance(v, datetime) else v for v in values]
            + [since.encode() if since is not None else None]
        )

    @classmethod
    def decode(cls, text: str | None) -> Fingerprint | None:
        if not text:
            return None
        values = json.loads(text)
        for i in _DATETIMES:
            if values[i] is not None:
                values[i] = datetime.fromisoformat(values[i])
        if len(values) == len(cls._fields):  # one written before the bases has none
            values[-1] = Since.decode(values[-1])
        return cls(*values)


@dataclass(frozen=True)
class Portfolio:
    """The stored state as of one version: the day it holds for and the staleness age."""

    today: date
    stale_days: int
    version: str
    built_at: datetime | None

    @property
    def stale_before(self) -> date:
        """A baseline accepted before this day is stale."""
        return self.today - timedelta(days=self.stale_days)

    def stale_condition(self):
        """SQL condition for a stored vendor without an accepted baseline young enough."""
        return or_(
            PortfolioVendor.last_baseline.is_(None),
            PortfolioVendor.last_baseline < self.stale_before,
        )

    def is_stale(self, state: VendorState) -> bool:
        """Tell whether a vendor has no accepted baseline assessment young enough."""
        return state.last_baseline is None or state.last_baseline < self.stale_before


class _Memo:
    """Per-process figures aggregated from one version of the stored state."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version: tuple | None = None
        self.values: dict = {}


def memo(portfolio: Portfolio, key, compute):
    """Return what `compute()` gives for `key` on this version of the state, computing it once
    per process and version (another version, or another day, starts afresh)."""
    store = current_app.extensions.get(_EXTENSION)
    if store is None:
        store = current_app.extensions.setdefault(_EXTENSION, _Memo())
    tag = (portfolio.version, portfolio.today, portfolio.stale_days)
    with store.lock:
        if store.version != tag:
            store.version, store.values = tag, {}
        if key in store.values:
            return store.values[key]
    value = compute()
    with store.lock:
        if store.version == tag:
            store.values[key] = value
    return value


def forget() -> None:
    """Drop the figures this process aggregated (tests, and after a restore)."""
    current_app.extensions.pop(_EXTENSION, None)


def _fingerprint_columns(since: Since) -> list:
    def scalar(column, *where):
        return select(column).where(*where).scalar_subquery()

    def newer(column, base):
        return column > base if base is not None else true()

    return [
        scalar(func.count(Vendor.id), Vendor.id > since.vendor),
        scalar(func.max(Vendor.updated_at)),
        scalar(func.count(Revision.submitted_at), newer(Revision.submitted_at, since.submitted)),
        scalar(func.max(Revision.submitted_at)),
        scalar(func.count(ReviewDecision.id), ReviewDecision.id > since.decision),
        scalar(func.max(ReviewDecision.id)),
        scalar(func.count(Finding.id), Finding.id > since.finding),
        scalar(func.max(Finding.id)),
        scalar(func.count(FindingEvent.id), FindingEvent.id > since.event),
        scalar(func.max(FindingEvent.id)),
        scalar(func.count(ScoreOverride.id), ScoreOverride.id > since.override),
        scalar(func.max(ScoreOverride.id)),
        scalar(func.max(Vendor.id)),
        scalar(func.max(Assignment.id)),
        scalar(func.max(Revision.id)),
    ]


def _bases() -> Since:
    """New bases a little below the newest row of each table (a full rebuild sets them)."""
    vendor, submitted, decision, finding, event, override = db.session.execute(
        select(
            *(
                select(column).scalar_subquery()
                for column in (
                    func.max(Vendor.id),
                    func.max(Revision.submitted_at),
                    func.max(ReviewDecision.id),
                    func.max(Finding.id),
                    func.max(FindingEvent.id),
                    func.max(ScoreOverride.id),
                )
            )
        )
    ).one()

    def below(newest: int | None) -> int:
        return max(0, (newest or 0) - ID_WINDOW)

    return Since(
        vendor=below(vendor),
        submitted=submitted - TIME_WINDOW if submitted is not None else None,
        decision=below(decision),
        finding=below(finding),
        event=below(event),
        override=below(override),
    )


def fingerprint(since: Since | None = None) -> Fingerprint:
    """Read, in one query, what changes whenever an input of residual risk or scores does,
    counting rows above `since` (by default the stored state's bases, else new ones)."""
    if since is None:
        since = _stored_bases(db.session.get(PortfolioMark, MARK_ID)) or _bases()
    row = db.session.execute(select(*_fingerprint_columns(since))).one()
    return Fingerprint._make((*row, since))


def portfolio(today: date | None = None) -> Portfolio:
    """Return the stored state, first bringing it up to date with what changed since."""
    today = today or date.today()
    stale_days = int(current_app.config.get("ASSESSMENT_STALE_DAYS", 365))
    # The mark, then the fingerprint above its bases: the whole cost of a page when nothing
    # changed.
    mark = db.session.execute(
        select(PortfolioMark)
        .where(PortfolioMark.id == MARK_ID)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    since = _stored_bases(mark)
    if mark is not None and since is not None:
        if _usable(mark, fingerprint(since), today, stale_days):
            return _portfolio(mark, today)
    return _bring_up_to_date(today, stale_days)


def _stored_bases(mark: PortfolioMark | None) -> Since | None:
    """The bases the stored fingerprint counted above (None: no state, or one without)."""
    stored = Fingerprint.decode(mark.fingerprint) if mark is not None else None
    return stored.since if stored is not None else None


def refresh(today: date | None = None) -> Portfolio:
    """Compute every current vendor's state again and store it (the periodic task, the
    `flask dashboard refresh` command, and after a restore)."""
    today = today or date.today()
    stale_days = int(current_app.config.get("ASSESSMENT_STALE_DAYS", 365))
    mark = _locked_mark()
    current = fingerprint(_bases())
    _rebuild(today)
    # The vendors' owners copied onto assignments and findings for the counts: any copy that
    # drifted (a change written without the ORM) is put right here too.
    owner_copies.repair()
    return _store_mark(mark, current, today, stale_days, full=True)


def _portfolio(mark: PortfolioMark, today: date) -> Portfolio:
    return Portfolio(
        today=today,
        stale_days=int(mark.stale_days or 0),
        version=mark.version,
        built_at=mark.built_at,
    )


def _usable(mark: PortfolioMark, current: Fingerprint, today: date, stale_days: int) -> bool:
    return bool(
        mark.version
        and mark.fingerprint == current.encode()
        and mark.day == today
        and _same_settings(mark, stale_days)
        and not _too_old(mark)
    )


def _same_settings(mark: PortfolioMark, stale_days: int) -> bool:
    """The stored state was computed with this staleness age and reassessment schedule."""
    return mark.stale_days == stale_days and mark.schedule == reassessments.schedule_key()


def _too_old(mark: PortfolioMark) -> bool:
    """Past SNAPSHOT_MAX_AGE since the last full build, when no worker refreshes it."""
    if current_app.config.get("REDIS_URL"):
        return False  # the workers' periodic `dashboard.refresh` bounds the age
    return mark.built_at is None or utcnow() - mark.built_at >= timedelta(seconds=SNAPSHOT_MAX_AGE)


def _locked_mark() -> PortfolioMark:
    """Read the mark row locked for this transaction (PostgreSQL: other hosts wait)."""
    mark = db.session.execute(
        select(PortfolioMark)
        .where(PortfolioMark.id == MARK_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if mark is None:  # the migration makes it; a database restored without it gets it back
        mark = PortfolioMark(id=MARK_ID, version="")
        db.session.add(mark)
    return mark


def _bring_up_to_date(today: date, stale_days: int) -> Portfolio:
    mark = _locked_mark()
    current = fingerprint(_stored_bases(mark) or _bases())
    if _usable(mark, current, today, stale_days):  # another request did it meanwhile
        portfolio = _portfolio(mark, today)
        db.session.commit()
        return portfolio
    placed = _placed(mark, current, today, stale_days)
    if placed is not None:
        vendors, complete = placed
        if complete:
            _recompute(today, vendors)
            return _store_mark(mark, current, today, stale_days, full=False)
        if mark.built_at is not None and tasks.enqueue("dashboard.refresh"):
            # Something the fingerprint cannot place changed: a worker rebuilds everything,
            # and meanwhile the pages show the vendors it could place brought up to date.
            log.info("portfolio: a change could not be placed; a full rebuild is queued")
            _recompute(today, vendors)
            return _store_mark(mark, current, today, stale_days, full=False)
    rebased = fingerprint(_bases())  # read before the rebuild: what it computes from
    _rebuild(today)
    return _store_mark(mark, rebased, today, stale_days, full=True)


def _placed(
    mark: PortfolioMark, current: Fingerprint, today: date, stale_days: int
) -> tuple[list[int], bool] | None:
    """The vendors to compute again since the stored state, and whether they account for
    every change; None when a full rebuild is the only way (no state yet, another staleness
    age, or so many vendors that recomputing all of them is as quick)."""
    previous = Fingerprint.decode(mark.fingerprint)
    if not mark.version or previous is None or not _same_settings(mark, stale_days):
        return None
    if previous.since != current.since:  # counts above other bases cannot be compared
        return None
    if _too_old(mark):
        return None
    vendors, complete = _changes(previous, current)
    if mark.day is None:
        return None
    if mark.day != today:
        vendors |= _turned_by_date(mark.day, today, stale_days)
    # The newest vendor id stands for the portfolio's size (its count would scan every row).
    if len(vendors) > max(50, PARTIAL_LIMIT * (current.vendor_last or 0)):
        return None
    return sorted(vendors), complete


def _store_mark(
    mark: PortfolioMark, current: Fingerprint, today: date, stale_days: int, *, full: bool
) -> Portfolio:
    now = utcnow()
    mark.fingerprint = current.encode()
    mark.day = today
    mark.stale_days = stale_days
    mark.schedule = reassessments.schedule_key()
    mark.version = uuid.uuid4().hex
    mark.updated_at = now
    if full:
        mark.built_at = now
    portfolio = _portfolio(mark, today)
    db.session.commit()
    return portfolio


def _rebuild(today: date) -> None:
    """Replace every stored row with freshly computed states (in slices of vendors)."""
    ids = list(
        db.session.scalars(select(Vendor.id).where(Vendor.status != OFFBOARDED).order_by(Vendor.id))
    )
    db.session.execute(delete(PortfolioVendor))
    for start in range(0, len(ids), ID_BATCH):
        _insert(compute(today, ids[start : start + ID_BATCH]))


def _recompute(today: date, vendor_ids: list[int]) -> None:
    """Compute some vendors again: offboarded or deleted ones leave the stored state."""
    for start in range(0, len(vendor_ids), ID_BATCH):
        chunk = vendor_ids[start : start + ID_BATCH]
        db.session.execute(delete(PortfolioVendor).where(PortfolioVendor.vendor_id.in_(chunk)))
        _insert(compute(today, chunk))


def _insert(states: dict[int, VendorState]) -> None:
    if not states:
        return
    db.session.execute(
        insert(PortfolioVendor),
        [
            {
                "vendor_id": vendor_id,
                "owner_id": state.owner_id,
                "inherent": state.inherent,
                "residual": state.residual,
                "last_baseline": state.last_baseline,
                "reassess_due": state.reassess_due,
                "reassess_last": state.reassess_last,
                **{c: state.scores.get(c) for c in CORE_CATEGORIES},
            }
            for vendor_id, state in states.items()
        ],
    )


def stored_states(vendor_ids: list[int] | None = None) -> dict[int, VendorState]:
    """Read stored vendor states back (all, or some vendors)."""
    query = select(PortfolioVendor)
    if vendor_ids is not None:
        query = query.where(PortfolioVendor.vendor_id.in_(vendor_ids))
    return {
        row.vendor_id: VendorState(
            owner_id=row.owner_id,
            inherent=row.inherent,
            residual=row.residual,
            last_baseline=row.last_baseline,
            scores={c: getattr(row, c) for c in CORE_CATEGORIES if getattr(row, c) is not None},
            reassess_due=row.reassess_due,
            reassess_last=row.reassess_last,
        )
        for row in db.session.scalars(query)
    }


def stored_count() -> int:
    """Return how many vendor states are stored."""
    return db.session.scalar(select(func.count()).select_from(PortfolioVendor)) or 0


def _turned_by_date(before: date, today: date, stale_days: int) -> set[int]:
    """Vendors whose residual risk may differ between two days though no row changed: a
    baseline that turned stale (or fresh, going back), a risk acceptance that ran out."""
    first, last = min(before, today), max(before, today)
    window = timedelta(days=stale_days)
    baselines = select(PortfolioVendor.vendor_id).where(
        PortfolioVendor.last_baseline.between(first - window - timedelta(days=1), last - window)
    )
    acceptances = select(Finding.vendor_id).where(
        Finding.state == RISK_ACCEPTED,
        Finding.acceptance_expires_on.between(first - timedelta(days=1), last),
    )
    return set(db.session.scalars(union_all(baselines, acceptances)))


def changed_vendors(previous: Fingerprint, current: Fingerprint) -> set[int] | None:
    """Return the vendors concerned by rows newer than the previous fingerprint, in one query.

    None when the rows found do not account for the change in row counts (a row was deleted
    or committed with an older id or time than one already seen): recompute everything then.
    """
    vendors, complete = _changes(previous, current)
    return vendors if complete else None


def _changes(previous: Fingerprint, current: Fingerprint) -> tuple[set[int], bool]:
    """The vendors concerned by rows newer than the previous fingerprint, and whether they
    account for every change in the row counts."""

    def newer(column, last):
        return column > last if last is not None else true()

    parts = [
        select(literal("vendor"), Vendor.id).where(
            newer(Vendor.updated_at, previous.vendor_changed)
        ),
        select(literal("new vendor"), Vendor.id).where(newer(Vendor.id, previous.vendor_last)),
        select(literal("assignment"), Assignment.vendor_id).where(
            newer(Assignment.id, previous.assignment_last)
        ),
        select(literal("revision row"), Assignment.vendor_id)
        .join(Response, Response.assignment_id == Assignment.id)
        .join(Revision, Revision.response_id == Response.id)
        .where(newer(Revision.id, previous.revision_last)),
        select(literal("revision"), Assignment.vendor_id)
        .join(Response, Response.assignment_id == Assignment.id)
        .join(Revision, Revision.response_id == Response.id)
        .where(
            Revision.submitted_at.is_not(None),
            newer(Revision.submitted_at, previous.submitted_last),
        ),
        select(literal("decision"), Assignment.vendor_id)
        .join(ReviewDecision, ReviewDecision.assignment_id == Assignment.id)
        .where(newer(ReviewDecision.id, previous.decision_last)),
        select(literal("finding"), Finding.vendor_id).where(
            newer(Finding.id, previous.finding_last)
        ),
        select(literal("event"), Finding.vendor_id)
        .join(FindingEvent, FindingEvent.finding_id == Finding.id)
        .where(newer(FindingEvent.id, previous.event_last)),
        select(literal("override"), Assignment.vendor_id)
        .join(Response, Response.assignment_id == Assignment.id)
        .join(Revision, Revision.response_id == Response.id)
        .join(ScoreOverride, ScoreOverride.revision_id == Revision.id)
        .where(newer(ScoreOverride.id, previous.override_last)),
    ]
    found: dict[str, int] = {}
    vendors: set[int] = set()
    for source, vendor_id in db.session.execute(union_all(*parts)):
        found[source] = found.get(source, 0) + 1
        vendors.add(vendor_id)
    expected = {
        "new vendor": current.vendors - previous.vendors,
        "revision": current.submitted - previous.submitted,
        "decision": current.decisions - previous.decisions,
        "finding": current.findings - previous.findings,
        "event": current.events - previous.events,
        "override": current.overrides - previous.overrides,
    }
    complete = previous.since == current.since and all(
        found.get(source, 0) == count for source, count in expected.items()
    )
    return vendors, complete


def compute(today: date, vendor_ids: list[int] | None = None) -> dict[int, VendorState]:
    """Compute the state of current vendors (all, or some) in a fixed number of queries."""
    query = select(
        Vendor.id, Vendor.risk_tier, Vendor.owner_id, Vendor.status, Vendor.created_at
    ).where(Vendor.status != OFFBOARDED)
    if vendor_ids is not None:
        query = query.where(Vendor.id.in_(vendor_ids))
    rows = db.session.execute(query).all()
    due = reassessments.due_dates(rows, _schedule())
    # Rows with an id and a risk tier are all residual_for reads of a vendor.
    residual = residual_for(rows, today)  # type: ignore[arg-type]
    baselines = {
        vendor_id: _as_date(decided_at)
        for vendor_id, decided_at in db.session.execute(accepted_baselines(vendor_ids))
    }
    scores = _latest_scores(vendor_ids)
    return {
        row.id: VendorState(
            owner_id=row.owner_id,
            inherent=row.risk_tier,
            residual=residual[row.id].tier,
            last_baseline=baselines.get(row.id),
            scores=scores.get(row.id, {}),
            reassess_due=due[row.id][1] if row.id in due else None,
            reassess_last=due[row.id][0] if row.id in due else None,
        )
        for row in rows
    }


def _schedule() -> dict:
    """The reassessment schedule, or none when it cannot be used (the dashboard's card says
    why, from reassessments.schedule())."""
    try:
        return reassessments.schedule()
    except reassessments.ScheduleError:
        return {}


def _as_date(value: datetime | None) -> date | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.date()


def latest_revisions(vendor_ids: list[int] | None = None) -> Select:
    """Each vendor's latest submitted revision: (vendor id, revision id, attestation hash)."""
    ranked = (
        select(
            Assignment.vendor_id.label("vendor_id"),
            Revision.id.label("revision_id"),
            Revision.attestation_hash.label("attestation_hash"),
            func.row_number()
            .over(
                partition_by=Assignment.vendor_id,
                order_by=(Revision.submitted_at.desc(), Revision.id.desc()),
            )
            .label("rank"),
        )
        .join(Response, Response.assignment_id == Assignment.id)
        .join(Revision, Revision.response_id == Response.id)
        .where(Revision.submitted_at.is_not(None))
    )
    if vendor_ids is not None:
        ranked = ranked.where(Assignment.vendor_id.in_(vendor_ids))
    rows = ranked.subquery()
    return select(rows.c.vendor_id, rows.c.revision_id, rows.c.attestation_hash).where(
        rows.c.rank == 1
    )


def _latest_scores(vendor_ids: list[int] | None) -> dict[int, dict[str, float]]:
    rows = latest_revisions(vendor_ids).subquery()
    latest = {
        vendor_id: (revision_id, mark)
        for vendor_id, revision_id, mark in db.session.execute(
            select(
                rows.c.vendor_id, rows.c.revision_id, effective.override_mark(rows.c.revision_id)
            )
        )
    }
    plain = sorted(r for r, mark in latest.values() if mark is None)
    by_revision: dict[int, dict[str, float]] = {}
    # One query whatever the number (an empty list still runs, so the count stays fixed).
    for revision_id, categories in db.session.execute(
        select(Revision.id, Revision.score["categories"]).where(Revision.id.in_(plain))
    ):
        by_revision[revision_id] = _core_scores(categories)
    overridden = effective.overridden_results(r for r, mark in latest.values() if mark is not None)
    for revision_id, found in overridden.items():
        by_revision[revision_id] = _core_scores(
            {"id": c.id, "score_display": round_display(c.score)} for c in found.result.categories
        )
    return {vendor_id: by_revision.get(r, {}) for vendor_id, (r, _) in latest.items()}


def _core_scores(categories) -> dict[str, float]:
    out: dict[str, float] = {}
    for category in categories or ():
        if not isinstance(category, dict) or category.get("id") not in CORE_CATEGORIES:
            continue
        shown = category.get("score_display")
        if shown is not None:
            out[category["id"]] = float(shown)
    return out
