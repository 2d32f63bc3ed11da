"""Vendor and contact operations: validation, the risk tier, offboarding, erasure, recipients.

Services take plain values, may flush, never commit. Every refused change raises VendorError
with one message per field, so a form and the CSV importer show the same reasons.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import abort
from sqlalchemy import func, select

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox
from vendorrisk.vendors.countries import COUNTRIES
from vendorrisk.vendors.lei import lei_problem, normalise_lei
from vendorrisk.vendors.models import (
    CONTACT_KINDS,
    OFFBOARDED,
    STATUS_LABELS,
    Contact,
    Vendor,
)
from vendorrisk.vendors.risk import (
    CRITICALITY_LABELS,
    DATA_ACCESS_LABELS,
    inherent_tier,
)

MAX_TEXT = 10_000
VENDOR_FIELDS = [
    "name",
    "legal_name",
    "lei",
    "country",
    "parent_id",
    "website",
    "description",
    "services",
    "criticality",
    "data_access",
    "owner_id",
    "status",
    "contract_start",
    "contract_end",
    "renewal_date",
    "notes",
]
CONTACT_FIELDS = ["name", "email", "phone", "title"]
PERSONAL_FIELDS = ("name", "email", "phone", "title")
_HOST = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_PHONE = re.compile(r"[0-9+()./ \-]+(?:\s*(?:x|ext\.?)\s*[0-9]+)?", re.IGNORECASE)


class VendorError(ValueError):
    """A refused change, with a message per field fit to show beside that field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def vendor_name_key(name: str) -> str:
    """Fold a vendor name for the case-insensitive uniqueness check."""
    return " ".join(name.split()).casefold()


def _text(value, limit: int) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value[:limit] if value else None


# --- guarded getters ------------------------------------------------------------------------


def get_vendor_or_404(vendor_id: int) -> Vendor:
    """Return a vendor or answer 404."""
    return db.session.get(Vendor, vendor_id) or abort(404)


def get_contact_or_404(vendor: Vendor, contact_id: int) -> Contact:
    """Return one of this vendor's contacts or answer 404 (never another vendor's)."""
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.vendor_id != vendor.id:
        abort(404)
    return contact


def vendor_by_name(name: str) -> Vendor | None:
    """Find a vendor by name, whatever its case and spacing."""
    return db.session.scalar(select(Vendor).where(Vendor.name_key == vendor_name_key(name)))


# --- vendors --------------------------------------------------------------------------------


def _clean_website(value: str | None) -> str | None:
    value = _text(value, 255)
    if value is None:
        return None
    parts = urlsplit(value if "://" in value else f"https://{value}")
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(parts.hostname or ""):
        raise ValueError(
            "Enter a domain (vendor.example) or a web address (https://vendor.example)."
        )
    return value


def _check_parent(vendor: Vendor | None, parent_id: int | None) -> str | None:
    if parent_id is None:
        return None
    parent = db.session.get(Vendor, parent_id)
    if parent is None:
        return "The parent company is not a vendor in the inventory."
    if vendor is not None and vendor.id is not None:
        seen = set()
        node: Vendor | None = parent
        while node is not None and node.id not in seen:
            if node.id == vendor.id:
                if parent.id == vendor.id:
                    return "A vendor cannot be its own parent company."
                return (
                    f"{parent.name} is already owned, directly or not, by {vendor.name}: "
                    "choosing it as the parent would make a cycle."
                )
            seen.add(node.id)
            node = node.parent
    return None


