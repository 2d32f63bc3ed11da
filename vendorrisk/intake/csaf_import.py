"""Importing a CSAF 2.0 document as a draft advisory, and newer revisions as updates.

A document is one advisory, known by its publisher's namespace and its tracking id. The first
import creates a draft (a second person publishes it); a newer revision of the same document
brings the advisory in line with it and adds each new revision of its history as a dated
update; the same revision again changes nothing; an older one is refused. The caller commits
once per document, so a document is imported whole or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from vendorrisk.advisories import services as advisories
from vendorrisk.advisories.document import MAX_MARKDOWN, URL_RE, AdvisoryDocument, Update
from vendorrisk.advisories.models import Advisory
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.vendors.models import Product

from .catalogue import Resolver
from .csaf import STATUS_MAP, CsafDocument, CsafProduct, day, read_csaf
from .jsonfile import IntakeError, LoadedJson, Problem
from .models import CSAF, AdvisorySource, AdvisoryVulnerability

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"


@dataclass
class ImportReport:
    """What one import did."""

    file: str
    advisory: Advisory
    outcome: str
    revision: str
    updates: list[int] = field(default_factory=list)
    products_created: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.file}: {self.advisory.slug} {self.outcome} (revision {self.revision})"
        if self.updates:
            text += f", update(s) {', '.join(map(str, self.updates))} added"
        if self.products_created:
            text += f"; catalogue: {', '.join(self.products_created)} added"
        return text


def source_for(kind: str, key: str) -> AdvisorySource | None:
    """Return the source row of an imported advisory, if that document was imported."""
    return db.session.scalar(
        select(AdvisorySource).where(AdvisorySource.kind == kind, AdvisorySource.key == key)
    )


def free_slug(text: str, prefix: str = "") -> str:
    """Return an unused advisory slug made from a document's id."""
    words = re.findall(r"[a-z0-9]+", f"{prefix} {text}".lower())
    base = "-".join(words)[:100].strip("-") or "advisory"
    taken = set(
        db.session.scalars(select(Advisory.slug).where(Advisory.slug.like(f"{base}%"))).all()
    )
    slug, n = base, 2
    while slug in taken or slug in ("new", "feed", "import"):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _summary_and_body(doc: CsafDocument) -> tuple[str, str]:
    summary = next((t for c, _, t in doc.notes if c == "summary"), None)
    summary = summary or next((t for c, _, t in doc.notes if c == "description"), None)
    summary = (summary or doc.title)[:5000]
    parts = []
    for _category, title, text in doc.notes:
        if text == summary:
            continue
        parts.append(f"### {title}\n\n{text}" if title else text)
    body = "\n\n".join(parts)
    if len(body) > MAX_MARKDOWN:
        body = body[: MAX_MARKDOWN - 60] + "\n\n(The document's notes continue in the source.)"
    return summary, body


def _advisory_document(doc: CsafDocument, slug: str) -> AdvisoryDocument:
    summary, body = _summary_and_body(doc)
    key_dates = [
        {
            "name": "initial_release",
            "label": f"{doc.tracking_id} first published"[:300],
            "date": day(doc.initial_release),
        }
    ]
    if day(doc.current_release) != day(doc.initial_release):
        key_dates.append(
            {
                "name": "current_release",
                "label": f"{doc.tracking_id} revision {doc.version}"[:300],
                "date": day(doc.current_release),
            }
        )
    return AdvisoryDocument.model_validate(
        {
            "slug": slug,
            "title": doc.title[:300],
            "publisher": doc.publisher[:200],
            "published": day(doc.initial_release),
            "severity": doc.severity(),
            "summary": summary or doc.title[:300],
            "body": body,
            "key_dates": key_dates,
            "references": [r for r in doc.references if URL_RE.match(r["url"])],
        }
    )


@dataclass
class _Entry:
    product: Product
    matched_by: str
    specs: list[dict] = field(default_factory=list)
    identifiers: list[dict] = field(default_factory=list)
    cves: set[str] = field(default_factory=set)

    def add_spec(self, spec: dict) -> None:
        if spec not in self.specs:
            self.specs.append(spec)

    def add_identifier(self, product: CsafProduct) -> None:
        for ident in (product.cpe, product.purl):
            if ident is None:
                continue
            item = {
                "kind": ident.kind,
                "value": ident.key,
                "key": ident.key,
                "scheme": ident.scheme,
            }
            if item not in self.identifiers:
                self.identifiers.append(item)


def resolve_entries(doc: CsafDocument, resolver: Resolver) -> list[_Entry]:
    """Group the products the vulnerabilities name by catalogue product, with their specs."""
    entries: dict[int, _Entry] = {}
    for vuln in doc.vulnerabilities:
        for status, refs in vuln.product_status.items():
            for ref in refs:
                product = doc.products[ref]
                identifiers = [i for i in (product.cpe, product.purl) if i is not None]
                catalogue_product, how = resolver.resolve(
                    product.vendor or doc.publisher, product.product_name, identifiers
                )
                entry = entries.setdefault(catalogue_product.id, _Entry(catalogue_product, how))
                entry.add_spec(product.spec(STATUS_MAP[status]))
                entry.add_identifier(product)
                if vuln.cve:
                    entry.cves.add(vuln.cve)
    return list(entries.values())


