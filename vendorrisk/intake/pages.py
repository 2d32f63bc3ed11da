"""What the intake includes on other pages show: an advisory's source, CVEs and publishing;
a vendor's SBOMs and VEX documents; the dashboard's new KEV matches. Each is one small
function called from its include, so those pages' views need not know about intake."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from vendorrisk.extensions import db

from .forms import PublishForm, SbomUploadForm, VexUploadForm
from .models import KEV, AdvisorySource, AdvisoryVulnerability, Sbom, VexDocument
from .publishing import draft_ids, may_publish, source_of

KEV_PANEL_SIZE = 8


@dataclass
class AdvisoryIntake:
    source: AdvisorySource | None
    vulnerabilities: list[AdvisoryVulnerability]
    may_publish: bool
    publish_form: PublishForm | None

    @property
    def draft(self) -> bool:
        return self.source is not None and self.source.draft


def advisory_intake(advisory) -> AdvisoryIntake:
    """Return an advisory's source, vulnerabilities and whether this user may publish it."""
    source = source_of(advisory)
    vulnerabilities = list(
        db.session.scalars(
            select(AdvisoryVulnerability)
            .where(AdvisoryVulnerability.advisory_id == advisory.id)
            .order_by(AdvisoryVulnerability.position)
        )
    )
    allowed = current_user.is_authenticated and may_publish(source, current_user)
    return AdvisoryIntake(source, vulnerabilities, allowed, PublishForm() if allowed else None)


def draft_advisory_ids() -> set[int]:
    """Return the ids of the advisories that are unpublished imports (one query)."""
    return set(db.session.scalars(draft_ids()))


@dataclass
class VendorIntake:
    sboms: list[Sbom]
    vex: list[VexDocument]
    sbom_form: SbomUploadForm
    vex_form: VexUploadForm


def sbom_form() -> SbomUploadForm:
    return SbomUploadForm(prefix="sbom")


def vex_form() -> VexUploadForm:
    return VexUploadForm(prefix="vex")


def vendor_intake(vendor) -> VendorIntake:
    """Return a vendor's SBOMs and VEX documents, newest first, and the upload forms."""
    sboms = list(
        db.session.scalars(
            select(Sbom)
            .where(Sbom.vendor_id == vendor.id)
            .order_by(Sbom.replaced_at.is_not(None), Sbom.id.desc())
        )
    )
    vex = list(
        db.session.scalars(
            select(VexDocument)
            .where(VexDocument.vendor_id == vendor.id)
            .order_by(VexDocument.id.desc())
        )
    )
    return VendorIntake(sboms, vex, sbom_form(), vex_form())


@dataclass
class KevMatches:
    count: int
    sources: list[AdvisorySource]


def kev_matches() -> KevMatches:
    """Return the KEV drafts waiting to be published, newest first (two queries)."""
    waiting = select(AdvisorySource).where(
        AdvisorySource.kind == KEV, AdvisorySource.draft.is_(True)
    )
    count = db.session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    sources = list(
        db.session.scalars(
            waiting.options(selectinload(AdvisorySource.advisory))
            .order_by(AdvisorySource.imported_at.desc(), AdvisorySource.id.desc())
            .limit(KEV_PANEL_SIZE)
        )
    )
    return KevMatches(count, sources)
