"""The incident pack of a campaign or of an advisory (all its campaigns the reader may export):
one ZIP with a PDF summary, JSON and CSV files, and a `SHA256SUMS` manifest that `sha256sum -c`
verifies."""

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import render_template
from sqlalchemy import or_, select, tuple_

from vendorrisk.advisories.models import Advisory
from vendorrisk.audit.models import AuditEntry
from vendorrisk.campaigns.models import Campaign, Evidence, Response, Revision
from vendorrisk.clocks import regimes, services, vendor_clock
from vendorrisk.clocks.models import FirmIncident
from vendorrisk.core.timeutil import iso
from vendorrisk.extensions import db
from vendorrisk.reports import pdf
from vendorrisk.review.models import Finding, ReviewDecision

PDF_TIMEOUT = 60.0
PDF_MAX_BYTES = 20 * 1024 * 1024


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        # A cell a spreadsheet would run as a formula is written as text.
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    return out.getvalue().encode()


def _json(data) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True).encode()


@dataclass(frozen=True)
class Scope:
    """What a pack covers: its title, the campaigns it holds and, for an advisory, the advisory."""

    kind: str  # "campaign" | "advisory"
    title: str
    campaigns: list[Campaign]
    advisory: Advisory | None = None


def for_campaign(campaign: Campaign) -> Scope:
    return Scope("campaign", campaign.name, [campaign])


def for_advisory(advisory: Advisory, campaigns: list[Campaign]) -> Scope:
    return Scope("advisory", advisory.title, campaigns, advisory)


def _day(value: date) -> str:
    return value.isoformat()


def gather(scope: Scope, now: datetime) -> dict:
    """Everything the pack holds, as plain data."""
    assignments = [a for c in scope.campaigns for a in c.assignments]
    ids = [a.id for a in assignments]
    names = {a.id: a.vendor.name for a in assignments}
    revisions = db.session.execute(
        select(Response.assignment_id, Revision)
        .join(Revision, Revision.response_id == Response.id)
        .where(Response.assignment_id.in_(ids), Revision.submitted_at.is_not(None))
        .order_by(Revision.submitted_at)
    ).all()
    evidence = db.session.execute(
        select(Response.assignment_id, Evidence)
        .join(Evidence, Evidence.response_id == Response.id)
        .where(Response.assignment_id.in_(ids))
        .order_by(Evidence.id)
    ).all()
    decisions = db.session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.assignment_id.in_(ids))
        .order_by(ReviewDecision.id)
    ).all()
    findings = db.session.scalars(
        select(Finding).where(Finding.assignment_id.in_(ids)).order_by(Finding.id)
    ).all()
    incidents = db.session.scalars(
        select(FirmIncident).where(FirmIncident.assignment_id.in_(ids))
    ).all()
    tz = services.firm_zone()
    clocks = vendor_clock.for_assignments(assignments, now)
    keys = [("campaign", str(c.id)) for c in scope.campaigns]
    if scope.advisory is not None:
        keys.append(("advisory", scope.advisory.slug))
    keys += [("assignment", str(i)) for i in ids] + [("finding", str(f.id)) for f in findings]
    keys += [("firm_incident", str(i.id)) for i in incidents]
    keys += [("regulatory_deadline", str(d.id)) for i in incidents for d in i.deadlines]
    audit_rows = db.session.scalars(
        select(AuditEntry)
        .where(or_(tuple_(AuditEntry.object_type, AuditEntry.object_id).in_(keys)))
        .order_by(AuditEntry.id)
    ).all()
    timeline: list[tuple] = []
    if scope.advisory is not None:
        # A publication carries a date only: shown as the start of that day in the firm's zone.
        def start(day: date) -> datetime:
            return datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)

        timeline.append((start(scope.advisory.published_on), "advisory published", "", ""))
        for u in scope.advisory.updates:
            timeline.append((start(u.published_on), f"advisory update {u.number}", "", u.title))
    for c in scope.campaigns:
        timeline.append((c.sent_at, "campaign sent", "", c.name))
        timeline.append((c.due_at, "campaign due", "", c.name))
    for assignment_id, r in revisions:
        timeline.append((r.submitted_at, "answers submitted", names[assignment_id], r.kind))
    for d in decisions:
        timeline.append((d.decided_at, "review decision", names[d.assignment_id], d.label))
    for i in incidents:
        timeline.append((i.aware_at, "we became aware", names[i.assignment_id], ""))
        if i.classified_at:
            timeline.append((i.classified_at, "classified", names[i.assignment_id], ""))
        for d in i.deadlines:
            if d.met_at:
                title = regimes.STAGES[d.stage].title
                timeline.append((d.met_at, "filed", names[i.assignment_id], title))
    timeline.sort(key=lambda t: (t[0] is None, t[0] or now))
    campaigns = [
        {
            "id": c.id,
            "name": c.name,
            "advisory": c.advisory_slug,
            "sent_at": iso(c.sent_at),
            "due_at": iso(c.due_at),
        }
        for c in scope.campaigns
    ]
    header: dict = {"generated_at": now.isoformat(), "time_zone": tz.key, "title": scope.title}
    if scope.advisory is None:
        header |= campaigns[0]
    else:
        a = scope.advisory
        header |= {
            "advisory": a.slug,
            "publisher": a.publisher,
            "published_on": _day(a.published_on),
            "updates": [
                {"number": u.number, "published_on": _day(u.published_on), "title": u.title}
                for u in a.updates
            ],
            "campaigns": campaigns,
        }
    return {
        "kind": scope.kind,
        "header": header,
        "timeline": [
            {"at": iso(at), "event": e, "vendor": v, "detail": d} for at, e, v, d in timeline
        ],
        "answers": [
            {
                "vendor": names[assignment_id],
                "revision": r.number,
                "kind": r.kind,
                "submitted_at": iso(r.submitted_at),
                "attested_by": r.attestation_name,
                "attester_title": r.attestation_title,
                "attestation_sha256": r.attestation_hash,
                "answers": r.answers,
            }
            for assignment_id, r in revisions
        ],
        "evidence": [
            [names[a], e.question_id, e.filename, e.size, e.sha256, iso(e.uploaded_at)]
            for a, e in evidence
        ],
        "decisions": [
            [names[d.assignment_id], d.label, d.note or "", iso(d.decided_at)] for d in decisions
        ],
        "findings": [
            [names[f.assignment_id or 0], f.id, f.source, f.severity, f.state, f.title]
            for f in findings
        ],
        "vendor_clocks": [
            {
                "vendor": names[i],
                "contract": contract.contractual_arrangement_reference_number if contract else None,
                "clause_hours": clock.clause_hours,
                "clause_due": iso(clock.clause_due),
                "clause_breached": clock.clause_breached,
                "due_at": iso(clock.due_at),
                "milestones": [
                    {
                        "step": m.key,
                        "at": iso(m.at),
                        "within_clause": m.within_clause,
                        "within_due": m.within_due,
                    }
                    for m in clock.milestones
                ],
            }
            for i, (clock, contract) in clocks.items()
        ],
        "regulatory_clocks": [
            {
                "vendor": names[i.assignment_id],
                "aware_at": iso(i.aware_at),
                "classified_at": iso(i.classified_at),
                "deadlines": [
                    {
                        "regime": d.regime,
                        "deadline": regimes.STAGES[d.stage].title,
                        "basis": regimes.STAGES[d.stage].basis,
                        "due_at": iso(d.due_at),
                        "state": d.state(now),
                        "met_at": iso(d.met_at),
                        "filing_reference": d.filing_reference,
                        "regime_switched_off_at": iso(d.switched_off_at),
                    }
                    for d in i.deadlines
                ],
            }
            for i in incidents
        ],
        "audit": [
            [
                iso(e.at),
                e.actor_type,
                e.actor_id,
                e.action,
                e.object_type,
                e.object_id,
                e.outcome,
            ]
            for e in audit_rows
        ],
    }


