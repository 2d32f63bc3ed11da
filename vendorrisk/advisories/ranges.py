"""Whether a version of an advisory's product is affected, from its versions and ranges.

An advisory product carries *specs*: a status (affected, fixed, not affected, under
investigation) with a `vers:` range, an exact version, or neither (every version). A product
written by hand has only affected and fixed versions; when none is affected, every version not
fixed is. Specific specs (a version or range) win over "every version"; among those that hold,
affected wins, then under investigation, then fixed or not affected. Versions are compared by
univers (see `vendorrisk.vendors.versions`); a version that cannot be compared makes the answer
unknown, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vendorrisk.vendors.versions import RangeError, parse_range, same_version

AFFECTED = "affected"
FIXED = "fixed"
NOT_AFFECTED = "not_affected"
UNDER_INVESTIGATION = "under_investigation"
SPEC_STATUSES = (AFFECTED, FIXED, NOT_AFFECTED, UNDER_INVESTIGATION)
SPEC_LABELS = {
    AFFECTED: "affected",
    FIXED: "fixed",
    NOT_AFFECTED: "not affected",
    UNDER_INVESTIGATION: "under investigation",
}

# Outcomes of a comparison (and of an exposure result).
YES = "affected"
NO = "not_affected"
MAYBE = "unknown"


@dataclass(frozen=True)
class Verdict:
    """Whether a version is affected, and why in words."""

    outcome: str  # affected | not_affected | unknown
    detail: str


def specs_of(product) -> list[dict]:
    """Return an advisory product's specs: its ranges, or its hand-written versions."""
    specs = [dict(s) for s in (product.ranges or [])]
    specs += [{"status": AFFECTED, "version": v} for v in product.affected_versions or []]
    specs += [{"status": FIXED, "version": v} for v in product.fixed_versions or []]
    if not product.ranges and not product.affected_versions:
        specs.append({"status": AFFECTED})
    return specs


def describe_spec(spec: dict) -> str:
    """Say a spec in words: "affected: vers:npm/<1.2.5"."""
    what = spec.get("vers") or spec.get("version") or "every version"
    return f"{SPEC_LABELS.get(spec['status'], spec['status'])}: {what}"


def _holds(spec: dict, version: str, scheme: str) -> bool | None:
    if "vers" in spec:
        try:
            return parse_range(spec["vers"]).contains(version)
        except RangeError:
            return None
    if "version" in spec:
        return same_version(spec["version"], version, scheme)
    return True


def _outcome_of(statuses: set[str]) -> str:
    if AFFECTED in statuses:
        return YES
    if UNDER_INVESTIGATION in statuses:
        return MAYBE
    return NO


def judge(specs: list[dict], version: str | None, scheme: str = "generic") -> Verdict:
    """Judge one version (None: not recorded) against an advisory product's specs."""
    blanket = {s["status"] for s in specs if "vers" not in s and "version" not in s}
    specific = [s for s in specs if "vers" in s or "version" in s]
    if not version:
        if AFFECTED in blanket:
            return Verdict(YES, "every version is affected")
        if blanket and not specific:
            return Verdict(_outcome_of(blanket), "every version is " + _words(blanket))
        return Verdict(MAYBE, "version not recorded")
    held, failed = [], []
    for spec in specific:
        answer = _holds(spec, version, scheme)
        if answer is None:
            failed.append(spec)
        elif answer:
            held.append(spec)
    if held:
        outcome = _outcome_of({s["status"] for s in held})
        chosen = next(s for s in held if _outcome_of({s["status"]}) == outcome)
        return Verdict(outcome, f"{version} is {describe_spec(chosen)}")
    if failed:
        return Verdict(MAYBE, f"{version} cannot be compared with {failed[0].get('vers')}")
    if blanket:
        return Verdict(_outcome_of(blanket), f"{version}: every version is " + _words(blanket))
    if any(s["status"] == AFFECTED for s in specific):
        return Verdict(NO, f"{version} is outside the affected versions")
    return Verdict(MAYBE, f"{version} is not named by the advisory")


def judge_all(specs: list[dict], versions: Iterable[str], scheme: str = "generic") -> Verdict:
    """Judge several recorded versions: any affected wins, then any unknown, else not affected."""
    verdicts = [judge(specs, v, scheme) for v in versions] or [judge(specs, None, scheme)]
    for outcome in (YES, MAYBE, NO):
        found = [v for v in verdicts if v.outcome == outcome]
        if found:
            return Verdict(outcome, "; ".join(v.detail for v in found))
    raise AssertionError("unreachable")  # pragma: no cover


def _words(statuses: set[str]) -> str:
    return " or ".join(SPEC_LABELS[s] for s in sorted(statuses))
