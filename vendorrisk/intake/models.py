"""What machine-readable sources bring in: imported advisories' origin and vulnerabilities,
vendors' SBOMs and their components, and vendors' VEX statements.

An imported advisory (CSAF or KEV) is a draft until a second person publishes it; its source
row says where it came from, which revision was read last and who imported and published it.
SBOMs and VEX documents are evidence: never changed; a newer one replaces an older one for
matching while the older stays on record.
"""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db

CSAF = "csaf"
KEV = "kev"
SOURCE_KINDS = (CSAF, KEV)
SOURCE_LABELS = {CSAF: "CSAF 2.0 document", KEV: "CISA KEV catalogue"}

CYCLONEDX = "cyclonedx"
VEX_FORMATS = (CYCLONEDX, CSAF)
VEX_FORMAT_LABELS = {CYCLONEDX: "CycloneDX VEX", CSAF: "CSAF VEX"}

# VEX statuses, named as CSAF names them; CycloneDX states are mapped onto these.
VEX_AFFECTED = "affected"
VEX_NOT_AFFECTED = "not_affected"
VEX_FIXED = "fixed"
VEX_UNDER_INVESTIGATION = "under_investigation"
VEX_STATUSES = (VEX_AFFECTED, VEX_NOT_AFFECTED, VEX_FIXED, VEX_UNDER_INVESTIGATION)
VEX_STATUS_LABELS = {
    VEX_AFFECTED: "Affected",
    VEX_NOT_AFFECTED: "Not affected",
    VEX_FIXED: "Fixed",
    VEX_UNDER_INVESTIGATION: "Under investigation",
}


class AdvisorySource(db.Model):  # type: ignore[name-defined]
    """Where an imported advisory came from, the revision read last, and its four-eyes state."""

    __tablename__ = "advisory_sources"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_advisory_sources_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisories.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # csaf | kev
    # CSAF: "<publisher namespace> <tracking id>"; KEV: the CVE.
    key: Mapped[str] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(200))
    revision: Mapped[str] = mapped_column(String(100))
    revision_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Revision numbers already on the advisory's timeline as updates.
    revisions: Mapped[list] = mapped_column(JSON, default=list)
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    matched_vendors: Mapped[int] = mapped_column(Integer, default=0)
    draft: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    advisory = relationship("Advisory")
    imported_by = relationship("User", foreign_keys=[imported_by_id])
    published_by = relationship("User", foreign_keys=[published_by_id])

    @property
    def label(self) -> str:
        return SOURCE_LABELS.get(self.kind, self.kind)


class AdvisoryVulnerability(db.Model):  # type: ignore[name-defined]
    """One vulnerability an imported advisory describes: CVE, scores, remediations."""

    __tablename__ = "advisory_vulnerabilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisories.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    cve: Mapped[str | None] = mapped_column(String(40), index=True)
    title: Mapped[str | None] = mapped_column(String(500))
    cwe: Mapped[str | None] = mapped_column(String(300))
    # [{"version", "base_score", "severity", "vector", "products": [names]}]
    scores: Mapped[list] = mapped_column(JSON, default=list)
    max_score: Mapped[float | None] = mapped_column(Float)
    # [{"category", "details", "url", "products": [names]}]
    remediations: Mapped[list] = mapped_column(JSON, default=list)
    # [{"title", "url"}]
    references: Mapped[list] = mapped_column(JSON, default=list)
    # {"known_affected": [names], "fixed": [...], ...}
    product_status: Mapped[dict] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    # KEV fields: {"date_added", "due_date", "required_action", "ransomware", "notes"}
    kev: Mapped[dict | None] = mapped_column(JSON)


class Sbom(db.Model):  # type: ignore[name-defined]
    """A vendor's CycloneDX SBOM for one of its products (evidence: never changed)."""

    __tablename__ = "sboms"
    __table_args__ = (Index("ix_sboms_vendor_subject", "vendor_id", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    subject_key: Mapped[str] = mapped_column(String(300))
    subject_version: Mapped[str | None] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    spec_version: Mapped[str] = mapped_column(String(10))
    serial_number: Mapped[str | None] = mapped_column(String(200))
    sbom_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    component_count: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when the vendor uploaded it in the portal (then uploaded_by_id is empty).
    uploaded_by_recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("sboms.id"))

    vendor = relationship("Vendor")
    uploaded_by = relationship("User")
    uploaded_by_recipient = relationship("Recipient")
    components: Mapped[list["SbomComponent"]] = relationship(
        back_populates="sbom", order_by="SbomComponent.id"
    )


class SbomComponent(db.Model):  # type: ignore[name-defined]
    """A component an SBOM lists (nested ones included): a product the vendor uses via SBOM."""

    __tablename__ = "sbom_components"

    id: Mapped[int] = mapped_column(primary_key=True)
    sbom_id: Mapped[int] = mapped_column(ForeignKey("sboms.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    version: Mapped[str | None] = mapped_column(String(200))
    purl: Mapped[str | None] = mapped_column(String(1000))
    purl_key: Mapped[str | None] = mapped_column(String(500), index=True)
    cpe: Mapped[str | None] = mapped_column(String(1000))
    cpe_key: Mapped[str | None] = mapped_column(String(500), index=True)
    scheme: Mapped[str] = mapped_column(String(20), default="generic")

    sbom: Mapped[Sbom] = relationship(back_populates="components")


class VexDocument(db.Model):  # type: ignore[name-defined]
    """A vendor's VEX document, kept whole with its SHA-256 as evidence."""

    __tablename__ = "vex_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    format: Mapped[str] = mapped_column(String(10))  # cyclonedx | csaf
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    statement_count: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when the vendor uploaded it in the portal (then uploaded_by_id is empty).
    uploaded_by_recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    vendor = relationship("Vendor")
    uploaded_by = relationship("User")
    uploaded_by_recipient = relationship("Recipient")
    statements: Mapped[list["VexStatement"]] = relationship(
        back_populates="document", order_by="VexStatement.id"
    )

    @property
    def format_label(self) -> str:
        return VEX_FORMAT_LABELS.get(self.format, self.format)


class VexStatement(db.Model):  # type: ignore[name-defined]
    """One VEX statement: a vulnerability, the vendor's product, its status and justification."""

    __tablename__ = "vex_statements"
    __table_args__ = (Index("ix_vex_statements_cve_vendor", "cve", "vendor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("vex_documents.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    cve: Mapped[str] = mapped_column(String(40))
    product: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(30))
    justification: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)

    document: Mapped[VexDocument] = relationship(back_populates="statements")

    @property
    def status_label(self) -> str:
        return VEX_STATUS_LABELS.get(self.status, self.status)


class VexAnswer(db.Model):  # type: ignore[name-defined]
    """An answer to an exposure question filled in from the vendor's VEX statement.

    Rows without a revision describe the draft: the answer shows as "answered by your VEX
    statement" for as long as the draft still holds this value. At submission a copy is written
    for the revision (only for the answers still as filled in), so a reviewer can tell which
    submitted answers came from VEX; those copies are never changed.
    """

    __tablename__ = "vex_answers"
    __table_args__ = (Index("ix_vex_answers_response_question", "response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int] = mapped_column(ForeignKey("vex_documents.id"))
    # The answer value as the answer codec encodes it.
    value: Mapped[object] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(20))  # affected | not_affected
    detail: Mapped[str] = mapped_column(Text, default="")
    justification: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    document: Mapped[VexDocument] = relationship()
