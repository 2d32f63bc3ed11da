"""Finding the catalogue product a source names: by CPE, then purl, then name or alias; a
product found by none is added to the catalogue (as the advisory sync does)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.extensions import db
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.identifiers import CPE, PURL, Identifier
from vendorrisk.vendors.matching import find_products, normalise_name
from vendorrisk.vendors.models import Product, ProductIdentifier


def bare(identifier: Identifier) -> Identifier:
    """Return the identifier without its version: what a catalogue product carries."""
    if identifier.kind == PURL:
        return Identifier(PURL, identifier.key, identifier.key, None, identifier.scheme)
    return Identifier(CPE, identifier.key + ":*" * 8, identifier.key, None, identifier.scheme)


@dataclass
class Resolver:
    """Resolves the products of one document, each name or identifier once."""

    created: list[str] = field(default_factory=list)
    _by_key: dict[str, tuple[Product, str]] = field(default_factory=dict)
    _by_name: dict[str, tuple[Product, str]] = field(default_factory=dict)

    def _by_identifier(self, identifier: Identifier) -> tuple[Product, str] | None:
        if identifier.key in self._by_key:
            return self._by_key[identifier.key]
        product = db.session.scalar(
            select(Product)
            .join(ProductIdentifier)
            .where(
                ProductIdentifier.kind == identifier.kind, ProductIdentifier.key == identifier.key
            )
            .options(selectinload(Product.identifiers))
            .order_by(Product.id)
            .limit(1)
        )
        if product is None:
            return None
        self._by_key[identifier.key] = (product, identifier.kind)
        return self._by_key[identifier.key]

    def resolve(
        self, supplier: str, name: str, identifiers: list[Identifier]
    ) -> tuple[Product, str]:
        """Return the catalogue product and how it was found: cpe, purl or name."""
        for identifier in sorted(identifiers, key=lambda i: i.kind != CPE):
            found = self._by_identifier(identifier)
            if found is not None:
                return found
        key = normalise_name(name)
        if key in self._by_name:
            return self._by_name[key]
        named = find_products(name)
        if named:
            self._by_name[key] = (named[0], "name")
            return self._by_name[key]
        product = catalogue.create_product(
            {"supplier": (supplier or "Unknown supplier")[:200], "name": name[:200]}
        )
        for identifier in identifiers:
            catalogue.add_identifier(product, bare(identifier))
        db.session.flush()
        self.created.append(product.name)
        how = identifiers[0].kind if identifiers else "name"
        self._by_name[key] = (product, how)
        for identifier in identifiers:
            self._by_key[identifier.key] = (product, identifier.kind)
        return product, how
