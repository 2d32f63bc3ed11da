"""The portfolio snapshot: residual risk, score and assessment date of every current vendor.

Residual risk is a rule in Python (review/residual.py) over each vendor's assessments and open
findings, so counting vendors by residual tier means evaluating every vendor: about 1.5 s for
10,000 vendors. The snapshot does that once and keeps the result in the app until the data it
was computed from changes. A single cheap query reads a *fingerprint* of those inputs (row
counts and the newest id or time of vendors, submitted revisions, review decisions, findings and
finding events, each served by an index); a different fingerprint, a new day (assessments go
stale and acceptances expire by date) or an age past SNAPSHOT_MAX_AGE recomputes it. Findings
change state only through services that append a finding event, so every change to the inputs
moves the fingerprint; the age limit bounds what a change made outside the services could hide.

Score categories are read from the latest submitted revision of each vendor. Submitted
revisions never change, so their category scores are remembered by revision id and only new
revisions' JSON is read, with a path expression, never the whole score.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, func, select

from vendorrisk.campaigns.models import Assignment, Response, Revision
from vendorrisk.dashboard import models  # noqa: F401 - attaches the indexes to the metadata
from vendorrisk.extensions import db
from vendorrisk.review.models import Finding, FindingEvent, ReviewDecision
from vendorrisk.review.queries import accepted_baselines, residual_for
from vendorrisk.vendors.models import OFFBOARDED, Vendor

CORE_CATEGORIES = ("certificate_rotation", "incident_readiness")
SNAPSHOT_MAX_AGE = 600  # seconds
_EXTENSION = "vendorrisk.dashboard.snapshot"


@dataclass(frozen=True, slots=True)
class VendorState:
    """What the dashboard needs to know about one current (not offboarded) vendor."""

    owner_id: int | None
    inherent: int
    residual: int
    last_baseline: date | None  # the latest accepted baseline assessment's decision date
    scores: dict[str, float]  # core category -> score of the latest submitted revision


@dataclass
class Snapshot:
    """Every current vendor's state, as of one fingerprint of the data and one day."""

    today: date
    stale_days: int
    vendors: dict[int, VendorState]
    fingerprint: tuple = ()
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
    """Per-app memory: the latest snapshot and category scores by revision id."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        self.categories: dict[tuple[int, str | None], dict[str, float]] = {}


def _store() -> _Store:
    store = current_app.extensions.get(_EXTENSION)
    if store is None:
        store = current_app.extensions.setdefault(_EXTENSION, _Store())
    return store


def forget() -> None:
    """Drop the remembered snapshot and scores (tests, and after bulk changes)."""
    current_app.extensions.pop(_EXTENSION, None)


def fingerprint() -> tuple:
    """Read, in one query, what changes whenever an input of residual risk or scores does."""
    def scalar(statement) -> Select:
        return statement.scalar_subquery()

    row = db.session.execute(select(
        scalar(select(func.count(Vendor.id))),
        scalar(select(func.max(Vendor.updated_at))),
        scalar(select(func.count(Revision.submitted_at))),
        scalar(select(func.max(Revision.submitted_at))),
        scalar(select(func.count(ReviewDecision.id))),
        scalar(select(func.max(ReviewDecision.id))),
        scalar(select(func.count(Finding.id))),
        scalar(select(func.max(Finding.id))),
        scalar(select(func.count(FindingEvent.id))),
        scalar(select(func.max(FindingEvent.id))),
    )).one()
    return tuple(row)


def portfolio(today: date | None = None) -> Snapshot:
    """Return the current snapshot, computing it again only when its inputs changed."""
    today = today or date.today()
    stale_days = int(current_app.config.get("ASSESSMENT_STALE_DAYS", 365))
    store = _store()
    current = fingerprint()
    snapshot = store.snapshot
    if (
        snapshot is not None
        and snapshot.fingerprint == current
        and snapshot.today == today
        and snapshot.stale_days == stale_days
        and time.monotonic() - snapshot.built_at < SNAPSHOT_MAX_AGE
    ):
        return snapshot
    with store.lock:
        again = store.snapshot
        if again is not None and again is not snapshot and again.fingerprint == current \
                and again.today == today and again.stale_days == stale_days:
            return again  # another request built it while this one waited
        snapshot = build(today, stale_days, store)
        snapshot.fingerprint = current
        store.snapshot = snapshot
    return snapshot


def build(today: date, stale_days: int, store: _Store | None = None) -> Snapshot:
    """Compute every current vendor's state in a fixed number of queries (six)."""
    store = store or _Store()
    rows = db.session.execute(
        select(Vendor.id, Vendor.risk_tier, Vendor.owner_id).where(Vendor.status != OFFBOARDED)
    ).all()
    residual = residual_for(rows, today)
    baselines = {
        vendor_id: _as_date(decided_at)
        for vendor_id, decided_at in db.session.execute(accepted_baselines())
    }
    scores = _latest_scores(store)
    return Snapshot(
        today=today,
        stale_days=stale_days,
        vendors={
            row.id: VendorState(
                owner_id=row.owner_id,
                inherent=row.risk_tier,
                residual=residual[row.id].tier,
                last_baseline=baselines.get(row.id),
                scores=scores.get(row.id, {}),
            )
            for row in rows
        },
    )


def _as_date(value: datetime | None) -> date | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.date()


def latest_revisions() -> Select:
    """Each vendor's latest submitted revision: (vendor id, revision id, attestation hash)."""
    ranked = (
        select(
            Assignment.vendor_id.label("vendor_id"),
            Revision.id.label("revision_id"),
            Revision.attestation_hash.label("attestation_hash"),
            func.row_number().over(
                partition_by=Assignment.vendor_id,
                order_by=(Revision.submitted_at.desc(), Revision.id.desc()),
            ).label("rank"),
        )
        .join(Response, Response.assignment_id == Assignment.id)
        .join(Revision, Revision.response_id == Response.id)
        .where(Revision.submitted_at.is_not(None))
        .subquery()
    )
    return select(ranked.c.vendor_id, ranked.c.revision_id, ranked.c.attestation_hash).where(
        ranked.c.rank == 1)


def _latest_scores(store: _Store) -> dict[int, dict[str, float]]:
    # Keyed by id and attestation hash: an id alone could be reused after a rollback.
    latest = {vendor_id: (revision_id, digest)
              for vendor_id, revision_id, digest in db.session.execute(latest_revisions())}
    wanted = set(latest.values())
    missing = wanted - store.categories.keys()
    # One query whatever the number (an empty list still runs, so the count stays fixed).
    for revision_id, digest, categories in db.session.execute(
        select(Revision.id, Revision.attestation_hash, Revision.score["categories"])
        .where(Revision.id.in_(sorted(r for r, _ in missing)))
    ):
        store.categories[(revision_id, digest)] = _core_scores(categories)
    for key in store.categories.keys() - wanted:
        del store.categories[key]
    return {vendor_id: store.categories.get(key, {}) for vendor_id, key in latest.items()}


def _core_scores(categories) -> dict[str, float]:
    out: dict[str, float] = {}
    for category in categories or ():
        if not isinstance(category, dict) or category.get("id") not in CORE_CATEGORIES:
            continue
        shown = category.get("score_display")
        if shown is not None:
            out[category["id"]] = float(shown)
    return out


def cutoff(today: date, stale_days: int) -> datetime:
    """Return the moment before which an accepted baseline no longer counts (UTC midnight)."""
    return datetime.combine(today - timedelta(days=stale_days), datetime.min.time(), tzinfo=UTC)
