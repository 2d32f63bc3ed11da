"""The machine-readable record a report carries: answers, effective scores, findings, evidence.

Reports are kept for years and read by auditors, who may want to check figures by machine. Each
PDF embeds this record as JSON attachments (PDF/A-3 associated files) plus a manifest of their
SHA-256 values; `flask reports verify` recomputes them. The scores are the effective results of
`vendorrisk.review.effective` in the very shape `/api/v1/assignments/<id>/result` answers, so an
auditor can compare the two byte for byte.

For any number of assignments the record is gathered in a fixed number of queries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from vendorrisk.campaigns.models import Assignment, Campaign, Revision
from vendorrisk.core.timeutil import iso
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.review import effective
from vendorrisk.review.effective import EffectiveResult
from vendorrisk.review.models import Finding

FORMAT = "vendorrisk-record/1"
MANIFEST = "manifest.json"
# name -> (what it holds, for the attachment's description)
FILES = {
    "answers.json": "Submitted answers of each assessment's latest revision, with attestation",
    "scores.json": "Effective results (computed score with reviewer overrides applied)",
    "findings.json": "Findings with their state, remediation plan and risk acceptance",
    "evidence.json": "Evidence manifest: file names, sizes and SHA-256 values",
}


def result_json(assignment: Assignment, revision: Revision, result: EffectiveResult) -> dict:
    """Return an assignment's effective result as the API and the embedded record show it."""
    return {
        "assignment_id": assignment.id,
        "vendor_id": assignment.vendor_id,
        "campaign_id": assignment.campaign_id,
        "revision": revision.number,
        "submitted_at": iso(revision.submitted_at),
        "late": revision.late,
        **result.to_json(),
    }


def finding_json(finding: Finding) -> dict:
    """Return a finding with its state, plan, closure and risk acceptance, for the record."""
    accepted = finding.acceptance_by_id is not None and finding.state == "risk_accepted"
    return {
        **finding.facts(),
        "plan": (
            {
                "owner": finding.plan_owner,
                "date": iso(finding.plan_date),
                "text": finding.plan_text,
            }
            if finding.plan_date or finding.plan_owner or finding.plan_text
            else None
        ),
        "closed_by": finding.closed_by.name if finding.closed_by else None,
        "acceptance": (
            {
                "by": finding.acceptance_by.name if finding.acceptance_by else None,
                "reason": finding.acceptance_reason,
                "expires_on": iso(finding.acceptance_expires_on),
            }
            if accepted
            else None
        ),
    }


@dataclass
class Entry:
    """One assessment in the record: its latest submitted revision, result and findings."""

    assignment: Assignment
    revision: Revision | None
    result: EffectiveResult | None
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Record:
    """What a report embeds, gathered once and serialised as the attached JSON files."""

    entries: list[Entry]

    def answers(self) -> list[dict]:
        """Return each assessment's latest submitted answers with their attestation."""
        rows = []
        for e in self.entries:
            a, r = e.assignment, e.revision
            version = a.campaign.template_version
            rows.append(
                {
                    "assignment_id": a.id,
                    "vendor_id": a.vendor_id,
                    "vendor": a.vendor.name,
                    "campaign_id": a.campaign_id,
                    "campaign": a.campaign.name,
                    "template": version.template.slug,
                    "template_version": version.number,
                    "response_state": a.response_state,
                    "review_state": a.review_state,
                    "revision": r.number if r else None,
                    "submitted_at": iso(r.submitted_at) if r else None,
                    "attested_by": r.attestation_name if r else None,
                    "attester_title": r.attestation_title if r else None,
                    "attestation_sha256": r.attestation_hash if r else None,
                    "answers": (r.answers or {}) if r else {},
                }
            )
        return rows

    def scores(self) -> list[dict]:
        """Return the effective results, each exactly as the API's result endpoint gives it."""
        return [
            result_json(e.assignment, e.revision, e.result)
            for e in self.entries
            if e.revision is not None and e.result is not None
        ]

    def findings(self) -> list[dict]:
        """Return every finding of the assessments in the record."""
        return [finding_json(f) for e in self.entries for f in e.findings]

    def evidence(self) -> list[dict]:
        """Return the evidence manifest of each latest submitted revision."""
        return [
            {"assignment_id": e.assignment.id, "revision": e.revision.number, **item}
            for e in self.entries
            if e.revision is not None
            for item in e.revision.evidence_index or []
        ]

    def results(self) -> dict[int, EffectiveResult]:
        """Return the effective result of each assessment that has one, by assignment id."""
        return {e.assignment.id: e.result for e in self.entries if e.result is not None}

    def files(self) -> dict[str, bytes]:
        """Return the JSON files to attach, by name (the manifest is made by `manifest`)."""
        writer = RecordWriter()
        writer.add(self)
        return writer.files()


