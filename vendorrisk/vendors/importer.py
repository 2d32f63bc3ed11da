"""CSV import of vendors, their contacts and the products they use (layout: docs/vendor-import.md).

A file is read whole, checked for encoding, shape and headers, then every row is applied in
its own savepoint through the same services the forms use. A preview runs exactly that and
rolls it all back, so what the preview promises is what an import does.
"""

import csv
import io
import re
import secrets
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from vendorrisk.accounts.services import user_by_email
from vendorrisk.audit import services as audit
from vendorrisk.core import blobs
from vendorrisk.core.fields import DAY_RANGE_MESSAGE, EARLIEST_DAY, LATEST_DAY
from vendorrisk.extensions import db
from vendorrisk.vendors import catalogue, services
from vendorrisk.vendors.countries import COUNTRIES
from vendorrisk.vendors.matching import find_products
from vendorrisk.vendors.models import CONTACT_KINDS, STATUS_LABELS
from vendorrisk.vendors.risk import CRITICALITY_LABELS, DATA_ACCESS_LABELS
from vendorrisk.vendors.services import VendorError

MAX_BYTES = 2 * 1024 * 1024
KEEP_UPLOADS_SECONDS = 24 * 3600
RECORD_TYPES = ("vendor", "contact", "product")
VENDOR_COLUMNS = (
    "legal_name",
    "lei",
    "country",
    "parent",
    "website",
    "criticality",
    "data_access",
    "status",
    "owner_email",
    "contract_start",
    "contract_end",
    "renewal_date",
    "services",
    "description",
    "notes",
)
CONTACT_COLUMNS = (
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_title",
    "contact_kinds",
)
PRODUCT_COLUMNS = ("product", "supplier", "versions", "subcontractor")
COLUMNS = ("record_type", "vendor", *VENDOR_COLUMNS, *CONTACT_COLUMNS, *PRODUCT_COLUMNS)
REQUIRED_COLUMNS = ("record_type", "vendor")
# A header names each column once at most; a longer one is refused before it is looked at.
MAX_COLUMNS = len(COLUMNS)
_LISTED_NAMES = 10
# Service field -> the CSV column a person should fix.
_FIELD_COLUMNS = {
    "vendor": {"name": "vendor", "parent_id": "parent", "owner_id": "owner_email"},
    "contact": {
        "name": "contact_name",
        "email": "contact_email",
        "phone": "contact_phone",
        "title": "contact_title",
        "kinds": "contact_kinds",
    },
    "product": {
        "product_id": "product",
        "name": "product",
        "supplier_vendor_id": "supplier",
        "known_versions": "versions",
        "aliases": "product",
    },
}
_UPLOAD_NAME = re.compile(r"[0-9a-f]{32}")


class ImportFileError(ValueError):
    """A file that cannot be imported at all; nothing in it is read further."""


