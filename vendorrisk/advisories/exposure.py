"""Which vendors an advisory concerns, and how far each is known to be exposed.

A vendor is *suspected* when it uses an affected product (directly or through a subcontractor)
on a version that is affected or unknown; a vendor whose recorded versions are all fixed, or none
of them affected, is not. A person may record *confirmed*, *ruled out* (with a reason),
*unknown* or *suspected*; a submitted answer marked not exposed, in a campaign sent for this
advisory, rules the vendor out. The later of the person's record and that answer wins.

Everything the advisory page shows is loaded in a fixed number of queries, however many
vendors there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment, Campaign, Response, Revision
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.vendors.matching import vendors_using
from vendorrisk.vendors.models import ProductUse, Vendor
from vendorrisk.vendors.risk import CRITICALITY_LABELS, DATA_ACCESS_LABELS

from .models import (
    CONFIRMED,
    EXPOSURE_LABELS,
    EXPOSURE_STATES,
    RULED_OUT,
    SUSPECTED,
    UNKNOWN,
    Advisory,
    AdvisoryProduct,
    Exposure,
)
from .ranges import MAYBE, NO, YES, Verdict, judge_all, specs_of
from .results import (
    NO_SOURCE,
    SBOM,
    VEX,
    Result,
    catalogue_result,
    machine_results,
    person_result,
    vendors_by_id,
)

ORDER = {CONFIRMED: 0, SUSPECTED: 1, UNKNOWN: 2, RULED_OUT: 3}
NOT_ASKED = "not_asked"
ASKED = "asked"
ASKED_AGAIN = "asked_again"
SUBMITTED = "submitted"
ASK_LABELS = {
    NOT_ASKED: "Not asked",
    ASKED: "Asked",
    ASKED_AGAIN: "Asked again",
    SUBMITTED: "Submitted",
}


class ExposureError(ValueError):
    """A refused exposure record, with a message fit to show the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Match:
    """How a vendor matched an affected product."""

    use: ProductUse
    affected: AdvisoryProduct
    verdict: Verdict | None = None

    def describe(self) -> str:
        """Say in words how the vendor uses the product."""
        text = self.use.product.name
        if self.use.versions:
            text += f" {', '.join(self.use.versions)}"
        else:
            text += " (version not recorded)"
        if self.use.subcontractor:
            text += f", through {self.use.subcontractor}"
        return text


def scheme_of(affected: AdvisoryProduct) -> str:
    """Return the versioning scheme of an advisory product (from its purl), else generic."""
    return next(
        (i.get("scheme", "generic") for i in affected.identifiers or [] if i["kind"] == "purl"),
        "generic",
    )


def product_matches(advisory: Advisory) -> dict[int, list[Match]]:
    """Return, per vendor id, the uses of affected products on a version not known to be safe.

    One query for every affected product together, never one per vendor.
    """
    by_product = {p.product_id: p for p in advisory.products}
    found: dict[int, list[Match]] = {}
    for vendor, use in vendors_using(list(by_product)):
        affected = by_product[use.product_id]
        verdict = judge_all(specs_of(affected), use.versions, scheme_of(affected))
        if verdict.outcome != NO:
            found.setdefault(vendor.id, []).append(Match(use, affected, verdict))
    return found


def advisory_assignments(advisory: Advisory) -> list[Assignment]:
    """Return every assignment of the campaigns sent for this advisory, with what pages need."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(Assignment.campaign)
            .where(Campaign.advisory_slug == advisory.slug)
            .options(
                selectinload(Assignment.vendor),
                selectinload(Assignment.campaign)
                .selectinload(Campaign.template_version)
                .selectinload(TemplateVersion.template),
                selectinload(Assignment.response).selectinload(Response.revisions),
                selectinload(Assignment.recipients),
            )
            .order_by(Assignment.id)
        )
    )


def _template_slug(assignment: Assignment) -> str:
    return assignment.campaign.template_version.template.slug


@dataclass
class VendorRow:
    """One vendor on an advisory's page."""

    vendor: Vendor
    state: str
    how: str  # match | person | answer | asked
    reason: str | None = None
    matches: list[Match] = field(default_factory=list)
    exposure: Exposure | None = None
    assignments: list[Assignment] = field(default_factory=list)
    # The exposure result by the strongest source (see results.py), set by vendor_rows.
    result: Result = NO_SOURCE
    machine: Result | None = None  # what VEX or an SBOM says, if anything

    @property
    def state_label(self) -> str:
        return EXPOSURE_LABELS[self.state]

    @property
    def inherent_risk(self) -> str:
        criticality = CRITICALITY_LABELS.get(self.vendor.criticality, self.vendor.criticality)
        data = DATA_ACCESS_LABELS.get(self.vendor.data_access, self.vendor.data_access)
        return f"Criticality {criticality.lower()}; data access {data.lower()}"

    @property
    def latest_assignment(self) -> Assignment | None:
        return self.assignments[-1] if self.assignments else None

    @property
    def latest_revision(self) -> Revision | None:
        """The most recently submitted revision across this advisory's campaigns."""
        revisions = [
            (r.submitted_at or datetime.min, r)
            for a in self.assignments
            if a.response and (r := a.response.latest_submitted) is not None
        ]
        return max(revisions, key=lambda pair: pair[0])[1] if revisions else None

    @property
    def ask_state(self) -> str:
        assignment = self.latest_assignment
        if assignment is None:
            return NOT_ASKED
        response = assignment.response
        if (
            response is not None
            and response.open_revision is not None
            and response.latest_submitted is not None
        ):
            return ASKED_AGAIN
        if response is not None and response.latest_submitted is not None:
            return SUBMITTED
        return ASKED

    @property
    def ask_label(self) -> str:
        return ASK_LABELS[self.ask_state]

    @property
    def exposed(self) -> bool:
        return self.state in (SUSPECTED, CONFIRMED)


