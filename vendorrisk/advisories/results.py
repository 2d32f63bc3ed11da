"""The exposure result of each vendor for an advisory: affected, not affected or unknown, and the
rule that decided it, strongest source first (DESIGN.md, "Exposure sources"):

1. VEX: the vendor's own statement about the advisory's CVEs;
2. SBOM: a component of the vendor's current SBOM, by purl or CPE and version;
3. the product catalogue: a product the vendor uses, found by CPE, by purl with its version
   range, or by name or alias;
4. a person's record (or the vendor's own answers in a campaign for the advisory).

Everything is read in a fixed number of queries, however many vendors there are: the matching
rows are fetched by indexed key, and versions are compared in Python by univers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import load_only

from vendorrisk.extensions import db
from vendorrisk.intake.models import AdvisoryVulnerability, Sbom, SbomComponent
from vendorrisk.intake.vex import current_statements
from vendorrisk.vendors.models import OFFBOARDED, ProductIdentifier, Vendor

from .models import AdvisoryProduct
from .ranges import MAYBE, NO, YES, Verdict, judge, specs_of

VEX = "vex"
SBOM = "sbom"
BY_CPE = "cpe"
BY_PURL = "purl"
BY_NAME = "name"
PERSON = "person"
ANSWER = "answer"
RULE_LABELS = {
    VEX: "VEX",
    SBOM: "SBOM",
    BY_CPE: "CPE",
    BY_PURL: "purl + range",
    BY_NAME: "name/alias",
    PERSON: "person",
    ANSWER: "vendor's answers",
}
RULE_ORDER = (VEX, SBOM, BY_CPE, BY_PURL, BY_NAME, PERSON, ANSWER)
OUTCOME_LABELS = {YES: "Affected", NO: "Not affected", MAYBE: "Unknown"}
LAUNCH_OUTCOMES = (YES, MAYBE)


@dataclass(frozen=True)
class Result:
    """One vendor's exposure to an advisory and the rule that decided it."""

    outcome: str  # affected | not_affected | unknown
    rule: str | None
    detail: str
    justification: str | None = None
    evidence: str | None = None  # SHA-256 of the VEX document the answer comes from
    documents: tuple[int, ...] = ()  # ids of the VEX documents the answer comes from

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def rule_label(self) -> str:
        return RULE_LABELS.get(self.rule or "", "no source")


NO_SOURCE = Result(MAYBE, None, "Nothing says whether it is affected.")


def _combine(verdicts: list[Verdict]) -> Verdict:
    for outcome in (YES, MAYBE, NO):
        found = [v for v in verdicts if v.outcome == outcome]
        if found:
            return Verdict(outcome, "; ".join(dict.fromkeys(v.detail for v in found)))
    return Verdict(MAYBE, "")


def advisory_cves(advisory) -> list[str]:
    """Return the CVEs an advisory is about (its vulnerabilities and its products')."""
    cves = {c for row in advisory.products for c in row.cves or []}
    cves |= set(
        db.session.scalars(
            select(AdvisoryVulnerability.cve).where(
                AdvisoryVulnerability.advisory_id == advisory.id,
                AdvisoryVulnerability.cve.is_not(None),
            )
        )
    )
    return sorted(cves)


def vex_results(
    advisory, cves: list[str] | None = None, vendor_ids: list[int] | None = None
) -> dict[int, Result]:
    """Decide by the vendors' VEX statements about the advisory's CVEs (one query; only
    `vendor_ids`' statements when given)."""
    cves = advisory_cves(advisory) if cves is None else cves
    found: dict[int, Result] = {}
    for vendor_id, statements in current_statements(cves, vendor_ids).items():
        by_status: dict[str, list] = {}
        for item in statements:
            by_status.setdefault(item.statement.status, []).append(item)
        evidence = ", ".join(dict.fromkeys(i.document.sha256 for i in statements))
        documents = tuple(dict.fromkeys(i.document.id for i in statements))

        def said(items) -> str:
            return "; ".join(
                f"{i.statement.cve} {i.statement.status_label.lower()} for {i.statement.product}"
                for i in items
            )

        if "affected" in by_status:
            found[vendor_id] = Result(
                YES,
                VEX,
                "VEX: " + said(by_status["affected"]),
                evidence=evidence,
                documents=documents,
            )
        elif "under_investigation" in by_status:
            found[vendor_id] = Result(
                MAYBE,
                VEX,
                "VEX: " + said(by_status["under_investigation"]),
                evidence=evidence,
                documents=documents,
            )
        elif {i.statement.cve for i in statements} >= set(cves):
            reasons = [
                i.statement.justification or i.statement.detail
                for i in by_status.get("not_affected", [])
            ]
            found[vendor_id] = Result(
                NO,
                VEX,
                "VEX: " + said(statements),
                justification="; ".join(dict.fromkeys(r for r in reasons if r)) or None,
                evidence=evidence,
                documents=documents,
            )
    return found