class RecordWriter:
    """Writes the record's JSON files one gathered part at a time.

    A large campaign's record is gathered a chunk of assessments at a time: each chunk is added
    here and then dropped, so besides the serialised files only one chunk's answers, revisions
    and results are in memory. The files are the same bytes `dump` makes of the whole lists.
    """

    def __init__(self) -> None:
        self._items: dict[str, list[bytes]] = {name: [] for name in FILES}

    def add(self, part: Record) -> None:
        """Serialise one gathered part's answers, scores, findings and evidence."""
        for name, rows in (
            ("answers.json", part.answers()),
            ("scores.json", part.scores()),
            ("findings.json", part.findings()),
            ("evidence.json", part.evidence()),
        ):
            self._items[name].extend(dump(row) for row in rows)

    def files(self) -> dict[str, bytes]:
        """Return the JSON files, by name: each a JSON array of the items added, in order."""
        return {name: b"[" + b",".join(items) + b"]" for name, items in self._items.items()}


def dump(value: Any) -> bytes:
    """Serialise JSON the way the record stores it (UTF-8, sorted keys, no spaces).

    Compact, so Python's C encoder does the work: a 1,000-vendor record is tens of megabytes.
    """
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def sha256(data: bytes) -> str:
    """Return the hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def manifest(files: dict[str, bytes], *, document_id: str, kind: str, subject: dict) -> bytes:
    """Return the manifest naming each attached file with its size and SHA-256."""
    return dump(
        {
            "format": FORMAT,
            "document_id": document_id,
            "kind": kind,
            "subject": subject,
            "files": [
                {"name": name, "size": len(body), "sha256": sha256(body)}
                for name, body in sorted(files.items())
            ],
        }
    )


def gather(assignments: Sequence[Assignment]) -> Record:
    """Gather the record of these assignments (vendor and campaign loaded) in fixed queries."""
    ids = [a.id for a in assignments]
    latest = effective.latest_revisions(assignments)
    # The answers column is deferred on revisions: load it for all of them in one query.
    db.session.scalars(
        select(Revision)
        .where(Revision.id.in_([r.id for r in latest.values()] or [-1]))
        .options(undefer(Revision.answers))
        .execution_options(populate_existing=True)
    ).all()
    results = effective.for_revisions(latest.values())
    by_assignment: dict[int, list[Finding]] = {}
    for finding in db.session.scalars(
        select(Finding)
        .where(Finding.assignment_id.in_(ids or [-1]))
        .options(selectinload(Finding.acceptance_by), selectinload(Finding.closed_by))
        .order_by(Finding.id)
    ):
        by_assignment.setdefault(finding.assignment_id or 0, []).append(finding)
    entries = []
    for assignment in assignments:
        revision = latest.get(assignment.id)
        entries.append(
            Entry(
                assignment,
                revision,
                results.get(revision.id) if revision is not None else None,
                by_assignment.get(assignment.id, []),
            )
        )
    return Record(entries)


def _with_context(query):
    return query.options(
        selectinload(Assignment.vendor),
        selectinload(Assignment.campaign)
        .selectinload(Campaign.template_version)
        .selectinload(TemplateVersion.template),
    ).order_by(Assignment.id)


def campaign_assignments(campaign: Campaign) -> list[Assignment]:
    """Return a campaign's assignments with what the record needs, in a fixed number of queries."""
    return list(
        db.session.scalars(
            _with_context(select(Assignment).where(Assignment.campaign_id == campaign.id))
        )
    )


def vendor_assignments(vendor_id: int) -> list[Assignment]:
    """Return a vendor's assignments with what the record needs, in a fixed number of queries."""
    return list(
        db.session.scalars(
            _with_context(select(Assignment).where(Assignment.vendor_id == vendor_id))
        )
    )