@dataclass
class RowResult:
    """What one row of the file does, or why it cannot."""

    number: int
    record_type: str
    vendor: str
    summary: str
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    """The outcome of a preview or an import, row by row."""

    rows: list[RowResult]
    applied: bool = False

    @property
    def bad_rows(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    @property
    def good_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    def counts(self) -> dict[str, int]:
        """Count the valid rows of each record type."""
        return {t: sum(1 for r in self.good_rows if r.record_type == t) for t in RECORD_TYPES}


# --- reading the file ----------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """Return the text of an upload: UTF-8, with or without a byte-order mark."""
    if len(raw) > MAX_BYTES:
        raise ImportFileError(
            f"The file is {len(raw) / 1024 / 1024:.1f} MiB; the limit is 2 MiB. "
            "Split it into smaller files."
        )
    if not raw.strip():
        raise ImportFileError("The file is empty.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is not UTF-8 text (byte 0x{raw[exc.start]:02X} at position {exc.start} "
            "is not valid UTF-8). In your spreadsheet, save it as “CSV UTF-8” and upload it again."
        ) from exc


def _names(names: list[str]) -> str:
    shown = ", ".join(f"“{h[:40]}”" for h in names[:_LISTED_NAMES])
    more = len(names) - _LISTED_NAMES
    return shown + (f" and {more:,} more" if more > 0 else "")


def parse(text: str) -> list[tuple[int, dict[str, str]]]:
    """Parse CSV text into (row number, cells by column) pairs; the header is row 1."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise ImportFileError(f"The file is not well-formed CSV: {exc}.") from exc
    if not rows:
        raise ImportFileError("The file is empty.")
    if len(rows[0]) > MAX_COLUMNS:
        raise ImportFileError(
            f"The header has {len(rows[0]):,} columns; an import file has at most "
            f"{MAX_COLUMNS}, each named once. The columns are: " + ", ".join(COLUMNS) + "."
        )
    header = [h.strip().lower() for h in rows[0]]
    if len(header) == 1 and ";" in header[0]:
        raise ImportFileError(
            "The header is one column with semicolons: separate the columns with commas."
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ImportFileError(
            "Unknown column"
            + ("s" if len(unknown) > 1 else "")
            + ": "
            + _names(unknown)
            + ". The columns are: "
            + ", ".join(COLUMNS)
            + "."
        )
    duplicates = sorted(h for h, n in Counter(header).items() if n > 1)
    if duplicates:
        raise ImportFileError("Columns named more than once: " + ", ".join(duplicates) + ".")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFileError("Required columns are missing: " + ", ".join(missing) + ".")
    records = []
    for index, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            records.append(
                (
                    index,
                    {
                        "__error__": (
                            f"The row has {len(cells)} cells; the header has {len(header)} columns."
                        )
                    },
                )
            )
            continue
        cells = cells + [""] * (len(header) - len(cells))
        records.append((index, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    if not records:
        raise ImportFileError("The file has a header but no rows.")
    return records


def read(raw: bytes) -> list[tuple[int, dict[str, str]]]:
    """Decode and parse an uploaded file; raise ImportFileError with a clear message."""
    return parse(decode(raw))


# --- keeping the upload between preview and confirmation -------------------------------------


def _discard_old(store: blobs.Store) -> None:
    cutoff = time.time() - KEEP_UPLOADS_SECONDS
    if isinstance(store, blobs.LocalStore):
        for old in store.folder(blobs.IMPORTS).glob("*.csv"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        return
    for stored in store.names(blobs.IMPORTS):  # names start with their time of creation
        if _UPLOAD_NAME.fullmatch(stored.removesuffix(".csv")) and int(stored[:10], 16) < cutoff:
            store.delete(blobs.IMPORTS, stored)


def store_upload(raw: bytes) -> str:
    """Keep an uploaded file in the file store (instance/imports by default, or the bucket, so
    that the confirmation may reach another host); return its name."""
    store = blobs.store()
    _discard_old(store)
    name = f"{int(time.time()):010x}{secrets.token_hex(11)}"
    fd, tmp = tempfile.mkstemp(dir=store.staging_dir(blobs.IMPORTS), prefix=".import-")
    with open(fd, "wb") as out:
        out.write(raw)
    try:
        store.put_file(blobs.IMPORTS, f"{name}.csv", Path(tmp))
    finally:
        Path(tmp).unlink(missing_ok=True)
    return name


def load_upload(name: str | None) -> bytes | None:
    """Return a kept upload's bytes, or None when it is gone or the name is not ours."""
    if not name or not _UPLOAD_NAME.fullmatch(name):
        return None
    try:
        return b"".join(blobs.store().open(blobs.IMPORTS, f"{name}.csv").chunks())
    except FileNotFoundError:
        return None


def discard_upload(name: str | None) -> None:
    """Delete a kept upload."""
    if name and _UPLOAD_NAME.fullmatch(name):
        blobs.store().delete(blobs.IMPORTS, f"{name}.csv")


# --- applying rows -------------------------------------------------------------------------


def _choice(value: str, labels: dict[str, str], column: str, errors: dict, aliases=None) -> str:
    if not value:
        errors[column] = f"Enter the {column.replace('_', ' ')}: " + ", ".join(labels) + "."
        return ""
    folded = value.strip().lower()
    for key, label in labels.items():
        if folded in (key, label.lower()) or (aliases and aliases.get(folded) == key):
            return key
    errors[column] = f"“{value}” is not one of: " + ", ".join(labels) + "."
    return ""


def _date(value: str, column: str, errors: dict) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors[column] = f"“{value}” is not a date; write it as YYYY-MM-DD."
        return None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        errors[column] = DAY_RANGE_MESSAGE
        return None
    return day


def _vendor_row(row: dict) -> str:
    errors: dict[str, str] = {}
    name = row.get("vendor", "")
    if name and services.vendor_by_name(name) is not None:
        raise VendorError(
            {
                "vendor": "A vendor with this name is already in the inventory or in "
                "an earlier row of this file (names ignore case). Edit "
                "existing vendors in the app; contact and product rows "
                "can add to them."
            }
        )
    data = {
        "name": name,
        "legal_name": row.get("legal_name"),
        "lei": row.get("lei"),
        "website": row.get("website"),
        "services": row.get("services"),
        "description": row.get("description"),
        "notes": row.get("notes"),
        "criticality": _choice(
            row.get("criticality", ""), CRITICALITY_LABELS, "criticality", errors
        ),
        "data_access": _choice(
            row.get("data_access", ""),
            DATA_ACCESS_LABELS,
            "data_access",
            errors,
            aliases={"personal": "regulated", "personal data": "regulated"},
        ),
        "status": _choice(row.get("status") or "onboarding", STATUS_LABELS, "status", errors),
        "contract_start": _date(row.get("contract_start", ""), "contract_start", errors),
        "contract_end": _date(row.get("contract_end", ""), "contract_end", errors),
        "renewal_date": _date(row.get("renewal_date", ""), "renewal_date", errors),
    }
    country = row.get("country", "")
    if country and country.upper() not in COUNTRIES:
        by_name = {n.lower(): c for c, n in COUNTRIES.items()}
        country = by_name.get(country.lower(), country)
    data["country"] = country
    if row.get("parent"):
        parent = services.vendor_by_name(row["parent"])
        if parent is None:
            errors["parent"] = (
                f"No vendor named “{row['parent']}” in the inventory or in an "
                "earlier row of this file."
            )
        data["parent_id"] = parent.id if parent else None
    if row.get("owner_email"):
        owner = user_by_email(row["owner_email"])
        if owner is None:
            errors["owner_email"] = f"No user with the e-mail address {row['owner_email']}."
        data["owner_id"] = owner.id if owner else None
    try:
        services.create_vendor(data)
    except VendorError as exc:
        errors = {**_columns(exc.errors, "vendor"), **errors}
    if errors:
        raise VendorError(errors)
    return "New vendor"


def _existing_vendor(row: dict, failed_vendors: dict[str, int]):
    name = row.get("vendor", "")
    vendor = services.vendor_by_name(name) if name else None
    if vendor is None:
        key = services.vendor_name_key(name)
        if key in failed_vendors:
            raise VendorError(
                {"vendor": f"The vendor's own row (row {failed_vendors[key]}) has errors."}
            )
        raise VendorError(
            {
                "vendor": f"No vendor named “{name}” in the inventory or in an "
                "earlier row of this file."
            }
        )
    return vendor


def _contact_row(row: dict, failed_vendors: dict[str, int]) -> str:
    vendor = _existing_vendor(row, failed_vendors)
    kinds = [k.lower() for k in re.split(r"[;,\s]+", row.get("contact_kinds", "")) if k]
    data = {
        "name": row.get("contact_name"),
        "email": row.get("contact_email"),
        "phone": row.get("contact_phone"),
        "title": row.get("contact_title"),
        "kinds": kinds,
    }
    if set(kinds) - set(CONTACT_KINDS):
        raise VendorError(
            {
                "contact_kinds": "Kinds are "
                + ", ".join(CONTACT_KINDS)
                + ", separated by semicolons."
            }
        )
    services.add_contact(vendor, data)
    return f"New contact ({', '.join(kinds) or 'no kind'})"


def _product_row(row: dict, failed_vendors: dict[str, int]) -> str:
    vendor = _existing_vendor(row, failed_vendors)
    name = row.get("product", "")
    if not name:
        raise VendorError({"product": "Name the product (its catalogue name or an alias)."})
    found = find_products(name)
    summary = ""
    if found:
        product = found[0]
    elif row.get("supplier"):
        product = catalogue.create_product({"supplier": row["supplier"], "name": name})
        summary = " (new in the catalogue)"
    else:
        raise VendorError(
            {
                "product": f"“{name}” is not in the catalogue; add it there first, "
                "or fill the supplier column to add it with this row."
            }
        )
    catalogue.add_product_use(
        vendor, product.id, row.get("versions", ""), row.get("subcontractor", "")
    )
    how = f" through {row['subcontractor']}" if row.get("subcontractor") else ""
    return f"Uses {product.name}{summary}{how}"


def _columns(errors: dict[str, str], record_type: str) -> dict[str, str]:
    names = _FIELD_COLUMNS[record_type]
    return {names.get(k, k): v for k, v in errors.items()}


_APPLY = {"contact": _contact_row, "product": _product_row}


def run(
    records: list[tuple[int, dict[str, str]]],
    *,
    apply: bool,
    valid_only: bool = False,
) -> ImportReport:
    """Apply rows, each in its own savepoint; keep the result only when asked and allowed.

    With `apply` false this is the preview: everything is rolled back. With `apply` true the
    rows are kept if every row is valid, or, with `valid_only`, the valid rows are kept.
    """
    results: list[RowResult] = []
    failed_vendors: dict[str, int] = {}
    outer = db.session.begin_nested()
    for number, row in records:
        record_type = (row.get("record_type") or "").lower()
        result = RowResult(number, record_type, row.get("vendor", ""), "")
        results.append(result)
        if "__error__" in row:
            result.errors.append(row["__error__"])
            continue
        if record_type not in RECORD_TYPES:
            result.errors.append("record_type: use one of " + ", ".join(RECORD_TYPES) + ".")
            continue
        if not row.get("vendor"):
            result.errors.append("vendor: every row names its vendor.")
            continue
        savepoint = db.session.begin_nested()
        try:
            if record_type == "vendor":
                result.summary = _vendor_row(row)
            else:
                result.summary = _APPLY[record_type](row, failed_vendors)
            savepoint.commit()
        except VendorError as exc:
            savepoint.rollback()
            result.errors += [f"{column}: {message}" for column, message in exc.errors.items()]
        except IntegrityError:
            savepoint.rollback()
            result.errors.append("It conflicts with data saved meanwhile; preview again.")
        if result.errors and record_type == "vendor":
            failed_vendors.setdefault(services.vendor_name_key(result.vendor), number)
    report = ImportReport(results)
    keep = apply and (not report.bad_rows or valid_only) and report.good_rows
    if keep:
        outer.commit()
        report.applied = True
        audit.record(
            "vendors.imported",
            details={
                "rows": len(report.good_rows),
                "skipped_rows": len(report.bad_rows),
                **report.counts(),
            },
        )
    else:
        outer.rollback()
    return report