# How a VEX or SBOM result reads as the exposure state when nobody has recorded one.
_MACHINE_STATE: dict[tuple[str | None, str], str] = {
    (VEX, YES): CONFIRMED,
    (VEX, NO): RULED_OUT,
    (VEX, MAYBE): UNKNOWN,
    (SBOM, YES): SUSPECTED,
    (SBOM, NO): RULED_OUT,
    (SBOM, MAYBE): SUSPECTED,
}


def _decide(row: VendorRow) -> None:
    candidates: list[tuple[datetime, str, str, str | None]] = []
    if row.exposure is not None:
        candidates.append((row.exposure.set_at, row.exposure.state, "person", row.exposure.reason))
    revision = row.latest_revision
    if revision is not None and revision.not_exposed:
        assignment = next(a for a in row.assignments if a.response.latest_submitted is revision)
        candidates.append(
            (
                revision.submitted_at or datetime.min,
                RULED_OUT,
                "answer",
                f"Answered not exposed in “{assignment.campaign.name}” (revision {revision.number}).",
            )
        )
    if candidates:
        _, row.state, row.how, row.reason = max(candidates, key=lambda c: c[0])
    elif row.machine is not None:
        row.state = _MACHINE_STATE[(row.machine.rule, row.machine.outcome)]
        row.how = row.machine.rule or "match"
        row.reason = row.machine.justification or row.machine.detail
    elif row.matches:
        row.state, row.how = SUSPECTED, "match"
        row.reason = "Uses " + "; ".join(m.describe() for m in row.matches) + "."
    else:
        row.state, row.how = UNKNOWN, "asked"


def _result(row: VendorRow) -> Result:
    """The strongest source first: VEX, SBOM, the catalogue, then a person or the answers."""
    if row.machine is not None:
        return row.machine
    by_catalogue = catalogue_result(row.matches)
    if by_catalogue is not None:
        return by_catalogue
    if row.how in ("person", "answer"):
        return person_result(row.state, row.how, row.reason)
    return NO_SOURCE


def vendor_rows(advisory: Advisory, assignments: list[Assignment] | None = None) -> list[VendorRow]:
    """Return every vendor the advisory concerns, most exposed first, then by tier and name."""
    rows: dict[int, VendorRow] = {}

    def row_for(vendor: Vendor) -> VendorRow:
        if vendor.id not in rows:
            rows[vendor.id] = VendorRow(vendor=vendor, state=UNKNOWN, how="asked")
        return rows[vendor.id]

    for matches in product_matches(advisory).values():
        row_for(matches[0].use.vendor).matches = matches
    for exposure in db.session.scalars(
        select(Exposure)
        .where(Exposure.advisory_id == advisory.id)
        .options(selectinload(Exposure.vendor), selectinload(Exposure.set_by))
    ):
        row_for(exposure.vendor).exposure = exposure
    for assignment in assignments if assignments is not None else advisory_assignments(advisory):
        row_for(assignment.vendor).assignments.append(assignment)
    by_vex, by_sbom = machine_results(advisory)
    machine = {**by_sbom, **by_vex}
    for vendor in vendors_by_id(set(machine) - set(rows)).values():
        row_for(vendor)
    for row in rows.values():
        row.machine = machine.get(row.vendor.id)
        _decide(row)
        row.result = _result(row)
    return sorted(
        rows.values(), key=lambda r: (ORDER[r.state], r.vendor.risk_tier, r.vendor.name_key)
    )


def set_exposure(
    advisory: Advisory, vendor: Vendor, state: str, reason: str | None, actor
) -> Exposure:
    """Record a person's view of a vendor's exposure (audited)."""
    if state not in EXPOSURE_STATES:
        raise ExposureError("Choose a state.", "state")
    reason = (reason or "").strip() or None
    if state == RULED_OUT and not reason:
        raise ExposureError("Say why the vendor is ruled out.", "reason")
    row = db.session.scalar(
        select(Exposure).where(Exposure.advisory_id == advisory.id, Exposure.vendor_id == vendor.id)
    )
    before = row.state if row else None
    if row is None:
        row = Exposure(advisory_id=advisory.id, vendor_id=vendor.id, vendor=vendor)
        db.session.add(row)
    row.state, row.reason, row.set_by_id, row.set_at = state, reason, actor.id, utcnow()
    db.session.flush()
    audit.record(
        "advisory.exposure_set",
        "vendor",
        vendor.id,
        details={"advisory": advisory.slug, "from": before, "to": state},
        actor_id=actor.id,
    )
    return row
