"""/api/v1/vendors: the vendor inventory with contacts and the products each vendor uses."""

from flask import jsonify, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.api.blueprint import bp
from vendorrisk.api.common import Body, Day, Id, check, page_args, paginate, parse_body
from vendorrisk.api.errors import validation_error
from vendorrisk.core.timeutil import iso
from vendorrisk.extensions import db
from vendorrisk.vendors import services
from vendorrisk.vendors.models import ProductUse, Vendor
from vendorrisk.vendors.record import vendor_record


class VendorBody(Body):
    """Fields a client may send; the vendor service checks their values."""

    name: str | None = None
    legal_name: str | None = None
    lei: str | None = None
    country: str | None = None
    parent_id: Id | None = None
    website: str | None = None
    description: str | None = None
    services: str | None = None
    criticality: str | None = None
    data_access: str | None = None
    owner_id: Id | None = None
    status: str | None = None
    contract_start: Day | None = None
    contract_end: Day | None = None
    renewal_date: Day | None = None
    notes: str | None = None


def vendor_summary(vendor: Vendor) -> dict:
    """Return the fields every vendor listing shows."""
    return {
        "id": vendor.id,
        "name": vendor.name,
        "legal_name": vendor.legal_name,
        "lei": vendor.lei,
        "country": vendor.country,
        "parent_id": vendor.parent_id,
        "website": vendor.website,
        "criticality": vendor.criticality,
        "data_access": vendor.data_access,
        "risk_tier": vendor.risk_tier,
        "owner_id": vendor.owner_id,
        "status": vendor.status,
        "contract_start": iso(vendor.contract_start),
        "contract_end": iso(vendor.contract_end),
        "renewal_date": iso(vendor.renewal_date),
        "created_at": iso(vendor.created_at),
        "updated_at": iso(vendor.updated_at),
        "offboarded_at": iso(vendor.offboarded_at),
    }


def vendor_detail(vendor: Vendor) -> dict:
    """Return a vendor with its free text, contacts and products used."""
    data = vendor_summary(vendor)
    data.update(
        description=vendor.description,
        services=vendor.services,
        notes=vendor.notes,
        contacts=[
            {
                "id": c.id,
                "name": c.name,
                "email": c.email,
                "phone": c.phone,
                "title": c.title,
                "kinds": c.kinds,
                "erased": c.erased,
            }
            for c in vendor.contacts
        ],
        products=[
            {
                "id": use.id,
                "product_id": use.product_id,
                "product": use.product.name,
                "supplier": use.product.supplier,
                "versions": list(use.versions or []),
                "subcontractor": use.subcontractor or None,
            }
            for use in vendor.product_uses
        ],
    )
    return data


def _load(vendor_id: int) -> Vendor:
    vendor = db.session.scalar(
        select(Vendor)
        .where(Vendor.id == vendor_id)
        .options(
            selectinload(Vendor.contacts),
            selectinload(Vendor.product_uses).selectinload(ProductUse.product),
        )
    )
    return vendor or services.get_vendor_or_404(vendor_id)


@bp.get("/vendors")
def vendors_index():
    errors: dict[str, str] = {}
    page, per_page = page_args(errors)
    check(errors)
    query = select(Vendor).order_by(Vendor.name_key, Vendor.id)
    return jsonify(paginate(query, page, per_page, vendor_summary))


@bp.post("/vendors")
def vendors_create():
    body, _ = parse_body(VendorBody)
    try:
        vendor = services.create_vendor(body.model_dump())
    except services.VendorError as exc:
        raise validation_error(exc.errors) from None
    db.session.commit()
    response = jsonify(vendor_detail(_load(vendor.id)))
    response.status_code = 201
    response.headers["Location"] = url_for(".vendors_show", vendor_id=vendor.id)
    return response


@bp.get("/vendors/<int:vendor_id>")
def vendors_show(vendor_id: int):
    vendor = _load(vendor_id)
    return jsonify({**vendor_detail(vendor), "record": vendor_record(vendor).to_json()})


@bp.patch("/vendors/<int:vendor_id>")
def vendors_update(vendor_id: int):
    vendor = services.get_vendor_or_404(vendor_id)
    body, _ = parse_body(VendorBody)
    try:
        services.update_vendor(vendor, body.model_dump(exclude_unset=True))
    except services.VendorError as exc:
        raise validation_error(exc.errors) from None
    db.session.commit()
    return jsonify(vendor_detail(_load(vendor.id)))
