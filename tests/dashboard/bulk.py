"""A synthetic portfolio built with bulk inserts: hundreds or tens of thousands of vendors fast.

Used by the query-count tests (10 and 500 vendors) and by `bench/dashboard.py` (10,000 vendors
and 50,000 assignments). Rows go straight into the tables with multi-row INSERTs (the services
would take minutes at that size); the template versions are the shipped questionnaires loaded
through the real sync, and each revision carries a score produced by the real engine, so the
JSON the dashboard reads has its real shape and size.
"""

from __future__ import annotations

import copy
import math
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from vendorrisk.accounts.models import User
from vendorrisk.campaigns.models import (
    IN_PROGRESS,
    NOT_STARTED,
    SUBMITTED,
    SUBMITTED_LATE,
    Assignment,
    Campaign,
    ImpactAlert,
    Recipient,
    Response,
    Revision,
    point_at_latest_revisions,
)
from vendorrisk.extensions import db
from vendorrisk.questionnaires import services as questionnaires
from vendorrisk.questionnaires import sync
from vendorrisk.review.models import (
    ACCEPTED,
    APPROVED_WITH_CONDITIONS,
    CLARIFICATION,
    CLOSED,
    FROM_SCORING,
    OPEN,
    PLANNED,
    REJECTED,
    RISK_ACCEPTED,
    Finding,
    ReviewDecision,
)
from vendorrisk.scoring import score_response
from vendorrisk.vendors.models import Contact, Vendor
from vendorrisk.vendors.risk import CRITICALITY_POINTS, DATA_ACCESS_POINTS, inherent_tier

ROOT = Path(__file__).resolve().parents[2]
# The templates campaigns are made of, in turn: (file, kind).
TEMPLATE_FILES = (
    "mimecast-certificate-compromise-2021.yaml",
    "incident-readiness-baseline.yaml",
    "certificate-and-key-lifecycle.yaml",
    "solarwinds-orion-supply-chain-2020.yaml",
)
BANDS = ((85, "A"), (70, "B"), (50, "C"), (0, "D"))
SEVERITY_WEIGHTS = (("critical", 1), ("high", 3), ("medium", 4), ("low", 2))


@dataclass
class Portfolio:
    """What one build added (ids in insertion order)."""

    vendor_ids: list[int] = field(default_factory=list)
    campaign_ids: list[int] = field(default_factory=list)
    assignment_ids: list[int] = field(default_factory=list)
    finding_count: int = 0


def _utc(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _insert(model, rows: list[dict]) -> list[int]:
    """Insert rows with ids we choose (no RETURNING: it is quadratic on SQLite in bulk).

    On PostgreSQL the id sequence is moved past the new rows so later inserts do not collide.
    """
    if not rows:
        return []
    first = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    db.session.execute(model.__table__.insert(), rows)
    if db.session.get_bind().dialect.name == "postgresql":
        table = model.__table__.name
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :last)"),
            {"last": ids[-1]},
        )
    return ids


def template_versions() -> list[tuple[int, str]]:
    """Load the shipped questionnaires through the real sync; return (version id, kind) each."""
    from vendorrisk.questionnaires.models import Template

    sync.sync_directory(ROOT / "questionnaires")
    out = []
    for name in TEMPLATE_FILES:
        template = db.session.scalars(
            select(Template).where(Template.file_path.like(f"%{name}"))
        ).one()
        out.append((questionnaires.current_version(template).id, template.kind))
    return out


def _score_pool(version_ids: list[int], rng: random.Random) -> dict[int, list[dict]]:
    """Real engine results (unanswered) per version, with varied category scores."""
    from vendorrisk.questionnaires.models import TemplateVersion

    pool: dict[int, list[dict]] = {}
    for version_id in version_ids:
        version = db.session.get(TemplateVersion, version_id)
        parsed = questionnaires.parsed_version(version)
        refs = {r.name: r.default or date(2021, 1, 12) for r in parsed.reference_dates}
        base = score_response(parsed, {}, refs).to_dict()
        variants = []
        for _ in range(24):
            score = copy.deepcopy(base)
            values = []
            for category in score["categories"]:
                value = rng.choice([rng.randint(0, 100), rng.randint(40, 100)])
                category["score"] = str(value)
                category["score_display"] = f"{value}.0"
                values.append(value)
            overall = sum(values) / len(values) if values else None
            score["overall"] = None if overall is None else str(round(overall))
            score["overall_display"] = None if overall is None else f"{round(overall)}.0"
            band = next(b for low, b in BANDS if (overall or 0) >= low)
            score["band"] = band
            variants.append(score)
        pool[version_id] = variants
    return pool


def _pick_severity(rng: random.Random) -> str:
    names = [s for s, _ in SEVERITY_WEIGHTS]
    return rng.choices(names, weights=[w for _, w in SEVERITY_WEIGHTS])[0]


