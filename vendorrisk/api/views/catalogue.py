"""/api/v1/products and /api/v1/templates: the product catalogue and questionnaire templates."""

from flask import jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.api.blueprint import bp
from vendorrisk.api.common import check, page_args, paginate
from vendorrisk.core.timeutil import iso
from vendorrisk.questionnaires import services as questionnaires
from vendorrisk.questionnaires.models import Template
from vendorrisk.vendors.models import Product


def product_json(product: Product) -> dict:
    """Return a catalogue product with its aliases."""
    return {
        "id": product.id,
        "name": product.name,
        "supplier": product.supplier,
        "supplier_vendor_id": product.supplier_vendor_id,
        "known_versions": list(product.known_versions or []),
        "aliases": [a.name for a in product.aliases],
    }


def template_json(template: Template) -> dict:
    """Return a template with every version and the one campaigns use now."""
    current = questionnaires.current_version(template)
    return {
        "id": template.id,
        "slug": template.slug,
        "title": template.title,
        "kind": template.kind,
        "archived": template.archived_at is not None,
        "current_version_id": current.id if current is not None else None,
        "versions": [
            {
                "id": v.id,
                "number": v.number,
                "status": v.status,
                "content_hash": v.content_hash,
                "created_at": iso(v.created_at),
                "reviewed_at": iso(v.reviewed_at),
            }
            for v in template.versions
        ],
    }


@bp.get("/products")
def products_index():
    errors: dict[str, str] = {}
    page, per_page = page_args(errors)
    check(errors)
    query = (
        select(Product)
        .options(selectinload(Product.aliases))
        .order_by(Product.name_key, Product.id)
    )
    return jsonify(paginate(query, page, per_page, product_json))


@bp.get("/templates")
def templates_index():
    errors: dict[str, str] = {}
    page, per_page = page_args(errors)
    check(errors)
    query = (
        select(Template)
        .options(selectinload(Template.versions))
        .order_by(Template.slug, Template.id)
    )
    return jsonify(paginate(query, page, per_page, template_json))
