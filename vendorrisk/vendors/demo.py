"""Demo vendors and products (all fictional) for `flask demo`; running it twice adds nothing."""

import re
from datetime import date

from sqlalchemy import select

from vendorrisk.accounts.models import User
from vendorrisk.extensions import db
from vendorrisk.vendors import catalogue, services
from vendorrisk.vendors.lei import with_check_digits
from vendorrisk.vendors.matching import find_products

ADMIN = "admin@vendorrisk.example"
MANAGER = "manager@vendorrisk.example"
COMPLIANCE = "compliance@vendorrisk.example"

ORION_AFFECTED = ("2019.4 HF 5", "2020.2", "2020.2 HF 1")
ORION_NOT_AFFECTED = ("2019.4 HF 6", "2020.2.1 HF 1", "2020.2.1 HF 2")

PRODUCTS = [
    ("Mimecast", "Mimecast Secure Email Gateway", ["Mimecast SEG", "Mimecast Email Security"], []),
    ("Mimecast", "Mimecast Sync and Recover", ["Mimecast S&R", "Mimecast Sync & Recover"], []),
    ("Mimecast", "Mimecast Continuity Monitor", ["Mimecast CM"], []),
    ("Mimecast", "Mimecast Internal Email Protect", ["Mimecast IEP"], []),
    ("Microsoft", "Microsoft 365", ["Office 365", "O365", "M365"], []),
    (
        "SolarWinds",
        "SolarWinds Orion Platform",
        ["SolarWinds Orion", "Orion Platform"],
        [*ORION_AFFECTED, *ORION_NOT_AFFECTED],
    ),
    ("Progress Software", "MOVEit Transfer", ["Progress MOVEit Transfer"], []),
    ("Apache Software Foundation", "Apache Log4j", ["Log4j", "log4j2"], ["2.14.1", "2.17.1"]),
]