def _validate_vendor(vendor: Vendor | None, data: dict) -> dict:
    """Check and normalise vendor data; raise VendorError listing every problem."""
    errors: dict[str, str] = {}
    clean = {k: data.get(k) for k in VENDOR_FIELDS}
    name = " ".join((data.get("name") or "").split())
    if not name:
        errors["name"] = "Enter the vendor's name."
    elif len(name) > 200:
        errors["name"] = "The name is at most 200 characters."
    else:
        existing = vendor_by_name(name)
        if existing is not None and (vendor is None or existing.id != vendor.id):
            errors["name"] = f"A vendor named {existing.name} already exists (names ignore case)."
    clean["name"] = name
    clean["legal_name"] = _text(data.get("legal_name"), 300)
    for key in ("description", "services", "notes"):
        raw = data.get(key) or ""
        if len(raw) > MAX_TEXT:
            errors[key] = f"At most {MAX_TEXT:,} characters."
        clean[key] = _text(raw, MAX_TEXT)

    lei = normalise_lei(data.get("lei") or "") or None
    if lei:
        problem = lei_problem(lei)
        if problem:
            errors["lei"] = problem
        else:
            other = db.session.scalar(select(Vendor).where(Vendor.lei == lei))
            if other is not None and (vendor is None or other.id != vendor.id):
                errors["lei"] = f"This LEI already belongs to {other.name}."
    clean["lei"] = lei

    country = (data.get("country") or "").strip().upper() or None
    if country and country not in COUNTRIES:
        errors["country"] = "Choose a country from the list (ISO 3166 two-letter code)."
    clean["country"] = country

    try:
        clean["website"] = _clean_website(data.get("website"))
    except ValueError as exc:
        errors["website"] = str(exc)

    if data.get("criticality") not in CRITICALITY_LABELS:
        errors["criticality"] = "Choose the criticality: " + ", ".join(CRITICALITY_LABELS) + "."
    if data.get("data_access") not in DATA_ACCESS_LABELS:
        errors["data_access"] = "Choose the data access: " + ", ".join(DATA_ACCESS_LABELS) + "."
    status = data.get("status") or "onboarding"
    if status not in STATUS_LABELS:
        errors["status"] = "Choose a status: " + ", ".join(STATUS_LABELS) + "."
    clean["status"] = status

    owner_id = data.get("owner_id") or None
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None:
            errors["owner_id"] = "The owner must be a user of VendorRisk."
        elif not owner.active and (vendor is None or vendor.owner_id != owner.id):
            errors["owner_id"] = f"{owner.name}'s account is disabled: choose someone else."
    clean["owner_id"] = owner_id

    parent_id = data.get("parent_id") or None
    problem = _check_parent(vendor, parent_id)
    if problem:
        errors["parent_id"] = problem
    clean["parent_id"] = parent_id

    start, end = data.get("contract_start"), data.get("contract_end")
    for key in ("contract_start", "contract_end", "renewal_date"):
        if data.get(key) is not None and not isinstance(data[key], date):
            errors[key] = "Enter a date as YYYY-MM-DD."
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["contract_end"] = "The contract cannot end before it starts."
    if errors:
        raise VendorError(errors)
    return clean


def create_vendor(data: dict) -> Vendor:
    """Add a vendor to the inventory; its risk tier is derived from its inputs."""
    clean = _validate_vendor(None, data)
    vendor = Vendor(**clean)
    vendor.name_key = vendor_name_key(vendor.name)
    vendor.risk_tier = inherent_tier(vendor.criticality, vendor.data_access).number
    if vendor.status == OFFBOARDED:
        vendor.offboarded_at = utcnow()
    db.session.add(vendor)
    db.session.flush()
    audit.record(
        "vendor.created",
        "vendor",
        vendor.id,
        details={
            "fields": sorted(k for k, v in clean.items() if v not in (None, "")),
            "risk_tier": vendor.risk_tier,
        },
    )
    return vendor


def update_vendor(vendor: Vendor, data: dict) -> list[str]:
    """Change a vendor's details; recompute its tier; return the names of changed fields."""
    clean = _validate_vendor(vendor, {**{k: getattr(vendor, k) for k in VENDOR_FIELDS}, **data})
    changed = audit.changed_fields(vendor, VENDOR_FIELDS, clean)
    vendor.name_key = vendor_name_key(vendor.name)
    tier = inherent_tier(vendor.criticality, vendor.data_access).number
    if tier != vendor.risk_tier:
        vendor.risk_tier = tier
        changed.append("risk_tier")
    if "status" in changed:
        vendor.offboarded_at = utcnow() if vendor.status == OFFBOARDED else None
    if changed:
        db.session.flush()
        audit.record("vendor.updated", "vendor", vendor.id, details={"fields": changed})
    return changed


