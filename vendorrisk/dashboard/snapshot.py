"""The portfolio snapshot: residual risk, score and assessment date of every current vendor.

Residual risk is a rule in Python (review/residual.py) over each vendor's assessments and open
findings, so counting vendors by residual tier means evaluating every vendor: seconds for
10,000 vendors. The snapshot does that once and keeps the result in the app.

Every request first reads, in one query served by indexes, a *fingerprint* of the inputs: the
row count and newest id or time of vendors, submitted revisions, review decisions, findings and
finding events (findings change state only through services that append an event). When the
fingerprint moved, the rows newer than the previous one name the vendors concerned, and only
those vendors are computed again; the row counts prove that nothing was missed (a row
committed out of order or deleted makes them disagree, and then everything is recomputed). A
new day (assessments go stale, acceptances expire by date), another ASSESSMENT_STALE_DAYS or
an age past SNAPSHOT_MAX_AGE (a bound on what a change made outside the services could hide)
also recompute everything.

Score categories are the effective ones (reviewer overrides applied) of the latest submitted
revision of each vendor. Submitted revisions never change, so their category scores are
remembered (by id, attestation hash and the newest override in force) and only new revisions'
JSON is read, with a path expression, never the whole score; a revision with overrides in force
goes through the effective-result service (review/effective.py) instead. Overrides are part of
the fingerprint, so a reviewer's override shows on the next page.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import NamedTuple, TypeGuard

from flask import current_app
from sqlalchemy import Select, func, literal, select, true, union_all

from vendorrisk.campaigns.models import Assignment, Response, Revision
from vendorrisk.dashboard import models  # noqa: F401 - attaches the indexes to the metadata
from vendorrisk.extensions import db
from vendorrisk.review import effective
from vendorrisk.review.models import Finding, FindingEvent, ReviewDecision, ScoreOverride
from vendorrisk.review.queries import accepted_baselines, residual_for
from vendorrisk.scoring.result import round_display
from vendorrisk.vendors.models import OFFBOARDED, Vendor

CORE_CATEGORIES = ("certificate_rotation", "incident_readiness")
SNAPSHOT_MAX_AGE = 1800  # seconds
# Past this share of the portfolio, recomputing everything is as quick as a partial update.
PARTIAL_LIMIT = 0.2
_EXTENSION = "vendorrisk.dashboard.snapshot"


@dataclass(frozen=True, slots=True)
class VendorState:
    """What the dashboard needs to know about one current (not offboarded) vendor."""

    owner_id: int | None
    inherent: int
    residual: int
    last_baseline: date | None  # the latest accepted baseline assessment's decision date
    scores: dict[str, float]  # core category -> score of the latest submitted revision


class Fingerprint(NamedTuple):
    """Counts and newest markers of the tables the snapshot is computed from."""

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


@dataclass
class Snapshot:
    """Every current vendor's state, as of one fingerprint of the data and one day."""

    today: date
    stale_days: int
    vendors: dict[int, VendorState]
    fingerprint: Fingerprint | None = None
    built_at: float = field(default_factory=time.monotonic)
    # Aggregates per scope (owner id, or None for everyone), computed on first use.
    summaries: dict = field(default_factory=dict)

    def in_scope(self, owner_id: int | None) -> dict[int, VendorState]:
        """Return the vendors one owner is responsible for, or all of them (None)."""
        if owner_id is None:
            return self.vendors
        return {i: v for i, v in self.vendors.items() if v.owner_id == owner_id}

    def is_stale(self, state: VendorState) -> bool:
        """Tell whether a vendor has no accepted baseline assessment young enough."""
        return state.last_baseline is None or (
            (self.today - state.last_baseline).days > self.stale_days
        )


class _Store:
    """Per-app memory: the latest snapshot and category scores by revision."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        # (revision id, attestation hash, newest override in force) -> core category scores
        self.categories: dict[tuple[int, str | None, int | None], dict[str, float]] = {}


def _store() -> _Store:
    store = current_app.extensions.get(_EXTENSION)
    if store is None:
        store = current_app.extensions.setdefault(_EXTENSION, _Store())
    return store


def forget() -> None:
    """Drop the remembered snapshot and scores (tests, and after bulk changes)."""
    current_app.extensions.pop(_EXTENSION, None)


def fingerprint() -> Fingerprint:
    """Read, in one query, what changes whenever an input of residual risk or scores does."""

    def scalar(column):
        return select(column).scalar_subquery()

    row = db.session.execute(
        select(
            scalar(func.count(Vendor.id)),
            scalar(func.max(Vendor.updated_at)),
            scalar(func.count(Revision.submitted_at)),
            scalar(func.max(Revision.submitted_at)),
            scalar(func.count(ReviewDecision.id)),
            scalar(func.max(ReviewDecision.id)),
            scalar(func.count(Finding.id)),
            scalar(func.max(Finding.id)),
            scalar(func.count(FindingEvent.id)),
            scalar(func.max(FindingEvent.id)),
            scalar(func.count(ScoreOverride.id)),
            scalar(func.max(ScoreOverride.id)),
        )
    ).one()
    return Fingerprint._make(row)


def portfolio(today: date | None = None) -> Snapshot:
    """Return the current snapshot, bringing it up to date with what changed since."""
    today = today or date.today()
    stale_days = int(current_app.config.get("ASSESSMENT_STALE_DAYS", 365))
    store = _store()
    current = fingerprint()
    snapshot = store.snapshot
    if _usable(snapshot, current, today, stale_days):
        return snapshot
    with store.lock:
        again = store.snapshot
        if again is not snapshot and _usable(again, current, today, stale_days):
            return again  # another request brought it up to date while this one waited
        snapshot = None
        if (
            again is not None
            and again.today == today
            and again.stale_days == stale_days
            and time.monotonic() - again.built_at < SNAPSHOT_MAX_AGE
        ):
            snapshot = _updated(again, current, store)
        if snapshot is None:
            snapshot = build(today, stale_days, store)
        snapshot.fingerprint = current
        store.snapshot = snapshot
    return snapshot


def _usable(
    snapshot: Snapshot | None, current: Fingerprint, today: date, stale_days: int
) -> TypeGuard[Snapshot]:
    return (
        snapshot is not None
        and snapshot.fingerprint == current
        and snapshot.today == today
        and snapshot.stale_days == stale_days
        and time.monotonic() - snapshot.built_at < SNAPSHOT_MAX_AGE
    )


def build(today: date, stale_days: int, store: _Store | None = None) -> Snapshot:
    """Compute every current vendor's state in a fixed number of queries (eight)."""
    store = store or _Store()
    vendors, used = _states(today, store, None)
    for key in store.categories.keys() - used:
        del store.categories[key]  # revisions no vendor's latest any more
    return Snapshot(today=today, stale_days=stale_days, vendors=vendors)