def set_entries(advisory: Advisory, entries: list[_Entry]) -> None:
    """Give the advisory's product rows their specs, identifiers, CVEs and how they matched."""
    rows = {row.product_id: row for row in advisory.products}
    for entry in entries:
        row = rows[entry.product.id]
        row.ranges = entry.specs
        row.identifiers = entry.identifiers
        row.matched_by = entry.matched_by
        row.cves = sorted(entry.cves)
    db.session.flush()


def replace_vulnerabilities(advisory: Advisory, rows: list[AdvisoryVulnerability]) -> None:
    """Replace the vulnerabilities an imported advisory describes."""
    db.session.execute(
        delete(AdvisoryVulnerability).where(AdvisoryVulnerability.advisory_id == advisory.id)
    )
    for row in rows:
        row.advisory_id = advisory.id
        db.session.add(row)
    db.session.flush()


def _vulnerability_rows(doc: CsafDocument) -> list[AdvisoryVulnerability]:
    return [
        AdvisoryVulnerability(
            position=v.position,
            cve=(v.cve or "")[:40] or None,
            title=(v.title or "")[:500] or None,
            cwe=(v.cwe or "")[:300] or None,
            scores=v.scores,
            max_score=v.max_score,
            remediations=v.remediations,
            references=v.references,
            product_status={
                status: sorted({doc.products[r].name for r in refs})
                for status, refs in v.product_status.items()
            },
            notes=v.notes,
        )
        for v in doc.vulnerabilities
    ]


def _append_revisions(advisory: Advisory, doc: CsafDocument, known: list[str], actor) -> list[int]:
    added = []
    for revision in sorted(doc.revisions, key=lambda r: r.date):
        if revision.number in known:
            continue
        update = Update.model_validate(
            {
                "date": day(revision.date),
                "title": f"Revision {revision.number}"[:300],
                "body": revision.summary[:MAX_MARKDOWN],
            }
        )
        row = advisories.append_update(advisory, update, source=CSAF, actor=actor)
        added.append(row.number)
        known.append(revision.number)
    return added


def import_csaf(loaded: LoadedJson, actor=None) -> ImportReport:
    """Import one CSAF document (flushes, never commits); raise IntakeError if it is refused."""
    doc = read_csaf(loaded)
    if len(doc.key) > 500:
        raise IntakeError(
            [Problem(doc.file, "$.document.publisher.namespace", "the namespace is too long")]
        )
    source = source_for(CSAF, doc.key)
    if source is not None:
        if source.sha256 == doc.sha256 or (
            source.revision == doc.version and source.revision_date == doc.current_release
        ):
            return ImportReport(doc.file, source.advisory, UNCHANGED, doc.version)
        if source.revision_date is not None and doc.current_release < source.revision_date:
            raise IntakeError(
                [
                    Problem(
                        doc.file,
                        "$.document.tracking.current_release_date",
                        f"revision {doc.version} ({doc.current_release:%Y-%m-%d}) is older than "
                        f"revision {source.revision} already imported into "
                        f"{source.advisory.slug}",
                    )
                ]
            )
    resolver = Resolver()
    entries = resolve_entries(doc, resolver)
    choices = [advisories.ProductChoice(e.product) for e in entries]
    slug = source.advisory.slug if source else free_slug(doc.tracking_id)
    advisory, _ = advisories.save_document(
        source.advisory if source else None,
        _advisory_document(doc, slug),
        choices,
        source=CSAF,
        actor=actor,
    )
    set_entries(advisory, entries)
    replace_vulnerabilities(advisory, _vulnerability_rows(doc))
    outcome = UPDATED if source is not None else CREATED
    values = {
        "category": doc.category[:200],
        "revision": doc.version[:100],
        "revision_date": doc.current_release,
        "sha256": doc.sha256,
        "filename": doc.file[-255:],
    }
    if source is None:
        source = AdvisorySource(
            advisory=advisory,
            advisory_id=advisory.id,
            kind=CSAF,
            key=doc.key,
            revisions=[],
            draft=True,
            imported_by_id=actor.id if actor else None,
            imported_at=utcnow(),
            **values,
        )
        db.session.add(source)
    else:
        for name, value in values.items():
            setattr(source, name, value)
    known = list(source.revisions or [])
    added = _append_revisions(advisory, doc, known, actor)
    source.revisions = known
    db.session.flush()
    audit.record(
        "advisory.imported",
        "advisory",
        advisory.id,
        details={
            "source": CSAF,
            "document": doc.key[:300],
            "revision": doc.version,
            "sha256": doc.sha256,
            "outcome": outcome,
        },
        actor_id=actor.id if actor else None,
    )
    return ImportReport(doc.file, advisory, outcome, doc.version, added, resolver.created)