def _keys(products: Iterable[AdvisoryProduct]) -> dict[str, list[AdvisoryProduct]]:
    """Return each purl and CPE key the advisory's products carry (their own or the
    catalogue's), with the products that carry it (one query)."""
    found: dict[str, list[AdvisoryProduct]] = {}
    by_product: dict[int, AdvisoryProduct] = {}
    for row in products:
        by_product[row.product_id] = row
        for item in row.identifiers or []:
            found.setdefault(item["key"], []).append(row)
    if by_product:
        for product_id, key in db.session.execute(
            select(ProductIdentifier.product_id, ProductIdentifier.key).where(
                ProductIdentifier.product_id.in_(list(by_product))
            )
        ):
            rows = found.setdefault(key, [])
            if by_product[product_id] not in rows:
                rows.append(by_product[product_id])
    return found


def sbom_results(advisory) -> dict[int, Result]:
    """Decide by the components of the vendors' current SBOMs (one query for all vendors)."""
    keys = _keys(advisory.products)
    if not keys:
        return {}
    columns = (
        SbomComponent.vendor_id,
        SbomComponent.name,
        SbomComponent.version,
        SbomComponent.purl_key,
        SbomComponent.cpe_key,
        SbomComponent.scheme,
        Sbom.subject,
    )
    rows: list = []
    # One indexed look-up per kind of key (an OR of the two would scan every component).
    for column, prefix in ((SbomComponent.purl_key, "pkg:"), (SbomComponent.cpe_key, "cpe:")):
        wanted = [k for k in keys if k.startswith(prefix)]
        if wanted:
            rows += db.session.execute(
                select(*columns)
                .join(Sbom, Sbom.id == SbomComponent.sbom_id)
                .join(Vendor, Vendor.id == SbomComponent.vendor_id)
                .where(
                    column.in_(wanted),
                    Sbom.replaced_at.is_(None),
                    Vendor.status != OFFBOARDED,
                )
            ).all()
    verdicts: dict[int, list[Verdict]] = {}
    specs = {id(p): specs_of(p) for rows_ in keys.values() for p in rows_}
    judged: dict[tuple, Verdict] = {}  # the same version of the same product, judged once
    for vendor_id, name, version, purl_key, cpe_key, scheme, subject in rows:
        for key in (purl_key, cpe_key):
            for product in keys.get(key or "", []):
                pair = (id(product), version, scheme)
                verdict = judged.get(pair)
                if verdict is None:
                    verdict = judged[pair] = judge(specs[id(product)], version, scheme)
                where = f"{name} {version or '(no version)'} in the SBOM of {subject}"
                verdicts.setdefault(vendor_id, []).append(
                    Verdict(verdict.outcome, f"{where}: {verdict.detail}")
                )
    found = {}
    for vendor_id, items in verdicts.items():
        combined = _combine(items)
        found[vendor_id] = Result(combined.outcome, SBOM, combined.detail)
    return found


def catalogue_result(matches) -> Result | None:
    """Decide by the catalogue products a vendor uses (the advisory page's product matches)."""
    if not matches:
        return None
    rank = {BY_CPE: 0, BY_PURL: 1, BY_NAME: 2}
    rules = [m.affected.matched_by if m.affected.matched_by in rank else BY_NAME for m in matches]
    rule = min(rules, key=lambda r: rank[r])
    verdict = _combine(
        [
            Verdict(m.verdict.outcome, f"{m.describe()}: {m.verdict.detail}")
            for m in matches
            if m.verdict is not None
        ]
    )
    return Result(verdict.outcome, rule, verdict.detail)


def person_result(state: str, how: str, reason: str | None) -> Result:
    """Read a person's record (or the vendor's answers) as a result."""
    from .models import CONFIRMED, RULED_OUT, SUSPECTED

    outcome = {CONFIRMED: YES, SUSPECTED: YES, RULED_OUT: NO}.get(state, MAYBE)
    rule = ANSWER if how == ANSWER else PERSON
    return Result(outcome, rule, reason or "", justification=reason if outcome == NO else None)


def machine_results(advisory) -> tuple[dict[int, Result], dict[int, Result]]:
    """Return the VEX and SBOM results, per vendor id."""
    return vex_results(advisory), sbom_results(advisory)


def vendors_by_id(ids: Iterable[int]) -> dict[int, Vendor]:
    """Load vendors by id in one query."""
    wanted = list(ids)
    if not wanted:
        return {}
    query = (
        select(Vendor)
        .where(Vendor.id.in_(wanted))
        .options(
            load_only(
                Vendor.id,
                Vendor.name,
                Vendor.name_key,
                Vendor.status,
                Vendor.risk_tier,
                Vendor.criticality,
                Vendor.data_access,
            )
        )
    )
    return {v.id: v for v in db.session.scalars(query)}
