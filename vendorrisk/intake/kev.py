"""Importing the CISA Known Exploited Vulnerabilities (KEV) catalogue.

An entry whose vendor and product name a catalogue product (by supplier and name or alias)
becomes a draft advisory, one per CVE, flagged with the number of vendors using the product.
A CVE that already has an advisory (this import's own, or any other that lists the CVE) is
left alone, so running the import again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.advisories import services as advisories
from vendorrisk.advisories.document import URL_RE, AdvisoryDocument
from vendorrisk.advisories.models import Advisory
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.vendors.matching import normalise_name
from vendorrisk.vendors.models import OFFBOARDED, Product, ProductUse, Vendor

from .csaf_import import free_slug, replace_vulnerabilities
from .jsonfile import IntakeError, LoadedJson, Problem, json_path
from .models import KEV, AdvisorySource, AdvisoryVulnerability

PUBLISHER = "CISA Known Exploited Vulnerabilities catalog"
_DAY = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_TEXT = {"type": "string"}
SCHEMA = {
    "type": "object",
    "required": ["catalogVersion", "dateReleased", "vulnerabilities"],
    "properties": {
        "catalogVersion": _TEXT,
        "dateReleased": _TEXT,
        "vulnerabilities": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "cveID",
                    "vendorProject",
                    "product",
                    "vulnerabilityName",
                    "dateAdded",
                    "shortDescription",
                    "requiredAction",
                    "dueDate",
                ],
                "properties": {
                    "cveID": {"type": "string", "pattern": r"^CVE-\d{4}-\d{4,}$"},
                    "vendorProject": {"type": "string", "minLength": 1},
                    "product": {"type": "string", "minLength": 1},
                    "vulnerabilityName": {"type": "string", "minLength": 1},
                    "dateAdded": _DAY,
                    "shortDescription": _TEXT,
                    "requiredAction": _TEXT,
                    "dueDate": _DAY,
                    "knownRansomwareCampaignUse": _TEXT,
                    "notes": _TEXT,
                },
            },
        },
    },
}
_URL = re.compile(r"https?://[^\s;<>\"']+")


@dataclass
class KevReport:
    """What a KEV import did."""

    file: str
    version: str
    created: list[tuple[str, str, int]] = field(default_factory=list)  # (cve, slug, vendors)
    unchanged: int = 0
    already: list[str] = field(default_factory=list)
    unmatched: int = 0

    def lines(self) -> list[str]:
        """Return the report as lines for the CLI."""
        out = [
            f"{cve}: {slug} created as a draft, matches {n} vendor(s)"
            for cve, slug, n in self.created
        ]
        out += [f"{cve}: already in the advisory library" for cve in self.already]
        out.append(
            f"{self.file}: catalogue {self.version}: {len(self.created)} draft(s) created, "
            f"{self.unchanged} unchanged, {len(self.already)} already in the library, "
            f"{self.unmatched} entries matching no catalogue product"
        )
        return out


def _check(loaded: LoadedJson) -> dict:
    from jsonschema import Draft202012Validator

    errors = sorted(
        Draft202012Validator(SCHEMA).iter_errors(loaded.data),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        raise IntakeError(
            [Problem(loaded.file, json_path(e.absolute_path), e.message[:300]) for e in errors[:20]]
        )
    data: dict = loaded.data  # type: ignore[assignment]
    problems = []
    for i, entry in enumerate(data["vulnerabilities"]):
        for key in ("dateAdded", "dueDate"):
            try:
                date.fromisoformat(entry[key])
            except ValueError:
                problems.append(
                    Problem(
                        loaded.file,
                        json_path(["vulnerabilities", i, key]),
                        f"'{entry[key]}' is not a date",
                    )
                )
    if problems:
        raise IntakeError(problems)
    return data


def _catalogue() -> dict[tuple[str, str], list[Product]]:
    found: dict[tuple[str, str], list[Product]] = {}
    products = db.session.scalars(
        select(Product).options(
            selectinload(Product.aliases), selectinload(Product.supplier_vendor)
        )
    ).all()
    for product in products:
        suppliers = {normalise_name(product.supplier)}
        if product.supplier_vendor is not None:
            suppliers.add(normalise_name(product.supplier_vendor.name))
        for supplier in suppliers:
            for name in (product.name_key, *(a.name_key for a in product.aliases)):
                found.setdefault((supplier, name), []).append(product)
    return found


def _vendors_by_product() -> dict[int, set[int]]:
    users: dict[int, set[int]] = {}
    for product_id, vendor_id in db.session.execute(
        select(ProductUse.product_id, ProductUse.vendor_id)
        .join(Vendor, Vendor.id == ProductUse.vendor_id)
        .where(Vendor.status != OFFBOARDED)
    ):
        users.setdefault(product_id, set()).add(vendor_id)
    return users


def _document(entry: dict, slug: str) -> AdvisoryDocument:
    ransomware = entry.get("knownRansomwareCampaignUse") or "Unknown"
    body = (
        f"**Required action:** {entry['requiredAction']}\n\n"
        f"**Due date for US federal agencies:** {entry['dueDate']}\n\n"
        f"**Known ransomware campaign use:** {ransomware}"
    )
    if entry.get("notes"):
        body += f"\n\n**Notes:** {entry['notes']}"
    references = [
        {"title": url[:300], "url": url}
        for url in dict.fromkeys(_URL.findall(entry.get("notes") or ""))
        if URL_RE.match(url)
    ]
    return AdvisoryDocument.model_validate(
        {
            "slug": slug,
            "title": f"{entry['cveID']}: {entry['vulnerabilityName']}"[:300],
            "publisher": PUBLISHER,
            "published": date.fromisoformat(entry["dateAdded"]),
            "severity": "high",
            "summary": (entry["shortDescription"] or entry["vulnerabilityName"])[:5000],
            "body": body,
            "key_dates": [
                {
                    "name": "kev_date_added",
                    "label": "Added to the KEV catalog",
                    "date": date.fromisoformat(entry["dateAdded"]),
                },
                {
                    "name": "kev_due_date",
                    "label": "Due date for US federal agencies",
                    "date": date.fromisoformat(entry["dueDate"]),
                },
            ],
            "references": references,
        }
    )


def _released(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def import_kev(loaded: LoadedJson, actor=None) -> KevReport:
    """Import a KEV catalogue file (flushes, never commits); raise IntakeError if it is bad."""
    data = _check(loaded)
    report = KevReport(loaded.file, data["catalogVersion"])
    catalogue = _catalogue()
    users = _vendors_by_product()
    sources = set(
        db.session.scalars(select(AdvisorySource.key).where(AdvisorySource.kind == KEV)).all()
    )
    listed = set(
        db.session.scalars(
            select(AdvisoryVulnerability.cve).where(AdvisoryVulnerability.cve.is_not(None))
        ).all()
    )
    seen: set[str] = set()
    for entry in data["vulnerabilities"]:
        cve = entry["cveID"]
        key = (normalise_name(entry["vendorProject"]), normalise_name(entry["product"]))
        products = catalogue.get(key, [])
        if not products:
            report.unmatched += 1
            continue
        if cve in sources or cve in seen:
            report.unchanged += 1
            continue
        if cve in listed:
            report.already.append(cve)
            continue
        seen.add(cve)
        vendors = set().union(*(users.get(p.id, set()) for p in products))
        advisory = _create(entry, products, len(vendors), data, loaded.sha256, actor)
        report.created.append((cve, advisory.slug, len(vendors)))
    return report


def _create(
    entry: dict, products: list[Product], vendors: int, data: dict, sha256: str, actor
) -> Advisory:
    cve = entry["cveID"]
    slug = free_slug(cve, "kev")
    advisory, _ = advisories.save_document(
        None,
        _document(entry, slug),
        [advisories.ProductChoice(p) for p in products],
        source=KEV,
        actor=actor,
    )
    for row in advisory.products:
        row.matched_by, row.cves = "name", [cve]
    replace_vulnerabilities(
        advisory,
        [
            AdvisoryVulnerability(
                position=0,
                cve=cve,
                title=entry["vulnerabilityName"][:500],
                scores=[],
                remediations=[
                    {
                        "category": "required_action",
                        "details": entry["requiredAction"],
                        "url": None,
                        "products": [p.name for p in products],
                    }
                ],
                references=[],
                product_status={"known_affected": [p.name for p in products]},
                notes=entry.get("shortDescription") or "",
                kev={
                    "vendor_project": entry["vendorProject"],
                    "product": entry["product"],
                    "date_added": entry["dateAdded"],
                    "due_date": entry["dueDate"],
                    "required_action": entry["requiredAction"],
                    "ransomware": entry.get("knownRansomwareCampaignUse") or "Unknown",
                    "notes": entry.get("notes") or "",
                },
            )
        ],
    )
    db.session.add(
        AdvisorySource(
            advisory=advisory,
            advisory_id=advisory.id,
            kind=KEV,
            key=cve,
            revision=str(data["catalogVersion"])[:100],
            revision_date=_released(str(data["dateReleased"])),
            revisions=[],
            sha256=sha256,
            matched_vendors=vendors,
            draft=True,
            imported_by_id=actor.id if actor else None,
            imported_at=utcnow(),
        )
    )
    db.session.flush()
    audit.record(
        "advisory.imported",
        "advisory",
        advisory.id,
        details={"source": KEV, "cve": cve, "catalog": str(data["catalogVersion"])[:100]},
        actor_id=actor.id if actor else None,
    )
    return advisory