def offboard_vendor(vendor: Vendor) -> bool:
    """Mark a vendor offboarded (vendors with history are never deleted); False if it was."""
    if vendor.status == OFFBOARDED:
        return False
    vendor.status = OFFBOARDED
    vendor.offboarded_at = utcnow()
    audit.record("vendor.offboarded", "vendor", vendor.id)
    return True


# --- contacts -------------------------------------------------------------------------------


def _validate_contact(vendor: Vendor, contact: Contact | None, data: dict) -> dict:
    errors: dict[str, str] = {}
    clean: dict = {}
    clean["name"] = _text(data.get("name"), 200)
    if not clean["name"]:
        errors["name"] = "Enter the contact's name."
    raw_email = (data.get("email") or "").strip()
    if not raw_email:
        errors["email"] = "Enter an e-mail address."
        clean["email"] = None
    else:
        try:
            clean["email"] = validate_email(
                raw_email, check_deliverability=False
            ).normalized.lower()
        except EmailNotValidError as exc:
            errors["email"] = f"This is not a valid e-mail address: {exc}"
            clean["email"] = raw_email
    phone = _text(data.get("phone"), 50)
    if phone and (not _PHONE.fullmatch(phone) or sum(ch.isdigit() for ch in phone) < 5):
        errors["phone"] = "Enter a phone number with digits, spaces, +, -, ( ) and an extension."
    clean["phone"] = phone
    clean["title"] = _text(data.get("title"), 200)
    kinds = set(data.get("kinds") or [])
    unknown = kinds - set(CONTACT_KINDS)
    if unknown:
        errors["kinds"] = "Unknown contact kind: " + ", ".join(sorted(unknown)) + "."
    for kind in CONTACT_KINDS:
        clean[f"is_{kind}"] = kind in kinds
    others = [c for c in vendor.live_contacts if contact is None or c.id != contact.id]
    if clean["is_primary"]:
        current = next((c for c in others if c.is_primary), None)
        if current is not None:
            errors["kinds"] = (
                f"{current.name} is already the primary contact; a vendor has exactly one. "
                "Use “Make primary” on the vendor page to hand the role over."
            )
    if clean["email"] and "email" not in errors:
        if any(c.email == clean["email"] for c in others):
            errors["email"] = "This vendor already has a contact with this e-mail address."
    if errors:
        raise VendorError(errors)
    return clean


def add_contact(vendor: Vendor, data: dict) -> Contact:
    """Add a contact to a vendor (at most one primary per vendor)."""
    clean = _validate_contact(vendor, None, data)
    contact = Contact(vendor=vendor, **clean)
    db.session.add(contact)
    db.session.flush()
    audit.record(
        "contact.created",
        "contact",
        contact.id,
        details={"vendor_id": vendor.id, "kinds": contact.kinds},
    )
    return contact


def update_contact(contact: Contact, data: dict) -> list[str]:
    """Change a contact's details and kinds; return the names of changed fields."""
    if contact.erased:
        raise VendorError({"name": "This contact was erased and cannot be edited."})
    clean = _validate_contact(contact.vendor, contact, data)
    fields = [*CONTACT_FIELDS, *(f"is_{kind}" for kind in CONTACT_KINDS)]
    changed = audit.changed_fields(contact, fields, clean)
    if changed:
        db.session.flush()
        audit.record(
            "contact.updated",
            "contact",
            contact.id,
            details={"vendor_id": contact.vendor_id, "fields": changed},
        )
    return changed


