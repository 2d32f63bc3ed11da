"""Read a CSAF 2.0 document: validate it against the CSAF JSON schema (shipped, read offline),
then turn it into what an advisory needs. Nothing here touches the database.

Any document category is read as the base profile (vendors publish their own categories). The
product tree is walked branch by branch: the vendor, product name, version or version range
above a product give its identity, its CPE and purl come from its identification helper, and a
relationship ("installed on", "default component of", ...) names a product that is its
component wherever it is installed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT7, DRAFT202012

from vendorrisk.vendors.identifiers import Identifier, IdentifierError, parse_cpe, parse_purl
from vendorrisk.vendors.versions import RangeError, parse_range

from .jsonfile import IntakeError, LoadedJson, Problem, json_path

# jsonschema is imported where a document is checked, so starting the app does not load it.
if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

MAX_SCHEMA_PROBLEMS = 20
CVSS_SCHEMAS = (
    ("cvss-v2.0.json", "https://www.first.org/cvss/cvss-v2.0.json", DRAFT4),
    ("cvss-v3.0.json", "https://www.first.org/cvss/cvss-v3.0.json", DRAFT4),
    ("cvss-v3.1.json", "https://www.first.org/cvss/cvss-v3.1.json", DRAFT7),
)
# CSAF product statuses, read as the status of a version of a product.
STATUS_MAP = {
    "known_affected": "affected",
    "first_affected": "affected",
    "last_affected": "affected",
    "fixed": "fixed",
    "first_fixed": "fixed",
    "known_not_affected": "not_affected",
    "recommended": "not_affected",
    "under_investigation": "under_investigation",
}
SEVERITY_WORDS = {
    "critical": "critical",
    "high": "high",
    "important": "high",
    "moderate": "medium",
    "medium": "medium",
    "low": "low",
}


def _schema_text(name: str) -> str:
    return (resources.files("vendorrisk.intake") / "schemas" / name).read_text("utf-8")


@cache
def validator() -> Draft202012Validator:
    """Return the CSAF 2.0 validator, its CVSS schemas registered locally (no network)."""
    from jsonschema import Draft202012Validator

    pairs = []
    for name, uri, spec in CVSS_SCHEMAS:
        contents = json.loads(_schema_text(name))
        resource = spec.create_resource(contents)
        pairs.append((uri, resource))
        own = contents.get("$id") or contents.get("id")
        if own and own != uri:
            pairs.append((own, resource))
    schema = json.loads(_schema_text("csaf_json_schema.json"))
    registry = Registry().with_resources(pairs)
    registry = registry.with_resource(schema["$id"], DRAFT202012.create_resource(schema))
    return Draft202012Validator(schema, registry=registry)


def _reason(error: ValidationError) -> str:
    from jsonschema.exceptions import best_match

    chosen = error
    if error.context:
        # Of a oneOf/anyOf, the branch that came closest (fewest errors) says what is wrong.
        branches: dict = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        closest = min(branches.values(), key=len)
        chosen = best_match(closest) or error
    where = json_path(chosen.absolute_path)
    message = chosen.message if chosen is error else f"{where}: {chosen.message}"
    if len(message) > 300:
        message = message[:299] + "…"
    return message


def schema_problems(file: str, data: object) -> list[Problem]:
    """Return where a document breaks the CSAF 2.0 schema (first problems first)."""
    errors = sorted(validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [
        Problem(file, json_path(e.absolute_path), _reason(e)) for e in errors[:MAX_SCHEMA_PROBLEMS]
    ]


@dataclass
class CsafProduct:
    """One product of the product tree: who makes it, what it is, which version(s)."""

    ref: str
    name: str
    vendor: str | None
    product_name: str
    version: str | None = None
    range: str | None = None
    cpe: Identifier | None = None
    purl: Identifier | None = None

    @property
    def identifier(self) -> Identifier | None:
        return self.cpe or self.purl

    def spec(self, status: str) -> dict:
        """Return the spec this product gives a status: a range, a version, or every version."""
        spec: dict = {"status": status}
        if self.range:
            spec["vers"] = self.range
        elif self.version:
            spec["version"] = self.version
        return spec


@dataclass
class CsafVulnerability:
    position: int
    cve: str | None
    title: str | None
    cwe: str | None
    scores: list[dict]
    max_score: float | None
    remediations: list[dict]
    references: list[dict]
    product_status: dict[str, list[str]]
    notes: str
    flags: list[dict] = field(default_factory=list)  # [{"label", "refs"}]
    impacts: dict[str, str] = field(default_factory=dict)  # product ref -> impact statement


@dataclass
class Revision:
    number: str
    date: datetime
    summary: str


@dataclass
class CsafDocument:
    """What the import takes from a CSAF document."""

    file: str
    sha256: str
    tracking_id: str
    version: str
    status: str
    category: str
    title: str
    publisher: str
    namespace: str
    initial_release: datetime
    current_release: datetime
    revisions: list[Revision]
    notes: list[tuple[str, str, str]]  # (category, title, text)
    references: list[dict]
    aggregate_severity: str | None
    products: dict[str, CsafProduct]
    vulnerabilities: list[CsafVulnerability]
    groups: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """What makes two documents revisions of one: the publisher and the tracking id."""
        return f"{self.namespace} {self.tracking_id}"

    @property
    def cves(self) -> list[str]:
        return [v.cve for v in self.vulnerabilities if v.cve]

    def severity(self) -> str:
        """Return the advisory severity: the document's own word, else the highest score."""
        word = SEVERITY_WORDS.get((self.aggregate_severity or "").strip().lower())
        if word:
            return word
        scores = [v.max_score for v in self.vulnerabilities if v.max_score is not None]
        top = max(scores, default=None)
        if top is None:
            return "medium"
        if top >= 9.0:
            return "critical"
        if top >= 7.0:
            return "high"
        return "medium" if top >= 4.0 else "low"