# name, legal suffix, country, criticality, data access, status, owner, services, products
# (product name or alias, versions, subcontractor), parent
VENDORS = [
    (
        "Harbourline Group Holdings",
        "plc",
        "GB",
        "moderate",
        "none",
        "active",
        ADMIN,
        "Holding company of the Harbourline payroll and pensions businesses.",
        [],
        None,
    ),
    (
        "Harbourline Payroll Services",
        "Ltd",
        "GB",
        "critical",
        "regulated",
        "active",
        MANAGER,
        "Monthly payroll for all UK staff, payslips and HMRC filings.",
        [("Microsoft 365", "", ""), ("Mimecast SEG", "", ""), ("Mimecast S&R", "", "")],
        "Harbourline Group Holdings",
    ),
    (
        "Everfield Pension Administration",
        "Ltd",
        "GB",
        "critical",
        "regulated",
        "active",
        MANAGER,
        "Administration of the staff pension scheme and member records.",
        [("Mimecast Internal Email Protect", "", ""), ("O365", "", "")],
        "Harbourline Group Holdings",
    ),
    (
        "Stratusvault Backup",
        "GmbH",
        "DE",
        "high",
        "confidential",
        "active",
        MANAGER,
        "Off-site cloud backup of file servers and mailboxes.",
        [("Mimecast Sync and Recover", "", ""), ("SolarWinds Orion", "2020.2 HF 1", "")],
        None,
    ),
    (
        "Keyrow Managed IT",
        "Ltd",
        "GB",
        "critical",
        "confidential",
        "active",
        MANAGER,
        "Managed service provider: desktop support, patching and network monitoring.",
        [
            ("SolarWinds Orion Platform", "2019.4 HF 5", ""),
            ("Mimecast Continuity Monitor", "", ""),
            ("Microsoft 365", "", ""),
        ],
        None,
    ),
    (
        "Ashgrove & Pell",
        "LLP",
        "GB",
        "high",
        "regulated",
        "active",
        COMPLIANCE,
        "External legal counsel for employment and commercial contracts.",
        [
            ("Microsoft 365", "", ""),
            ("Mimecast Secure Email Gateway", "", "Keyrow Managed IT"),
            ("Mimecast Sync and Recover", "", "Keyrow Managed IT"),
        ],
        None,
    ),
    (
        "Meridale Market Data",
        "Inc.",
        "US",
        "critical",
        "internal",
        "active",
        MANAGER,
        "Real-time and end-of-day market prices for the trading desks.",
        [("Microsoft 365", "", "")],
        None,
    ),
    (
        "Polderlight Cloud Hosting",
        "B.V.",
        "NL",
        "high",
        "confidential",
        "active",
        MANAGER,
        "Hosting of the client portal and its databases.",
        [("SolarWinds Orion", "2020.2.1 HF 2", "")],
        None,
    ),
    (
        "Ferncliff Print & Mail",
        "Ltd",
        "IE",
        "moderate",
        "regulated",
        "active",
        ADMIN,
        "Printing and posting of client statements.",
        [("Mimecast IEP", "", "")],
        None,
    ),
    (
        "Bluecrest Card Processing",
        "S.A.",
        "LU",
        "critical",
        "regulated",
        "active",
        MANAGER,
        "Card payment processing for client subscriptions.",
        [("MOVEit Transfer", "", "")],
        None,
    ),
    (
        "Larkspur HR Software",
        "Oy",
        "FI",
        "high",
        "regulated",
        "active",
        MANAGER,
        "HR information system: staff records, absence, performance reviews.",
        [("Microsoft 365", "", ""), ("Apache Log4j", "2.14.1", "")],
        None,
    ),
    (
        "Cobaltridge Security",
        "Ltd",
        "GB",
        "moderate",
        "confidential",
        "active",
        ADMIN,
        "Annual penetration tests and red-team exercises.",
        [],
        None,
    ),
    (
        "Tidewater Facilities Management",
        "Ltd",
        "IE",
        "low",
        "none",
        "active",
        MANAGER,
        "Cleaning, maintenance and security of the Dublin office.",
        [],
        None,
    ),
    (
        "Quillon Translation Services",
        "SARL",
        "FR",
        "low",
        "confidential",
        "active",
        COMPLIANCE,
        "Translation of contracts and regulatory filings.",
        [],
        None,
    ),
    (
        "Granitepeak Data Centres",
        "Ltd",
        "GB",
        "critical",
        "internal",
        "active",
        MANAGER,
        "Colocation for the primary and secondary data centre racks.",
        [("SolarWinds Orion Platform", "2019.4 HF 6", "")],
        None,
    ),
    (
        "Silverbirch Recruitment",
        "Ltd",
        "GB",
        "low",
        "regulated",
        "active",
        COMPLIANCE,
        "Recruitment of permanent staff; handles candidates' CVs.",
        [("Office 365", "", "")],
        None,
    ),
    (
        "Orchard Lane Catering",
        "Ltd",
        "GB",
        "low",
        "none",
        "offboarded",
        ADMIN,
        "Staff canteen (contract ended).",
        [],
        None,
    ),
    (
        "Vantage Hill Analytics",
        "Pte. Ltd.",
        "SG",
        "moderate",
        "confidential",
        "active",
        MANAGER,
        "Client analytics dashboards built on our data warehouse extracts.",
        [("Microsoft 365", "", "")],
        None,
    ),
    (
        "Helvetic Custody Services",
        "AG",
        "CH",
        "critical",
        "regulated",
        "active",
        MANAGER,
        "Safekeeping of client assets and settlement.",
        [("Mimecast Secure Email Gateway", "", ""), ("Mimecast Continuity Monitor", "", "")],
        None,
    ),
    (
        "Copperleaf Document Archiving",
        "Ltd",
        "GB",
        "moderate",
        "regulated",
        "active",
        COMPLIANCE,
        "Long-term archiving of signed client documents and e-mail.",
        [("mimecast  s&r", "", "")],
        None,
    ),
    (
        "Redfern Voice",
        "Pty Ltd",
        "AU",
        "high",
        "internal",
        "active",
        MANAGER,
        "Cloud telephony and call recording for the Sydney office.",
        [],
        None,
    ),
    (
        "Kestrelgate IT Support",
        "Sp. z o.o.",
        "PL",
        "high",
        "confidential",
        "active",
        MANAGER,
        "Out-of-hours IT help desk and server monitoring.",
        [("SolarWinds Orion", "2020.2", ""), ("Microsoft 365", "", "")],
        None,
    ),
    (
        "Amberley Compliance Training",
        "Ltd",
        "GB",
        "low",
        "internal",
        "active",
        COMPLIANCE,
        "Online compliance courses and completion records.",
        [],
        None,
    ),
    (
        "Swiftmoor Couriers",
        "Ltd",
        "GB",
        "low",
        "internal",
        "active",
        ADMIN,
        "Same-day courier for documents between offices.",
        [],
        None,
    ),
    (
        "Hollybank Marketing",
        "Ltd",
        "GB",
        "moderate",
        "regulated",
        "onboarding",
        MANAGER,
        "Client newsletters and event invitations; holds the mailing list.",
        [("Mimecast Secure Email Gateway", "", "Keyrow Managed IT")],
        None,
    ),
    (
        "Pinecrest Actuarial Consulting",
        "LLP",
        "GB",
        "moderate",
        "confidential",
        "active",
        COMPLIANCE,
        "Actuarial valuation of the pension scheme.",
        [],
        None,
    ),
    (
        "Bellhaven Insurance Brokers",
        "DAC",
        "IE",
        "high",
        "regulated",
        "active",
        MANAGER,
        "Brokering of professional indemnity and cyber insurance.",
        [("Microsoft 365", "", "")],
        None,
    ),
    (
        "Saltmarsh Secure Shredding",
        "Ltd",
        "GB",
        "low",
        "confidential",
        "active",
        ADMIN,
        "Collection and certified destruction of paper records.",
        [],
        None,
    ),
    (
        "Corvid Threat Intelligence",
        "Inc.",
        "US",
        "moderate",
        "internal",
        "active",
        MANAGER,
        "Threat-intelligence feeds and breach notifications.",
        [("SolarWinds Orion", "2020.2.1 HF 1", "")],
        None,
    ),
    (
        "Tamarind Software Escrow",
        "Ltd",
        "GB",
        "low",
        "confidential",
        "onboarding",
        COMPLIANCE,
        "Escrow of source code for the trading platform.",
        [],
        None,
    ),
    (
        "Westbrook Office Supplies",
        "Ltd",
        "GB",
        "low",
        "none",
        "onboarding",
        ADMIN,
        "Stationery and office furniture.",
        [],
        None,
    ),
]

