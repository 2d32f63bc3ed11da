"""Test data for the vendor inventory, created through the services (flushed, never committed)."""

from itertools import count

from vendorrisk.vendors import catalogue, services

_n = count(1)


def make_vendor(name: str | None = None, **fields):
    """Create a vendor with sensible defaults."""
    data = {
        "name": name or f"Vendor {next(_n)}",
        "criticality": "moderate",
        "data_access": "internal",
        "status": "active",
    }
    data.update(fields)
    return services.create_vendor(data)


def make_contact(vendor, kinds=("primary",), **fields):
    """Add a contact to a vendor."""
    n = next(_n)
    data = {
        "name": f"Person {n}",
        "email": f"person{n}@vendor{vendor.id}.example",
        "kinds": list(kinds),
    }
    data.update(fields)
    return services.add_contact(vendor, data)


def make_product(name: str, supplier: str = "Supplier", aliases=(), versions=()):
    """Add a catalogue product."""
    return catalogue.create_product(
        {
            "supplier": supplier,
            "name": name,
            "aliases": list(aliases),
            "known_versions": list(versions),
        }
    )


def vendor_form(**overrides) -> dict:
    """Return a valid vendor form post."""
    data = {
        "name": "Acme Payroll",
        "legal_name": "",
        "lei": "",
        "country": "GB",
        "parent_id": "",
        "website": "acme-payroll.example",
        "services": "Payroll",
        "criticality": "critical",
        "data_access": "regulated",
        "owner_id": "",
        "status": "active",
        "contract_start": "",
        "contract_end": "",
        "renewal_date": "",
        "description": "",
        "notes": "",
    }
    data.update(overrides)
    return data
