"""Read CycloneDX JSON: an SBOM's components (nested ones included) and a VEX document's
statements. The document is checked against its CycloneDX schema by cyclonedx-python-lib
(offline; extra properties allowed, as vendors' tools add them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from vendorrisk.vendors.identifiers import Identifier, IdentifierError, parse_cpe, parse_purl

from .jsonfile import IntakeError, LoadedJson, Problem, json_path

# CycloneDX analysis states, read as VEX statuses (CSAF's words).
STATE_MAP = {
    "exploitable": "affected",
    "not_affected": "not_affected",
    "false_positive": "not_affected",
    "resolved": "fixed",
    "resolved_with_pedigree": "fixed",
    "in_triage": "under_investigation",
}


def _problem(loaded: LoadedJson, path: list, reason: str) -> IntakeError:
    return IntakeError([Problem(loaded.file, json_path(path), reason)])


def check_cyclonedx(loaded: LoadedJson) -> dict:
    """Check that a document is CycloneDX JSON valid against its spec version's schema."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonValidator

    data = loaded.data
    if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
        raise _problem(
            loaded, ["bomFormat"], "not a CycloneDX document (bomFormat is not 'CycloneDX')"
        )
    spec = str(data.get("specVersion", ""))
    try:
        version = SchemaVersion.from_version(spec)
    except ValueError:
        raise _problem(
            loaded, ["specVersion"], f"CycloneDX version '{spec}' is not read here"
        ) from None
    if version < SchemaVersion.V1_2:
        raise _problem(
            loaded, ["specVersion"], f"CycloneDX {spec} has no JSON form; use 1.2 or later"
        )
    error = JsonValidator(version).validate_str(json.dumps(data))
    if error is not None:
        detail = error.data
        path = list(getattr(detail, "absolute_path", []))
        reason = str(getattr(detail, "message", detail))[:300]
        raise _problem(loaded, path, reason)
    return data


@dataclass(frozen=True)
class Component:
    name: str
    version: str | None
    purl: Identifier | None
    cpe: Identifier | None


def _identifier(parse, value, path: list, problems: list, loaded: LoadedJson):
    if not value:
        return None
    try:
        return parse(value)
    except IdentifierError as exc:
        problems.append(Problem(loaded.file, json_path(path), str(exc)))
        return None


def components(loaded: LoadedJson, data: dict) -> list[Component]:
    """Return every component of an SBOM, nested ones included; refuse bad purls and CPEs."""
    found: list[Component] = []
    problems: list[Problem] = []
    stack = [(c, ["components", i]) for i, c in enumerate(data.get("components") or [])]
    while stack:
        item, path = stack.pop(0)
        purl = _identifier(parse_purl, item.get("purl"), [*path, "purl"], problems, loaded)
        cpe = _identifier(parse_cpe, item.get("cpe"), [*path, "cpe"], problems, loaded)
        version = item.get("version") or (purl.version if purl else None)
        found.append(Component(str(item.get("name", ""))[:300], version, purl, cpe))
        stack.extend(
            (c, [*path, "components", i]) for i, c in enumerate(item.get("components") or [])
        )
    if problems:
        raise IntakeError(problems[:20])
    return found


def subject(data: dict) -> tuple[str | None, str | None]:
    """Return the name and version of the product an SBOM describes (metadata.component)."""
    component = (data.get("metadata") or {}).get("component") or {}
    return component.get("name"), component.get("version")


def timestamp(data: dict) -> datetime | None:
    """Return when the SBOM was made (metadata.timestamp), if it says."""
    text = (data.get("metadata") or {}).get("timestamp")
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Statement:
    """One VEX statement: a vulnerability, a product, a status, and why."""

    cve: str
    product: str
    status: str
    justification: str | None
    detail: str | None


def _ref_names(data: dict) -> dict[str, str]:
    names: dict[str, str] = {}
    meta = (data.get("metadata") or {}).get("component") or {}
    stack = ([meta] if meta else []) + list(data.get("components") or [])
    while stack:
        item = stack.pop()
        if item.get("bom-ref"):
            label = item.get("name", item["bom-ref"])
            if item.get("version"):
                label += f" {item['version']}"
            names[item["bom-ref"]] = label
        stack.extend(item.get("components") or [])
    return names


def vex_statements(loaded: LoadedJson, data: dict) -> list[Statement]:
    """Return the statements of a CycloneDX VEX document (vulnerabilities with an analysis)."""
    names = _ref_names(data)
    found = []
    for i, vuln in enumerate(data.get("vulnerabilities") or []):
        analysis = vuln.get("analysis") or {}
        state = analysis.get("state")
        if state is None:
            continue
        cve = str(vuln.get("id", "")).strip()
        if not cve:
            raise _problem(loaded, ["vulnerabilities", i, "id"], "the vulnerability has no id")
        products = [names.get(a.get("ref"), a.get("ref")) for a in vuln.get("affects") or []]
        detail = analysis.get("detail")
        responses = analysis.get("response") or []
        if responses:
            detail = (detail + " " if detail else "") + f"(response: {', '.join(responses)})"
        for product in products or ["(not named)"]:
            found.append(
                Statement(
                    cve,
                    str(product)[:500],
                    STATE_MAP[state],
                    analysis.get("justification"),
                    detail,
                )
            )
    if not found:
        raise _problem(
            loaded,
            ["vulnerabilities"],
            "no vulnerability with an analysis state: not a VEX document",
        )
    return found