def _updated(old: Snapshot, current: Fingerprint, store: _Store) -> Snapshot | None:
    """Recompute only the vendors whose inputs changed, or None if that cannot be trusted."""
    previous = old.fingerprint
    if previous is None:
        return None
    changed = changed_vendors(previous, current)
    if changed is None or len(changed) > max(50, PARTIAL_LIMIT * len(old.vendors)):
        return None
    vendors = {i: s for i, s in old.vendors.items() if i not in changed}
    if changed:
        vendors.update(_states(old.today, store, sorted(changed))[0])
    return replace(old, vendors=vendors, summaries={})


def changed_vendors(previous: Fingerprint, current: Fingerprint) -> set[int] | None:
    """Return the vendors concerned by rows newer than the previous fingerprint, in one query.

    None when the rows found do not account for the change in row counts (a row was deleted
    or committed with an older id or time than one already seen): recompute everything then.
    """

    def newer(column, last):
        return column > last if last is not None else true()

    parts = [
        select(literal("vendor"), Vendor.id).where(
            newer(Vendor.updated_at, previous.vendor_changed)
        ),
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
        "revision": current.submitted - previous.submitted,
        "decision": current.decisions - previous.decisions,
        "finding": current.findings - previous.findings,
        "event": current.events - previous.events,
        "override": current.overrides - previous.overrides,
    }
    if any(found.get(source, 0) != count for source, count in expected.items()):
        return None
    if current.vendors < previous.vendors:
        return None
    return vendors


def _states(
    today: date, store: _Store, vendor_ids: list[int] | None
) -> tuple[dict[int, VendorState], set]:
    """Compute the state of current vendors (all, or some) in eight queries; also return the
    remembered score keys they use."""
    query = select(Vendor.id, Vendor.risk_tier, Vendor.owner_id).where(Vendor.status != OFFBOARDED)
    if vendor_ids is not None:
        query = query.where(Vendor.id.in_(vendor_ids))
    rows = db.session.execute(query).all()
    # Rows with an id and a risk tier are all residual_for reads of a vendor.
    residual = residual_for(rows, today)  # type: ignore[arg-type]
    baselines = {
        vendor_id: _as_date(decided_at)
        for vendor_id, decided_at in db.session.execute(accepted_baselines(vendor_ids))
    }
    scores, used = _latest_scores(store, vendor_ids)
    return {
        row.id: VendorState(
            owner_id=row.owner_id,
            inherent=row.risk_tier,
            residual=residual[row.id].tier,
            last_baseline=baselines.get(row.id),
            scores=scores.get(row.id, {}),
        )
        for row in rows
    }, used


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


def _latest_scores(
    store: _Store, vendor_ids: list[int] | None
) -> tuple[dict[int, dict[str, float]], set]:
    # Keyed by id and attestation hash (an id alone could be reused after a rollback) and by
    # the newest override in force (an override changes the figures a person sees).
    rows = latest_revisions(vendor_ids).subquery()
    keys = {
        vendor_id: (revision_id, digest, mark)
        for vendor_id, revision_id, digest, mark in db.session.execute(
            select(
                rows.c.vendor_id,
                rows.c.revision_id,
                rows.c.attestation_hash,
                effective.override_mark(rows.c.revision_id),
            )
        )
    }
    wanted = set(keys.values())
    missing = wanted - store.categories.keys()
    plain = sorted(r for r, _, mark in missing if mark is None)
    # One query whatever the number (an empty list still runs, so the count stays fixed).
    for revision_id, digest, categories in db.session.execute(
        select(Revision.id, Revision.attestation_hash, Revision.score["categories"]).where(
            Revision.id.in_(plain)
        )
    ):
        store.categories[(revision_id, digest, None)] = _core_scores(categories)
    overridden = effective.overridden_results(r for r, _, mark in missing if mark is not None)
    for revision_id, digest, mark in missing:
        if mark is not None and revision_id in overridden:
            store.categories[(revision_id, digest, mark)] = _core_scores(
                {"id": c.id, "score_display": round_display(c.score)}
                for c in overridden[revision_id].result.categories
            )
    return {vendor_id: store.categories.get(key, {}) for vendor_id, key in keys.items()}, wanted


def _core_scores(categories) -> dict[str, float]:
    out: dict[str, float] = {}
    for category in categories or ():
        if not isinstance(category, dict) or category.get("id") not in CORE_CATEGORIES:
            continue
        shown = category.get("score_display")
        if shown is not None:
            out[category["id"]] = float(shown)
    return out
