"""Add contracts, find overlaps, and move the register in and out as CSV (linear, capped)."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from vendorrisk.audit import services as audit
from vendorrisk.contracts.models import Contract
from vendorrisk.contracts.schemas import ContractIn, field_errors
from vendorrisk.extensions import db
from vendorrisk.vendors.models import Vendor
from vendorrisk.vendors.services import vendor_by_name

FIELDS = tuple(ContractIn.model_fields)
CSV_COLUMNS = ("vendor", *FIELDS)
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


class ContractError(ValueError):
    """Input that cannot be saved; `errors` maps field (or column) to message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def validate(data: dict) -> ContractIn:
    """Apply the one contract schema, raising ContractError with a message per field."""
    try:
        return ContractIn.model_validate(data)
    except ValidationError as exc:
        raise ContractError(field_errors(exc)) from exc


def add_contract(vendor: Vendor, data: dict) -> Contract:
    """Add a contract to a vendor's register (its reference unique for that vendor)."""
    given = validate(data)
    ref = given.contractual_arrangement_reference_number
    clash = db.session.scalar(
        select(Contract.id).filter_by(
            vendor_id=vendor.id, contractual_arrangement_reference_number=ref
        )
    )
    if clash:
        raise ContractError(
            {
                "contractual_arrangement_reference_number": f"{vendor.name} already has contract {ref}."
            }
        )
    contract = Contract(vendor_id=vendor.id, **given.model_dump())
    db.session.add(contract)
    db.session.flush()
    audit.record("contracts.added", "contract", contract.id, details={"reference": ref})
    return contract


def contracts_of(vendor_id: int) -> list[Contract]:
    """A vendor's contracts, oldest first."""
    return list(
        db.session.scalars(
            select(Contract)
            .filter_by(vendor_id=vendor_id)
            .order_by(Contract.start_date_of_the_contractual_arrangement, Contract.id)
        )
    )


def overlaps(contracts: list[Contract]) -> list[tuple[Contract, Contract]]:
    """Pairs of a vendor's contracts whose periods overlap (shown, never merged)."""
    pairs = []
    ordered = sorted(contracts, key=lambda c: c.start_date_of_the_contractual_arrangement)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            end = a.end_date_of_the_contractual_arrangement
            if end is not None and b.start_date_of_the_contractual_arrangement > end:
                break
            pairs.append((a, b))
    return pairs


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def export_csv() -> str:
    """Every contract, one row each, with the columns the import reads."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows = db.session.execute(
        select(Vendor.name, Contract)
        .join(Vendor, Vendor.id == Contract.vendor_id)
        .order_by(Vendor.name, Contract.id)
    )
    for vendor_name, contract in rows:
        cells = [_cell(getattr(contract, f)) for f in FIELDS]
        # A cell a spreadsheet would run as a formula is written as text.
        writer.writerow([("'" + c if c[:1] in "=+-@\t\r" else c) for c in (vendor_name, *cells)])
    return out.getvalue()


@dataclass
class ImportResult:
    """Rows imported, or the errors that kept the whole file out."""

    imported: int = 0
    errors: list[str] = field(default_factory=list)


def import_csv(raw: bytes) -> ImportResult:
    """Import a contracts file whole, or nothing, saying row by row what is wrong."""
    result = ImportResult()
    if len(raw) > MAX_BYTES:
        result.errors.append("The file is larger than 2 MiB: split it.")
        return result
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append("The file is not UTF-8 text: save it as “CSV UTF-8”.")
        return result
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        result.errors.append(f"The file is not well-formed CSV: {exc}.")
        return result
    header = list(rows[0].keys()) if rows else []
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if not rows:
        result.errors.append("The file has no rows.")
    elif len(rows) > MAX_ROWS:
        result.errors.append(f"The file has {len(rows):,} rows; the limit is {MAX_ROWS:,}.")
    elif unknown or "vendor" not in header:
        result.errors.append(
            "The columns are: "
            + ", ".join(CSV_COLUMNS)
            + ". Unknown: "
            + ", ".join(map(str, unknown))
        )
    if result.errors:
        return result
    savepoint = db.session.begin_nested()
    for number, row in enumerate(rows, start=2):
        if None in row:
            result.errors.append(f"Row {number}: more cells than columns.")
            continue
        vendor = vendor_by_name(row.pop("vendor") or "")
        if vendor is None:
            result.errors.append(f"Row {number}: vendor: no vendor of that name.")
            continue
        data = {k: (v[1:] if v.startswith("'") and v[1:2] in "=+-@" else v) for k, v in row.items()}
        try:
            add_contract(vendor, data)
        except ContractError as exc:
            result.errors += [f"Row {number}: {k}: {v}" for k, v in exc.errors.items()]
    if result.errors:
        savepoint.rollback()
    else:
        savepoint.commit()
        result.imported = len(rows)
    return result


def upcoming_dates(
    today: date, days: int = 90, limit: int = 10, owned=None
) -> list[tuple[date, str, Contract]]:
    """Renewal and notice dates in the coming `days`, soonest first (one query). `owned`
    limits the vendors (a SQL condition on Vendor.owner_id, as the dashboard's scope gives)."""
    end = today + timedelta(days=days)
    query = select(Contract).options(joinedload(Contract.vendor))
    if owned is not None:
        query = query.join(Vendor, Vendor.id == Contract.vendor_id).where(owned(Vendor.owner_id))
    rows = db.session.scalars(
        query.where(
            or_(
                Contract.renewal_date.between(today, end),
                Contract.notice_date.between(today, end),
            )
        ).order_by(Contract.id)
    ).all()
    dates = [
        (day, kind, c)
        for c in rows
        for day, kind in ((c.notice_date, "notice"), (c.renewal_date, "renewal"))
        if day is not None and today <= day <= end
    ]
    return sorted(dates, key=lambda d: (d[0], d[1]))[:limit]
