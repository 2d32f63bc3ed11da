"""Vendors, their contacts, the product catalogue and which vendor uses which product."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vendorrisk.accounts.models import User
from vendorrisk.core.timeutil import UTCDateTime, utcnow
from vendorrisk.extensions import db
from vendorrisk.vendors.risk import tier_label

ONBOARDING = "onboarding"
ACTIVE = "active"
OFFBOARDED = "offboarded"
STATUS_LABELS = {ONBOARDING: "Onboarding", ACTIVE: "Active", OFFBOARDED: "Offboarded"}

CONTACT_KINDS = ("primary", "security", "executive", "privacy")
CONTACT_KIND_LABELS = {
    "primary": "Primary",
    "security": "Security",
    "executive": "Executive",
    "privacy": "Privacy",
}


class Vendor(db.Model):  # type: ignore[name-defined]
    """A third party we buy a service from; offboarded rather than deleted."""

    __tablename__ = "vendors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name folded for comparison, so "Acme" and "ACME " are one vendor on every database.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    legal_name: Mapped[str | None] = mapped_column(String(300))
    lei: Mapped[str | None] = mapped_column(String(20), unique=True)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"), index=True)
    website: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    services: Mapped[str | None] = mapped_column(Text)
    criticality: Mapped[str] = mapped_column(String(20))
    data_access: Mapped[str] = mapped_column(String(20))
    # Derived by risk.inherent_tier on every save; a column so lists filter and sort in SQL.
    risk_tier: Mapped[int] = mapped_column(Integer, index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ONBOARDING, index=True)
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    renewal_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    offboarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    parent: Mapped["Vendor | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Vendor"]] = relationship(
        back_populates="parent", order_by="Vendor.name_key"
    )
    owner: Mapped[User | None] = relationship()
    contacts: Mapped[list["Contact"]] = relationship(back_populates="vendor", order_by="Contact.id")
    product_uses: Mapped[list["ProductUse"]] = relationship(
        back_populates="vendor", order_by="ProductUse.id"
    )

    @property
    def tier_label(self) -> str:
        return tier_label(self.risk_tier)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def live_contacts(self) -> list["Contact"]:
        return [c for c in self.contacts if c.erased_at is None]

    @property
    def primary_contact(self) -> "Contact | None":
        return next((c for c in self.live_contacts if c.is_primary), None)

    def __repr__(self) -> str:
        return f"<Vendor {self.id} {self.name!r}>"


class Contact(db.Model):  # type: ignore[name-defined]
    """A person at a vendor; erasable (personal fields blanked) while the row and its id stay."""

    __tablename__ = "vendor_contacts"
    __table_args__ = (
        # At most one live primary contact per vendor, enforced by the database too.
        Index(
            "uq_vendor_contacts_one_primary",
            "vendor_id",
            unique=True,
            sqlite_where=text("is_primary AND erased_at IS NULL"),
            postgresql_where=text("is_primary AND erased_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(200))
    is_primary: Mapped[bool] = mapped_column(default=False)
    is_security: Mapped[bool] = mapped_column(default=False)
    is_executive: Mapped[bool] = mapped_column(default=False)
    is_privacy: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    vendor: Mapped[Vendor] = relationship(back_populates="contacts")

    @property
    def kinds(self) -> list[str]:
        return [kind for kind in CONTACT_KINDS if getattr(self, f"is_{kind}")]

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    @property
    def display_name(self) -> str:
        if self.erased:
            return f"Erased contact #{self.id}"
        return self.name or self.email or f"Contact #{self.id}"

    def __repr__(self) -> str:
        return f"<Contact {self.id} vendor={self.vendor_id}>"


class Product(db.Model):  # type: ignore[name-defined]
    """A catalogue entry: a supplier's product, its aliases and known versions."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier: Mapped[str] = mapped_column(String(200))
    supplier_vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    known_versions: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    supplier_vendor: Mapped[Vendor | None] = relationship()
    aliases: Mapped[list["ProductAlias"]] = relationship(
        back_populates="product", order_by="ProductAlias.id", cascade="all, delete-orphan"
    )
    uses: Mapped[list["ProductUse"]] = relationship(back_populates="product")
    identifiers: Mapped[list["ProductIdentifier"]] = relationship(
        back_populates="product", order_by="ProductIdentifier.id", cascade="all, delete-orphan"
    )

    @property
    def alias_names(self) -> list[str]:
        return [alias.name for alias in self.aliases]

    @property
    def cpes(self) -> list[str]:
        return [i.value for i in self.identifiers if i.kind == "cpe"]

    @property
    def purls(self) -> list[str]:
        return [i.value for i in self.identifiers if i.kind == "purl"]

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.name!r}>"


class ProductAlias(db.Model):  # type: ignore[name-defined]
    """Another name a product goes by ("Mimecast S&R"); matched like the product's name."""

    __tablename__ = "product_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)

    product: Mapped[Product] = relationship(back_populates="aliases")


class ProductIdentifier(db.Model):  # type: ignore[name-defined]
    """A CPE 2.3 name or package URL of a catalogue product; `key` is what matching compares."""

    __tablename__ = "product_identifiers"
    __table_args__ = (
        UniqueConstraint("product_id", "kind", "value", name="uq_product_identifiers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # cpe | purl
    value: Mapped[str] = mapped_column(String(1000))
    key: Mapped[str] = mapped_column(String(500), index=True)

    product: Mapped[Product] = relationship(back_populates="identifiers")


class ProductUse(db.Model):  # type: ignore[name-defined]
    """A vendor's use of a product, directly or through a named subcontractor (a fourth party)."""

    __tablename__ = "vendor_products"
    __table_args__ = (
        UniqueConstraint(
            "vendor_id", "product_id", "subcontractor_key", name="uq_vendor_products_use"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    versions: Mapped[list] = mapped_column(JSON, default=list)
    # Empty for direct use; otherwise the fourth party through which the vendor uses it.
    subcontractor: Mapped[str] = mapped_column(String(200), default="")
    subcontractor_key: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    vendor: Mapped[Vendor] = relationship(back_populates="product_uses")
    product: Mapped[Product] = relationship(back_populates="uses")

    @property
    def direct(self) -> bool:
        return not self.subcontractor

    @property
    def how(self) -> str:
        return "Directly" if self.direct else f"Through {self.subcontractor}"
