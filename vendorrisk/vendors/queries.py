"""Reading the vendor list: search, filters, sorting, and rows for the CSV export."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ARRAY, Integer, Select, any_, case, func, literal, or_, select
from sqlalchemy.orm import joinedload, selectinload

from vendorrisk.core.spreadsheet import csv_text
from vendorrisk.extensions import db
from vendorrisk.review.queries import accepted_baselines
from vendorrisk.vendors.models import (
    ACTIVE,
    OFFBOARDED,
    ONBOARDING,
    ProductUse,
    Vendor,
)
from vendorrisk.vendors.risk import CRITICALITY_LABELS, DATA_ACCESS_LABELS

SORTS = {
    "name": "Name",
    "tier": "Tier",
    "criticality": "Criticality",
    "status": "Status",
    "renewal": "Renewal",
}
ANY_STATUS = "any"
STALE = "stale"


def _sort_columns(key: str) -> list[Any]:
    criticality_rank = case(
        {name: rank for rank, name in enumerate(CRITICALITY_LABELS)}, value=Vendor.criticality
    )
    status_rank = case({ONBOARDING: 0, ACTIVE: 1, OFFBOARDED: 2}, value=Vendor.status)
    columns: dict[str, list[Any]] = {
        "name": [Vendor.name_key],
        "tier": [Vendor.risk_tier],
        "criticality": [criticality_rank],
        "status": [status_rank],
        "renewal": [Vendor.renewal_date.is_(None), Vendor.renewal_date],
    }
    return columns[key]


def _among(ids: set[int] | Select):
    """Vendor.id in a set of ids (or a query selecting them); on PostgreSQL a set goes as one
    array parameter (thousands of bound values in an IN list cost more to plan there than the
    query itself)."""
    if isinstance(ids, Select):
        return Vendor.id.in_(ids)
    if db.session.get_bind().dialect.name == "postgresql":
        return Vendor.id == any_(literal(sorted(ids), type_=ARRAY(Integer)))
    return Vendor.id.in_(sorted(ids))


def vendor_list(
    filters: dict, sort: str = "name", only_ids: set[int] | Select | None = None
) -> Select:
    """Return the query behind the vendor list, with everything it shows loaded eagerly.

    `only_ids` narrows it to chosen vendors: a set of ids, or a query selecting them (residual
    tier or score range, from the dashboard's stored portfolio state).
    """
    query = select(Vendor).options(
        joinedload(Vendor.owner),
        selectinload(Vendor.parent),
        selectinload(Vendor.product_uses).selectinload(ProductUse.product),
    )
    q = (filters.get("q") or "").strip().lower()
    if q:
        query = query.where(
            or_(
                *(
                    func.lower(column).contains(q, autoescape=True)
                    for column in (Vendor.name, Vendor.legal_name, Vendor.website)
                )
            )
        )
    if filters.get("tier"):
        query = query.where(Vendor.risk_tier == int(filters["tier"]))
    if filters.get("data_access"):
        query = query.where(Vendor.data_access == filters["data_access"])
    if filters.get("criticality"):
        query = query.where(Vendor.criticality == filters["criticality"])
    status = filters.get("status") or ""
    if status == "":
        query = query.where(Vendor.status != OFFBOARDED)
    elif status != ANY_STATUS:
        query = query.where(Vendor.status == status)
    if filters.get("owner"):
        query = query.where(Vendor.owner_id == int(filters["owner"]))
    if filters.get("country"):
        query = query.where(Vendor.country == filters["country"])
    if filters.get("product"):
        users = select(ProductUse.vendor_id).where(ProductUse.product_id == int(filters["product"]))
        query = query.where(Vendor.id.in_(users))
    if filters.get("assessment") == STALE:
        stale_days = current_app.config.get("ASSESSMENT_STALE_DAYS", 365)
        since = datetime.combine(date.today() - timedelta(days=stale_days), time(), tzinfo=UTC)
        recent = accepted_baselines().subquery()
        fresh = select(recent.c.vendor_id).where(recent.c.decided_at >= since)
        query = query.where(Vendor.id.not_in(fresh))
    if only_ids is not None:
        query = query.where(_among(only_ids))
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        key, descending = "name", False
    columns = _sort_columns(key)
    if descending:
        columns = (
            [columns[0], *(c.desc() for c in columns[1:])]
            if key == "renewal"
            else [c.desc() for c in columns]
        )
    return query.order_by(*columns, Vendor.name_key, Vendor.id)


EXPORT_HEADER = [
    "id",
    "name",
    "legal_name",
    "lei",
    "country",
    "parent",
    "website",
    "risk_tier",
    "risk_tier_label",
    "criticality",
    "data_access",
    "status",
    "owner_email",
    "contract_start",
    "contract_end",
    "renewal_date",
    "products",
]


def export_csv(vendors: list[Vendor]) -> str:
    """Render vendors as CSV text, every cell safe from spreadsheet formulas."""

    def products(vendor: Vendor) -> str:
        return "; ".join(
            use.product.name
            + (f" {'/'.join(use.versions)}" if use.versions else "")
            + ("" if use.direct else f" (via {use.subcontractor})")
            for use in vendor.product_uses
        )

    return csv_text(
        EXPORT_HEADER,
        (
            [
                v.id,
                v.name,
                v.legal_name,
                v.lei,
                v.country,
                v.parent.name if v.parent else "",
                v.website,
                v.risk_tier,
                v.tier_label,
                v.criticality,
                DATA_ACCESS_LABELS.get(v.data_access, v.data_access),
                v.status,
                v.owner.email if v.owner else "",
                v.contract_start,
                v.contract_end,
                v.renewal_date,
                products(v),
            ]
            for v in vendors
        ),
    )