def build(scope: Scope, now: datetime) -> bytes:
    """Return the ZIP of the pack, its manifest listing every other file's SHA-256."""
    data = gather(scope, now)
    files = {
        f"{scope.kind}.json": _json(data["header"]),
        "timeline.json": _json(data["timeline"]),
        "timeline.csv": _csv(
            ["at", "event", "vendor", "detail"],
            [[t["at"], t["event"], t["vendor"], t["detail"]] for t in data["timeline"]],
        ),
        "answers.json": _json(data["answers"]),
        "evidence.csv": _csv(
            ["vendor", "question", "filename", "size", "sha256", "uploaded_at"], data["evidence"]
        ),
        "decisions.csv": _csv(["vendor", "decision", "note", "decided_at"], data["decisions"]),
        "findings.csv": _csv(
            ["vendor", "finding", "source", "severity", "state", "title"], data["findings"]
        ),
        "clocks.json": _json(
            {"vendor": data["vendor_clocks"], "regulatory": data["regulatory_clocks"]}
        ),
        "audit.csv": _csv(
            ["at", "actor_type", "actor_id", "action", "object_type", "object_id", "outcome"],
            data["audit"],
        ),
    }
    html = render_template("clocks/pack.html", d=data)
    files["summary.pdf"] = pdf.render_inline(html, timeout=PDF_TIMEOUT, max_bytes=PDF_MAX_BYTES).pdf
    manifest = "".join(
        f"{hashlib.sha256(body).hexdigest()}  {name}\n" for name, body in sorted(files.items())
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in sorted(files.items()):
            archive.writestr(name, body)
        archive.writestr("SHA256SUMS", manifest)
    return out.getvalue()