class _Reader:
    """Walks a schema-valid document, collecting problems the schema cannot see."""

    def __init__(self, loaded: LoadedJson):
        self.file = loaded.file
        self.data: dict = loaded.data  # type: ignore[assignment]
        self.problems: list[Problem] = []

    def problem(self, path: list, reason: str) -> None:
        self.problems.append(Problem(self.file, json_path(path), reason))

    def when(self, value: str, path: list) -> datetime:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.problem(path, f"'{value}' is not a date and time (RFC 3339)")
            return datetime(1970, 1, 1, tzinfo=UTC)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def identifier(self, parse, value: str | None, path: list) -> Identifier | None:
        if not value:
            return None
        try:
            return parse(value)
        except IdentifierError as exc:
            self.problem(path, str(exc))
            return None

    # --- product tree ------------------------------------------------------------------------

    def leaf(self, fpn: dict, ctx: dict, path: list) -> CsafProduct:
        helper = fpn.get("product_identification_helper") or {}
        hpath = [*path, "product_identification_helper"]
        cpe = self.identifier(parse_cpe, helper.get("cpe"), [*hpath, "cpe"])
        purl = self.identifier(parse_purl, helper.get("purl"), [*hpath, "purl"])
        version = ctx.get("version") or (purl.version if purl else None)
        version = version or (cpe.version if cpe else None)
        return CsafProduct(
            ref=fpn["product_id"],
            name=fpn["name"],
            vendor=ctx.get("vendor"),
            product_name=ctx.get("product_name") or ctx.get("family") or fpn["name"],
            version=version,
            range=ctx.get("range"),
            cpe=cpe,
            purl=purl,
        )

    def branches(self, branches: list, path: list, ctx: dict, out: dict) -> None:
        for i, branch in enumerate(branches):
            here = [*path, i]
            inner = dict(ctx)
            category, name = branch["category"], branch["name"]
            if category == "vendor":
                inner["vendor"] = name
            elif category == "product_name":
                inner["product_name"] = name
            elif category == "product_family":
                inner.setdefault("family", name)
            elif category == "product_version":
                inner["version"] = name
            elif category == "product_version_range":
                inner["range"] = name
                if name.lower().startswith("vers:"):
                    try:
                        parse_range(name)
                    except RangeError as exc:
                        self.problem([*here, "name"], str(exc))
            if "product" in branch:
                self.add(self.leaf(branch["product"], inner, [*here, "product"]), out, here)
            if "branches" in branch:
                self.branches(branch["branches"], [*here, "branches"], inner, out)

    def add(self, product: CsafProduct, out: dict, path: list) -> None:
        if product.ref in out:
            self.problem(
                [*path, "product", "product_id"], f"product id '{product.ref}' is defined twice"
            )
        out[product.ref] = product

    def product_tree(self) -> tuple[dict[str, CsafProduct], dict[str, list[str]]]:
        tree = self.data.get("product_tree") or {}
        out: dict[str, CsafProduct] = {}
        self.branches(tree.get("branches") or [], ["product_tree", "branches"], {}, out)
        for i, fpn in enumerate(tree.get("full_product_names") or []):
            path = ["product_tree", "full_product_names", i]
            product = self.leaf(fpn, {}, path)
            if product.ref in out:
                self.problem([*path, "product_id"], f"product id '{product.ref}' is defined twice")
            out[product.ref] = product
        for i, rel in enumerate(tree.get("relationships") or []):
            path = ["product_tree", "relationships", i]
            component = out.get(rel["product_reference"])
            if component is None:
                self.problem(
                    [*path, "product_reference"],
                    f"product id '{rel['product_reference']}' is not defined in the product tree",
                )
                continue
            if rel["relates_to_product_reference"] not in out:
                self.problem(
                    [*path, "relates_to_product_reference"],
                    f"product id '{rel['relates_to_product_reference']}' is not defined in the "
                    "product tree",
                )
            fpn = rel["full_product_name"]
            out[fpn["product_id"]] = CsafProduct(
                ref=fpn["product_id"],
                name=fpn["name"],
                vendor=component.vendor,
                product_name=component.product_name,
                version=component.version,
                range=component.range,
                cpe=component.cpe,
                purl=component.purl,
            )
        groups = {g["group_id"]: list(g["product_ids"]) for g in tree.get("product_groups") or []}
        return out, groups

    # --- vulnerabilities ---------------------------------------------------------------------

    def refs(self, ids: list, products: dict, path: list) -> list[str]:
        for j, ref in enumerate(ids):
            if ref not in products:
                self.problem([*path, j], f"product id '{ref}' is not defined in the product tree")
        return [r for r in ids if r in products]

    def expand(self, item: dict, groups: dict) -> list[str]:
        ids = list(item.get("product_ids") or [])
        for group in item.get("group_ids") or []:
            ids += groups.get(group, [])
        return ids

    def names(self, item: dict, products: dict, groups: dict) -> list[str]:
        ids = list(item.get("product_ids") or [])
        for group in item.get("group_ids") or []:
            ids += groups.get(group, [])
        return sorted({products[r].name for r in ids if r in products})

    def vulnerability(self, i: int, vuln: dict, products: dict, groups: dict):
        path = ["vulnerabilities", i]
        status: dict[str, list[str]] = {}
        for name, ids in (vuln.get("product_status") or {}).items():
            status[name] = self.refs(ids, products, [*path, "product_status", name])
        scores, top = [], None
        for score in vuln.get("scores") or []:
            for key in ("cvss_v3", "cvss_v2"):
                cvss = score.get(key)
                if not cvss:
                    continue
                base = float(cvss["baseScore"])
                top = base if top is None else max(top, base)
                scores.append(
                    {
                        "version": cvss.get("version"),
                        "base_score": base,
                        "severity": cvss.get("baseSeverity"),
                        "vector": cvss.get("vectorString"),
                        "products": self.names(score, products, groups),
                    }
                )
        remediations = [
            {
                "category": r["category"],
                "details": r["details"],
                "url": r.get("url"),
                "products": self.names(r, products, groups),
            }
            for r in vuln.get("remediations") or []
        ]
        flags = [
            {"label": f["label"], "refs": self.expand(f, groups)} for f in vuln.get("flags") or []
        ]
        impacts = {
            ref: t["details"]
            for t in vuln.get("threats") or []
            if t["category"] == "impact"
            for ref in self.expand(t, groups)
        }
        cwe = vuln.get("cwe")
        notes = "\n\n".join(
            f"{n.get('title') or n['category'].title()}: {n['text']}"
            for n in vuln.get("notes") or []
        )
        return CsafVulnerability(
            position=i,
            cve=vuln.get("cve"),
            title=(vuln.get("title") or None),
            cwe=f"{cwe['id']}: {cwe['name']}" if cwe else None,
            scores=scores,
            max_score=top,
            remediations=remediations,
            references=_references(vuln.get("references")),
            product_status=status,
            notes=notes[:20_000],
            flags=flags,
            impacts=impacts,
        )


