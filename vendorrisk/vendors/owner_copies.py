"""Copies of a vendor's internal owner on rows that belong to the vendor (assignments, findings).

The dashboard counts one manager's assignments and findings among hundreds of thousands: with
the owner on each row, a count reads the owner's part of an index instead of joining every row
to the manager's vendors (docs/performance.md, the dashboard's fourth pass). A copy is written
by the flush that inserts the row and by the flush that changes the vendor's owner (the
listeners below); `flask dashboard refresh` puts right any copy that a change written without
the ORM left behind (`repair`). Read the copies in queries only: a loaded object may hold the
value from before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event, inspect, select, update
from sqlalchemy.sql.dml import Update

from vendorrisk.extensions import db
from vendorrisk.vendors.models import Vendor

_MODELS: list[Any] = []


def keep(model: Any) -> Any:
    """Keep `model.vendor_owner_id` equal to its vendor's owner (`model.vendor_id`)."""

    @event.listens_for(model, "before_insert")
    def _copy(_mapper, connection: Connection, row) -> None:
        vendor: Vendor | None = inspect(row).dict.get("vendor")
        owner = (
            vendor.owner_id
            if vendor is not None
            else connection.scalar(select(Vendor.owner_id).where(Vendor.id == row.vendor_id))
        )
        row.vendor_owner_id = owner

    _MODELS.append(model)
    return model


def stale_copies(model: Any) -> Update:
    """An UPDATE putting right every copy on `model` that differs from its vendor's owner
    (narrow it with `.where`)."""
    owner = select(Vendor.owner_id).where(Vendor.id == model.vendor_id).scalar_subquery()
    return (
        update(model)
        .where(model.vendor_owner_id.is_distinct_from(owner))
        .values(vendor_owner_id=owner)
        .execution_options(synchronize_session=False)
    )


def repair() -> None:
    """Put right every copy that drifted (the full refresh of the dashboard's state)."""
    for model in _MODELS:
        db.session.execute(stale_copies(model))


@event.listens_for(Vendor, "after_update")
def _follow_owner(_mapper, connection: Connection, vendor: Vendor) -> None:
    """A vendor's owner changed: the copies on its rows follow, in the same flush."""
    if not inspect(vendor).attrs.owner_id.history.has_changes():
        return
    for model in _MODELS:
        connection.execute(stale_copies(model).where(model.vendor_id == vendor.id))