def build(
    vendors: int,
    assignments: int,
    *,
    owners: list[User],
    actor: User,
    today: date | None = None,
    seed: int = 1,
    versions: list[tuple[int, str]] | None = None,
    campaigns: int | None = None,
) -> Portfolio:
    """Add `vendors` vendors and about `assignments` assignments with everything around them."""
    rng = random.Random(seed)
    today = today or date.today()
    now = datetime.now(UTC)
    versions = versions or template_versions()
    pool = _score_pool([v for v, _ in versions], rng)
    start = (db.session.scalar(select(func.max(Vendor.id))) or 0) + 1
    built = Portfolio()

    criticalities = list(CRITICALITY_POINTS)
    accesses = list(DATA_ACCESS_POINTS)
    vendor_rows = []
    for i in range(vendors):
        crit, access = rng.choice(criticalities), rng.choice(accesses)
        status = rng.choices(["active", "onboarding", "offboarded"], weights=[90, 6, 4])[0]
        owner = owners[i % (len(owners) + 1)] if i % (len(owners) + 1) < len(owners) else None
        name = f"Bulk vendor {seed}-{start + i:06d}"
        vendor_rows.append(
            {
                "name": name,
                "name_key": name.lower(),
                "criticality": crit,
                "data_access": access,
                "risk_tier": inherent_tier(crit, access).number,
                "status": status,
                "owner_id": owner.id if owner else None,
                "country": rng.choice(["GB", "US", "DE"]),
                "created_at": now,
                "updated_at": now,
            }
        )
    built.vendor_ids = _insert(Vendor, vendor_rows)
    contact_ids = _insert(
        Contact,
        [
            {
                "vendor_id": vid,
                "name": f"Security lead {vid}",
                "email": f"security@v{vid}.example",
                "is_primary": True,
                "is_security": True,
                "is_executive": False,
                "is_privacy": False,
                "created_at": now,
            }
            for vid in built.vendor_ids
        ],
    )
    contact_of = dict(zip(built.vendor_ids, contact_ids, strict=True))
    owner_of = {
        vid: row["owner_id"] for vid, row in zip(built.vendor_ids, vendor_rows, strict=True)
    }

    live = [
        vid
        for vid, row in zip(built.vendor_ids, vendor_rows, strict=True)
        if row["status"] != "offboarded"
    ] or built.vendor_ids
    n_campaigns = campaigns or max(3, math.ceil(assignments / max(1, int(len(live) * 0.6))))
    campaign_rows = []
    for c in range(n_campaigns):
        version_id, _kind = versions[c % len(versions)]
        overdue = c % 3 == 0
        due = today - timedelta(days=20 + c) if overdue else today + timedelta(days=7 + 5 * c)
        sent = _utc(due - timedelta(days=30))
        campaign_rows.append(
            {
                "name": f"Portfolio check {seed}-{c + 1}",
                "template_version_id": version_id,
                "reference_dates": {},
                "due_date": due,
                "timezone": "Europe/London",
                "due_at": _utc(due, 22),
                "created_by_id": actor.id,
                "created_at": sent,
                "sent_at": sent,
            }
        )
    built.campaign_ids = _insert(Campaign, campaign_rows)

    assignment_rows, states = [], []
    per_campaign = math.ceil(assignments / n_campaigns)
    for c, campaign_id in enumerate(built.campaign_ids):
        offset = rng.randrange(len(live))
        for k in range(min(per_campaign, len(live))):
            vendor_id = live[(offset + k) % len(live)]
            state = rng.choices(
                [SUBMITTED, SUBMITTED_LATE, IN_PROGRESS, NOT_STARTED], weights=[55, 5, 20, 20]
            )[0]
            sent = campaign_rows[c]["sent_at"]
            submitted_at = (
                sent + timedelta(days=rng.randint(1, 25))
                if state in (SUBMITTED, SUBMITTED_LATE)
                else None
            )
            assignment_rows.append(
                {
                    "campaign_id": campaign_id,
                    "vendor_id": vendor_id,
                    "response_state": state,
                    "review_state": "not_reviewed",
                    "created_at": sent,
                    "submitted_at": submitted_at,
                    "last_activity_at": submitted_at,
                    "due_at": campaign_rows[c]["due_at"],
                    "vendor_owner_id": owner_of[vendor_id],
                }
            )
            states.append((c, vendor_id, state, submitted_at))
    built.assignment_ids = _insert(Assignment, assignment_rows)
    response_ids = _insert(
        Response,
        [
            {"assignment_id": aid, "draft": {}, "version": 1, "updated_at": now}
            for aid in built.assignment_ids
        ],
    )
    _insert(
        Recipient,
        [
            {
                "assignment_id": aid,
                "contact_id": contact_of[vendor_id],
                "nonce": secrets.token_hex(8),
                "token_hash": secrets.token_hex(32),
                "issued_at": now,
                "expires_at": campaign_rows[c]["due_at"] + timedelta(days=30),
            }
            for aid, (c, vendor_id, _s, _t) in zip(built.assignment_ids, states, strict=True)
        ],
    )

    revision_rows, revision_meta = [], []
    for aid, rid, (c, vendor_id, state, submitted_at) in zip(
        built.assignment_ids, response_ids, states, strict=True
    ):
        if submitted_at is None:
            continue
        version_id = campaign_rows[c]["template_version_id"]
        rounds = 2 if rng.random() < 0.1 else 1
        for number in range(1, rounds + 1):
            score = rng.choice(pool[version_id])
            impact = rng.random() < 0.02
            at = submitted_at + timedelta(days=3 * (number - 1))
            revision_rows.append(
                {
                    "response_id": rid,
                    "number": number,
                    "kind": "initial" if number == 1 else "clarification",
                    "opened_at": at - timedelta(days=1),
                    "submitted_at": at,
                    "late": state == SUBMITTED_LATE,
                    "answers": {},
                    "evidence_index": [],
                    "attestation_name": "Pat Doe",
                    "attestation_title": "CISO",
                    "attestation_hash": secrets.token_hex(32),
                    "score": score,
                    "band": score["band"],
                    "overall": float(score["overall"]) if score["overall"] else None,
                    "not_exposed": False,
                    "impact": impact,
                    "engine_version": "bulk",
                }
            )
            revision_meta.append((aid, vendor_id, impact, number == rounds))
    revision_ids = _insert(Revision, revision_rows)
    # Inserted without the ORM, so the flush that keeps each assignment's pointer to its latest
    # submitted revision did not run: set it as the migration does.
    if built.assignment_ids:
        first = built.assignment_ids[0]
        db.session.execute(point_at_latest_revisions().where(Assignment.id >= first))

    decision_rows, finding_rows, alert_rows = [], [], []
    for revision_id, (aid, vendor_id, impact, last) in zip(
        revision_ids, revision_meta, strict=True
    ):
        if impact:
            handled = rng.random() < 0.5
            alert_rows.append(
                {
                    "assignment_id": aid,
                    "vendor_id": vendor_id,
                    "revision_id": revision_id,
                    "signals": [
                        {
                            "question_id": "data_accessed",
                            "question_text": "Was our data accessed?",
                            "answer": "yes",
                            "answer_label": "Yes, some of it",
                        }
                    ],
                    "raised_at": now - timedelta(days=rng.randint(0, 40)),
                    "handled_at": now if handled else None,
                    "handled_by_id": actor.id if handled else None,
                    "handling_note": "Checked with the vendor." if handled else None,
                }
            )
        if not last:
            continue
        if rng.random() < 0.7:
            decision = rng.choices(
                [ACCEPTED, APPROVED_WITH_CONDITIONS, CLARIFICATION, REJECTED],
                weights=[60, 20, 10, 10],
            )[0]
            decision_rows.append(
                {
                    "assignment_id": aid,
                    "revision_id": revision_id,
                    "decision": decision,
                    "reviewer_id": actor.id,
                    "decided_at": now - timedelta(days=rng.randint(0, 600)),
                }
            )
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            severity = _pick_severity(rng)
            state = rng.choices([OPEN, PLANNED, CLOSED, RISK_ACCEPTED], weights=[50, 20, 20, 10])[0]
            due = today + timedelta(days=rng.randint(-40, 60))
            finding_rows.append(
                {
                    "vendor_id": vendor_id,
                    "vendor_owner_id": owner_of[vendor_id],
                    "assignment_id": aid,
                    "revision_id": revision_id,
                    "source": FROM_SCORING,
                    "title": f"Gap in answer {rng.randint(1, 40)}",
                    "category": rng.choice(
                        ["certificate_rotation", "incident_readiness", "logging_monitoring"]
                    ),
                    "severity": severity,
                    "original_severity": severity,
                    "frameworks": [],
                    "internal": False,
                    "state": state,
                    "due_date": due,
                    "plan_owner": "Vendor IT" if state == PLANNED else None,
                    "plan_date": due + timedelta(days=10) if state == PLANNED else None,
                    "acceptance_by_id": actor.id if state == RISK_ACCEPTED else None,
                    "acceptance_reason": "Compensating control."
                    if state == RISK_ACCEPTED
                    else None,
                    "acceptance_expires_on": today + timedelta(days=rng.randint(-5, 90))
                    if state == RISK_ACCEPTED
                    else None,
                    "created_at": now,
                }
            )
    _insert(ReviewDecision, decision_rows)
    _insert(Finding, finding_rows)
    _insert(ImpactAlert, alert_rows)
    built.finding_count = len(finding_rows)
    db.session.flush()
    return built