def _references(items) -> list[dict]:
    return [
        {"title": (r.get("summary") or r["url"])[:300], "url": r["url"]}
        for r in items or []
        if str(r.get("url", "")).lower().startswith(("http://", "https://"))
    ]


def read_csaf(loaded: LoadedJson) -> CsafDocument:
    """Validate and read a CSAF 2.0 document; raise IntakeError with every problem found."""
    data = loaded.data
    if not isinstance(data, dict) or not isinstance(data.get("document"), dict):
        raise IntakeError([Problem(loaded.file, "$", "not a CSAF document (no 'document' object)")])
    version = data["document"].get("csaf_version")
    if version != "2.0":
        raise IntakeError(
            [
                Problem(
                    loaded.file,
                    "$.document.csaf_version",
                    f"CSAF version {json.dumps(version)} is not read here: only 2.0 is",
                )
            ]
        )
    problems = schema_problems(loaded.file, data)
    if problems:
        raise IntakeError(problems)
    reader = _Reader(loaded)
    document = data["document"]
    tracking = document["tracking"]
    base = ["document", "tracking"]
    products, groups = reader.product_tree()
    vulnerabilities = [
        reader.vulnerability(i, v, products, groups)
        for i, v in enumerate(data.get("vulnerabilities") or [])
    ]
    revisions = [
        Revision(
            r["number"],
            reader.when(r["date"], [*base, "revision_history", i, "date"]),
            r["summary"],
        )
        for i, r in enumerate(tracking["revision_history"])
    ]
    doc = CsafDocument(
        file=loaded.file,
        sha256=loaded.sha256,
        tracking_id=tracking["id"],
        version=tracking["version"],
        status=tracking["status"],
        category=document["category"],
        title=document["title"],
        publisher=document["publisher"]["name"],
        namespace=document["publisher"]["namespace"],
        initial_release=reader.when(
            tracking["initial_release_date"], [*base, "initial_release_date"]
        ),
        current_release=reader.when(
            tracking["current_release_date"], [*base, "current_release_date"]
        ),
        revisions=revisions,
        notes=[
            (n["category"], (n.get("title") or "").strip(), n["text"].strip())
            for n in document.get("notes") or []
        ],
        references=_references(document.get("references")),
        aggregate_severity=(document.get("aggregate_severity") or {}).get("text"),
        products=products,
        vulnerabilities=vulnerabilities,
        groups=groups,
    )
    if reader.problems:
        raise IntakeError(reader.problems)
    return doc


def day(moment: datetime) -> date:
    """Return the UTC day of a moment."""
    return moment.astimezone(UTC).date()
