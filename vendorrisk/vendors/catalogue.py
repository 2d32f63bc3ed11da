"""The product catalogue and the products each vendor uses."""

import re

from flask import abort
from sqlalchemy import select

from vendorrisk.audit import services as audit
from vendorrisk.extensions import db
from vendorrisk.vendors.identifiers import IdentifierError, parse_cpe, parse_purl
from vendorrisk.vendors.matching import normalise_name
from vendorrisk.vendors.models import Product, ProductAlias, ProductIdentifier, ProductUse, Vendor
from vendorrisk.vendors.services import VendorError

_SEPARATORS = re.compile(r"[\n;]")


def split_list(text: str | list | None) -> list[str]:
    """Split text on new lines and semicolons into trimmed, distinct, non-empty items."""
    items = text if isinstance(text, list) else _SEPARATORS.split(text or "")
    seen: set[str] = set()
    result = []
    for item in items:
        item = " ".join(str(item).split())
        key = normalise_name(item)
        if item and key not in seen:
            seen.add(key)
            result.append(item)
    return result


def get_product_or_404(product_id: int) -> Product:
    """Return a catalogue product or answer 404."""
    return db.session.get(Product, product_id) or abort(404)


def get_product_use_or_404(vendor: Vendor, use_id: int) -> ProductUse:
    """Return one of this vendor's product uses or answer 404."""
    use = db.session.get(ProductUse, use_id)
    if use is None or use.vendor_id != vendor.id:
        abort(404)
    return use


def _name_owner(key: str) -> Product | None:
    product = db.session.scalar(select(Product).where(Product.name_key == key))
    if product is not None:
        return product
    alias = db.session.scalar(select(ProductAlias).where(ProductAlias.name_key == key))
    return alias.product if alias else None


def _validate_product(product: Product | None, data: dict) -> dict:
    errors: dict[str, str] = {}
    supplier = " ".join((data.get("supplier") or "").split())
    name = " ".join((data.get("name") or "").split())
    if not supplier:
        errors["supplier"] = "Enter the supplier (the company that makes the product)."
    elif len(supplier) > 200:
        errors["supplier"] = "At most 200 characters."
    if not name:
        errors["name"] = "Enter the product's name."
    elif len(name) > 200:
        errors["name"] = "At most 200 characters."
    else:
        owner = _name_owner(normalise_name(name))
        if owner is not None and (product is None or owner.id != product.id):
            errors["name"] = f"This name is already used by the product {owner.name}."
    name_key = normalise_name(name)
    aliases = [a for a in split_list(data.get("aliases")) if normalise_name(a) != name_key]
    for alias in aliases:
        if len(alias) > 200:
            errors["aliases"] = "An alias is at most 200 characters."
            break
        owner = _name_owner(normalise_name(alias))
        if owner is not None and (product is None or owner.id != product.id):
            errors["aliases"] = f"“{alias}” already names the product {owner.name}."
            break
    versions = split_list(data.get("known_versions"))
    if any(len(v) > 100 for v in versions):
        errors["known_versions"] = "A version is at most 100 characters."
    supplier_vendor_id = data.get("supplier_vendor_id") or None
    if supplier_vendor_id is not None and db.session.get(Vendor, supplier_vendor_id) is None:
        errors["supplier_vendor_id"] = "Choose a vendor from the inventory, or none."
    identifiers = []
    for field, parse in (("cpes", parse_cpe), ("purls", parse_purl)):
        for item in split_list(data.get(field)):
            try:
                identifiers.append(parse(item))
            except IdentifierError as exc:
                errors[field] = str(exc)[:300]
                break
    if errors:
        raise VendorError(errors)
    return {
        "supplier": supplier,
        "name": name,
        "aliases": aliases,
        "known_versions": versions,
        "supplier_vendor_id": supplier_vendor_id,
        "identifiers": identifiers,
    }


def _set_identifiers(product: Product, identifiers: list) -> bool:
    """Make a product's CPEs and purls these (canonical values); tell whether any changed."""
    wanted = {(i.kind, i.value): i for i in identifiers}
    current = {(row.kind, row.value): row for row in product.identifiers}
    if list(wanted) == list(current):
        return False
    for pair, row in current.items():
        if pair not in wanted:
            product.identifiers.remove(row)
    for pair, ident in wanted.items():
        if pair not in current:
            product.identifiers.append(
                ProductIdentifier(kind=ident.kind, value=ident.value, key=ident.key)
            )
    return True


