"""Matching product names and versions, and finding the vendors that use given products.

Names match whatever their case and spacing: "mimecast  s&r", "Mimecast S&R" and "MimecastS&R"
are one name. Versions are compared the same way ("2019.4 HF 5" is "2019.4 hf5").
"""

import unicodedata
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from vendorrisk.extensions import db
from vendorrisk.vendors.models import OFFBOARDED, Product, ProductAlias, ProductUse, Vendor


def normalise_name(name: str | None) -> str:
    """Fold a name for comparison: Unicode-compatible, case-folded, with no whitespace."""
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(folded.split())


def normalise_version(version: str | None) -> str:
    """Fold a version string for comparison, like a name."""
    return normalise_name(version)


def find_products(name: str) -> list[Product]:
    """Return the catalogue products whose name or an alias matches `name`."""
    key = normalise_name(name)
    if not key:
        return []
    aliased_ids = select(ProductAlias.product_id).where(ProductAlias.name_key == key)
    return list(
        db.session.scalars(
            select(Product)
            .where(or_(Product.name_key == key, Product.id.in_(aliased_ids)))
            .options(selectinload(Product.aliases))
            .order_by(Product.name_key)
        )
    )


def versions_match(recorded: Iterable[str], wanted: Iterable[str]) -> bool:
    """Tell whether any recorded version is one of the wanted versions."""
    wanted_keys = {normalise_version(v) for v in wanted}
    return any(normalise_version(v) in wanted_keys for v in recorded)


def vendors_using(
    product_ids: Iterable[int],
    versions: Iterable[str] | None = None,
    *,
    include_unknown_versions: bool = True,
    include_offboarded: bool = False,
) -> list[tuple[Vendor, ProductUse]]:
    """Return (vendor, use) pairs for vendors that use any of the products.

    Direct use and use through a subcontractor both count (`use.subcontractor` names the
    fourth party). When `versions` are given, a use matches if one of its recorded versions
    is among them; a use with no recorded version still matches unless
    `include_unknown_versions` is false, because nobody has ruled it out yet.
    """
    ids = list(product_ids)
    if not ids:
        return []
    query = (
        select(ProductUse)
        .join(ProductUse.vendor)
        .where(ProductUse.product_id.in_(ids))
        .options(selectinload(ProductUse.vendor), selectinload(ProductUse.product))
        .order_by(Vendor.name_key, ProductUse.id)
    )
    if not include_offboarded:
        query = query.where(Vendor.status != OFFBOARDED)
    wanted = None if versions is None else list(versions)
    pairs = []
    for use in db.session.scalars(query):
        if wanted is not None:
            if use.versions:
                if not versions_match(use.versions, wanted):
                    continue
            elif not include_unknown_versions:
                continue
        pairs.append((use.vendor, use))
    return pairs