def make_primary(contact: Contact) -> None:
    """Hand the primary role to this contact, taking it from the current primary."""
    if contact.erased:
        raise VendorError({"kinds": "An erased contact cannot be the primary contact."})
    if contact.is_primary:
        return
    previous = contact.vendor.primary_contact
    if previous is not None:
        previous.is_primary = False
        db.session.flush()  # free the one-primary index before taking it
    contact.is_primary = True
    db.session.flush()
    audit.record(
        "contact.made_primary",
        "contact",
        contact.id,
        details={
            "vendor_id": contact.vendor_id,
            "previous_contact_id": previous.id if previous else None,
        },
    )


def campaign_recipients(vendor: Vendor) -> list[Contact]:
    """Return who a breach campaign goes to: the security contacts, else the primary."""
    live = vendor.live_contacts
    security = [c for c in live if c.is_security]
    if security:
        return security
    return [c for c in live if c.is_primary]


def contacts_by_email(email: str) -> list[Contact]:
    """Return the live contacts with this e-mail address, at every vendor."""
    key = (email or "").strip().lower()
    if not key:
        return []
    return list(
        db.session.scalars(
            select(Contact)
            .where(func.lower(Contact.email) == key, Contact.erased_at.is_(None))
            .order_by(Contact.id)
        )
    )


@dataclass
class Erasure:
    """What erasing a contact removed and kept, and what the vendor must now do."""

    contact_id: int
    vendor_id: int
    vendor_name: str
    removed: list[str]
    kept: list[tuple[str, str]] = field(default_factory=list)
    was_only_primary: bool = False

    def summary(self) -> list[str]:
        """Return the report as lines of plain text."""
        lines = [
            f"Erased contact #{self.contact_id} of {self.vendor_name} "
            f"(removed: {', '.join(self.removed)})."
        ]
        lines += [f"Kept {what}: {why}" for what, why in self.kept]
        if self.was_only_primary:
            lines.append(
                f"This was the only primary contact of {self.vendor_name}: "
                "the vendor needs a new primary contact."
            )
        return lines


def erase_contact(contact: Contact) -> Erasure:
    """Blank a contact's personal data (GDPR Art. 17), keeping the row, its id and its kinds."""
    if contact.erased:
        raise VendorError({"contact": "This contact is already erased."})
    vendor = contact.vendor
    was_only_primary = contact.is_primary and not any(
        c.is_primary for c in vendor.live_contacts if c.id != contact.id
    )
    removed = [name for name in PERSONAL_FIELDS if getattr(contact, name)]
    scrubbed = outbox.scrub_recipient(contact.email) if contact.email else 0
    for name in PERSONAL_FIELDS:
        setattr(contact, name, None)
    contact.erased_at = utcnow()
    db.session.flush()
    audit.record(
        "contact.erased",
        "contact",
        contact.id,
        details={
            "vendor_id": vendor.id,
            "fields": removed,
            "kinds": contact.kinds,
            "outbox_messages_scrubbed": scrubbed,
        },
    )
    kinds = ", ".join(contact.kinds) or "none"
    kept = [
        (
            f"the record #{contact.id}",
            "campaigns, answers and attestations refer to it by id and must still resolve.",
        ),
        (
            f"its kinds ({kinds})",
            "they show which role at the vendor must be filled again; they say nothing about "
            "the person.",
        ),
        (
            f"its link to the vendor {vendor.name}",
            "the vendor's history must show that it had this contact.",
        ),
        (
            f"{scrubbed} e-mail(s) in the outbox, with the address and text blanked",
            "the outbox keeps that a message was sent and when, not to whom or what it said.",
        ),
        (
            "the audit entries",
            "they hold ids and field names only, no personal data, and are never changed.",
        ),
    ]
    return Erasure(
        contact_id=contact.id,
        vendor_id=vendor.id,
        vendor_name=vendor.name,
        removed=removed,
        kept=kept,
        was_only_primary=was_only_primary,
    )