def add_identifier(product: Product, identifier) -> bool:
    """Give a product one more CPE or purl unless it has it already; tell whether it was added."""
    if any(r.kind == identifier.kind and r.value == identifier.value for r in product.identifiers):
        return False
    product.identifiers.append(
        ProductIdentifier(kind=identifier.kind, value=identifier.value, key=identifier.key)
    )
    return True


def _set_aliases(product: Product, aliases: list[str]) -> bool:
    wanted = {normalise_name(a): a for a in aliases}
    current = {a.name_key: a for a in product.aliases}
    if list(wanted) == list(current) and all(current[k].name == wanted[k] for k in wanted):
        return False
    for key, alias in current.items():
        if key not in wanted:
            product.aliases.remove(alias)
    db.session.flush()  # free removed alias keys before they are added again
    for key, name in wanted.items():
        if key in current:
            current[key].name = name
        else:
            product.aliases.append(ProductAlias(name=name, name_key=key))
    return True


def create_product(data: dict) -> Product:
    """Add a product to the catalogue with its aliases and known versions."""
    clean = _validate_product(None, data)
    product = Product(
        supplier=clean["supplier"],
        supplier_vendor_id=clean["supplier_vendor_id"],
        name=clean["name"],
        name_key=normalise_name(clean["name"]),
        known_versions=clean["known_versions"],
    )
    db.session.add(product)
    _set_aliases(product, clean["aliases"])
    _set_identifiers(product, clean["identifiers"])
    db.session.flush()
    audit.record("product.created", "product", product.id)
    return product


def update_product(product: Product, data: dict) -> list[str]:
    """Change a catalogue product; return the names of changed fields."""
    merged = {
        "supplier": product.supplier,
        "name": product.name,
        "aliases": product.alias_names,
        "known_versions": product.known_versions,
        "supplier_vendor_id": product.supplier_vendor_id,
        "cpes": product.cpes,
        "purls": product.purls,
        **data,
    }
    clean = _validate_product(product, merged)
    changed = audit.changed_fields(
        product, ["supplier", "supplier_vendor_id", "name", "known_versions"], clean
    )
    product.name_key = normalise_name(product.name)
    if _set_aliases(product, clean["aliases"]):
        changed.append("aliases")
    if _set_identifiers(product, clean["identifiers"]):
        changed.append("identifiers")
    if changed:
        db.session.flush()
        audit.record("product.updated", "product", product.id, details={"fields": changed})
    return changed


def add_product_use(
    vendor: Vendor,
    product_id: int | None,
    versions: list[str] | str | None = None,
    subcontractor: str | None = None,
) -> ProductUse:
    """Record that a vendor uses a product, directly or through a named subcontractor."""
    errors: dict[str, str] = {}
    product = db.session.get(Product, product_id) if product_id else None
    if product is None:
        errors["product_id"] = "Choose a product from the catalogue."
    version_list = split_list(versions)
    if any(len(v) > 100 for v in version_list):
        errors["versions"] = "A version is at most 100 characters."
    subcontractor = " ".join((subcontractor or "").split())
    if len(subcontractor) > 200:
        errors["subcontractor"] = "At most 200 characters."
    key = normalise_name(subcontractor)
    if product is not None and any(
        u.product_id == product.id and u.subcontractor_key == key for u in vendor.product_uses
    ):
        how = f"through {subcontractor}" if subcontractor else "directly"
        errors["product_id"] = f"{vendor.name} already uses {product.name} {how}."
    if errors or product is None:
        raise VendorError(errors)
    use = ProductUse(
        vendor=vendor,
        product=product,
        versions=version_list,
        subcontractor=subcontractor,
        subcontractor_key=key,
    )
    db.session.add(use)
    db.session.flush()
    audit.record(
        "product_use.added",
        "vendor",
        vendor.id,
        details={"product_id": product.id, "use_id": use.id, "via_subcontractor": bool(key)},
    )
    return use


def remove_product_use(use: ProductUse) -> None:
    """Record that a vendor no longer uses a product."""
    audit.record(
        "product_use.removed",
        "vendor",
        use.vendor_id,
        details={"product_id": use.product_id, "use_id": use.id},
    )
    use.vendor.product_uses.remove(use)
    db.session.delete(use)
    db.session.flush()
