"""Product catalogue pages: list, create, edit, and which vendors use a product."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from vendorrisk.extensions import db
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.forms import ProductForm
from vendorrisk.vendors.matching import normalise_name, vendors_using
from vendorrisk.vendors.models import Product, ProductAlias, ProductUse, Vendor
from vendorrisk.vendors.services import VendorError
from vendorrisk.vendors.views import show_errors, template_labels

bp = Blueprint("products", __name__, url_prefix="/products")
bp.context_processor(template_labels)


@bp.route("/")
def index():
    q = (request.args.get("q") or "").strip()[:200]
    query = (
        select(Product, func.count(ProductUse.id))
        .outerjoin(ProductUse, ProductUse.product_id == Product.id)
        .group_by(Product.id)
        .options(selectinload(Product.aliases), selectinload(Product.supplier_vendor))
        .order_by(func.lower(Product.supplier), Product.name_key)
    )
    if q:
        key = normalise_name(q)
        aliased = select(ProductAlias.product_id).where(
            ProductAlias.name_key.contains(key, autoescape=True)
        )
        query = query.where(
            Product.name_key.contains(key, autoescape=True)
            | func.lower(Product.supplier).contains(q.lower(), autoescape=True)
            | Product.id.in_(aliased)
        )
    rows = db.session.execute(query).all()
    return render_template("vendors/products.html", rows=rows, q=q)


def _product_form(product: Product | None) -> ProductForm:
    form = ProductForm(obj=product)
    if product is not None and request.method == "GET":
        form.aliases.data = "\n".join(product.alias_names)
        form.known_versions.data = "\n".join(product.known_versions or [])
        form.cpes.data = "\n".join(product.cpes)
        form.purls.data = "\n".join(product.purls)
    vendors = db.session.execute(select(Vendor.id, Vendor.name).order_by(Vendor.name_key))
    form.supplier_vendor_id.choices = {
        **form.supplier_vendor_id.choices,
        **{str(i): n for i, n in vendors},
    }
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _product_form(None)
    if form.validate_on_submit():
        try:
            product = catalogue.create_product(form.service_data())
        except VendorError as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash(f"{product.name} is in the catalogue.", "success")
            return redirect(url_for(".detail", product_id=product.id))
    return render_template("vendors/product_form.html", form=form, product=None)


@bp.route("/<int:product_id>")
def detail(product_id: int):
    product = catalogue.get_product_or_404(product_id)
    users = vendors_using([product.id], include_offboarded=True)
    return render_template("vendors/product.html", product=product, users=users)


@bp.route("/<int:product_id>/edit", methods=["GET", "POST"])
def edit(product_id: int):
    product = catalogue.get_product_or_404(product_id)
    form = _product_form(product)
    if form.validate_on_submit():
        try:
            changed = catalogue.update_product(product, form.service_data())
        except VendorError as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash("The product is updated." if changed else "Nothing changed.", "success")
            return redirect(url_for(".detail", product_id=product.id))
    return render_template("vendors/product_form.html", form=form, product=product)