FIRST = [
    "Alex",
    "Bea",
    "Chidi",
    "Dana",
    "Eoin",
    "Farah",
    "Goran",
    "Hana",
    "Idris",
    "Jun",
    "Kaja",
    "Liam",
    "Mira",
    "Nils",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
]
LAST = [
    "Abbott",
    "Brennan",
    "Castell",
    "Duarte",
    "Ekwueme",
    "Fischer",
    "Grady",
    "Horvat",
    "Iqbal",
    "Jansen",
    "Kowal",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
]
# (kinds, job title) of the contacts each vendor gets, by how large the vendor's tier is.
CONTACT_SETS = {
    1: [
        (["primary"], "Account Director"),
        (["security"], "Chief Information Security Officer"),
        (["executive"], "Chief Executive Officer"),
        (["privacy"], "Data Protection Officer"),
    ],
    2: [(["primary"], "Client Services Manager"), (["security", "privacy"], "Head of IT Security")],
    3: [(["primary", "security"], "Operations Manager")],
    4: [(["primary"], "Account Manager")],
}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _demo_lei(index: int, name: str) -> str:
    letters = "".join(ch for ch in name.upper() if ch.isalnum())
    return with_check_digits(f"9845{index:04d}DEMO{letters[:6]:0<6}")


def _ensure_products() -> None:
    for supplier, name, aliases, versions in PRODUCTS:
        if not find_products(name):
            catalogue.create_product(
                {"supplier": supplier, "name": name, "aliases": aliases, "known_versions": versions}
            )


def _contacts(vendor, index: int) -> None:
    domain = f"{_slug(vendor.name)}.example"
    for offset, (kinds, title) in enumerate(CONTACT_SETS[vendor.risk_tier]):
        first = FIRST[(index * 3 + offset) % len(FIRST)]
        last = LAST[(index * 5 + offset * 7) % len(LAST)]
        services.add_contact(
            vendor,
            {
                "name": f"{first} {last}",
                "email": f"{first}.{last}@{domain}".lower(),
                "phone": f"+44 20 7946 {index:02d}{offset:02d}",
                "title": title,
                "kinds": kinds,
            },
        )


def _contract_dates(index: int, status: str, today: date | None = None) -> tuple[date, date]:
    """Three-year contracts that began up to three years ago, so the demo never looks stale;
    an offboarded vendor's contract ended last year."""
    today = today or date.today()
    months_ago = 1 + (index * 7) % 34
    total = today.year * 12 + today.month - 1 - months_ago
    start = date(total // 12, total % 12 + 1, 1)
    if status == "offboarded":
        return start.replace(year=start.year - 3), date(today.year - 1, 6, 30)
    return start, start.replace(year=start.year + 3)


def load_demo_vendors() -> None:
    """Create the demo catalogue and vendors that do not exist yet."""
    _ensure_products()
    owners = {u.email: u.id for u in db.session.scalars(select(User))}
    for index, row in enumerate(VENDORS):
        name, suffix, country, criticality, access, status, owner, what, uses, parent = row
        if services.vendor_by_name(name) is not None:
            continue
        parent_vendor = services.vendor_by_name(parent) if parent else None
        start, end = _contract_dates(index, status)
        vendor = services.create_vendor(
            {
                "name": name,
                "legal_name": f"{name} {suffix}",
                "lei": _demo_lei(index, name) if index % 3 == 0 else None,
                "country": country,
                "parent_id": parent_vendor.id if parent_vendor else None,
                "website": f"https://www.{_slug(name)}.example",
                "services": what,
                "description": f"{name} {suffix} ({country}).",
                "criticality": criticality,
                "data_access": access,
                "status": status,
                "owner_id": owners.get(owner),
                "contract_start": start,
                "contract_end": end,
                "renewal_date": date(end.year, end.month, 1) if status != "offboarded" else None,
            }
        )
        _contacts(vendor, index)
        for product_name, versions, via in uses:
            product = find_products(product_name)[0]
            catalogue.add_product_use(vendor, product.id, versions, via)
    db.session.flush()
