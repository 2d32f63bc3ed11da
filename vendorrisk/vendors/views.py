"""Vendor inventory pages: list, export, profile, create/edit/offboard, contacts, products used."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import Select, select

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.clocks import vendor_clock
from vendorrisk.core.pagination import window
from vendorrisk.core.timeutil import utcnow
from vendorrisk.dashboard.queries import matching_ids
from vendorrisk.dashboard.snapshot import portfolio
from vendorrisk.extensions import db
from vendorrisk.review.queries import residual_for
from vendorrisk.vendors import catalogue, importer, queries, services
from vendorrisk.vendors.countries import COUNTRIES, country_name
from vendorrisk.vendors.forms import (
    ConfirmForm,
    ContactForm,
    ImportConfirmForm,
    ImportForm,
    ProductUseForm,
    VendorFilterForm,
    VendorForm,
)
from vendorrisk.vendors.models import CONTACT_KIND_LABELS, Product, Vendor
from vendorrisk.vendors.record import score_series, vendor_record
from vendorrisk.vendors.risk import CRITICALITY_LABELS, DATA_ACCESS_LABELS, inherent_tier
from vendorrisk.vendors.services import VendorError

bp = Blueprint("vendors", __name__, url_prefix="/vendors")

PER_PAGE = 50


def template_labels() -> dict:
    """Give vendor templates the display labels of codes."""
    return {
        "criticality_labels": CRITICALITY_LABELS,
        "data_access_labels": DATA_ACCESS_LABELS,
        "kind_labels": CONTACT_KIND_LABELS,
        "country_name": country_name,
    }


bp.context_processor(template_labels)


def show_errors(form, exc: VendorError) -> None:
    """Put a service's messages beside the fields they are about."""
    for name, message in exc.errors.items():
        target = getattr(form, name, None)
        (target.errors if target is not None else form.form_errors).append(message)


def _filter_form() -> VendorFilterForm:
    form = VendorFilterForm(request.args)
    products = db.session.execute(select(Product.id, Product.name).order_by(Product.name_key))
    form.product.choices = {**form.product.choices, **{str(i): n for i, n in products}}
    owners = db.session.execute(
        select(User.id, User.name).where(User.id.in_(select(Vendor.owner_id))).order_by(User.name)
    )
    form.owner.choices = {**form.owner.choices, **{str(i): n for i, n in owners}}
    codes = db.session.scalars(select(Vendor.country).where(Vendor.country.is_not(None)).distinct())
    countries = sorted(((c, COUNTRIES.get(c, c)) for c in codes if c), key=lambda x: x[1])
    form.country.choices = {**form.country.choices, **dict(countries)}
    return form


def _filters(form: VendorFilterForm) -> dict:
    return form.data if form.validate() else {}


def _chosen_ids(filters: dict) -> Select | None:
    """Vendors picked by residual tier or score range (rules in Python, stored by the
    dashboard's portfolio state), or None when neither filter is set."""
    residual, category = filters.get("residual"), filters.get("score_category")
    if not residual and not category:
        return None
    return matching_ids(
        portfolio(),
        residual=int(residual) if residual else None,
        score_category=category or None,
        score_band_id=filters.get("score_band") or None,
    )


@bp.route("/")
def index():
    form = _filter_form()
    filters = _filters(form)
    query = queries.vendor_list(filters, filters.get("sort") or "name", _chosen_ids(filters))
    shown = window(query, PER_PAGE)
    vendors = list(db.session.scalars(shown.query).unique())
    return render_template(
        "vendors/index.html",
        form=form,
        vendors=vendors,
        residual=residual_for(vendors),
        total=shown.total,
        page=shown.page,
        pages=shown.pages,
        sort=filters.get("sort") or "name",
    )


@bp.route("/export.csv")
def export():
    form = _filter_form()
    filters = _filters(form)
    vendors = list(
        db.session.scalars(
            queries.vendor_list(filters, filters.get("sort") or "name", _chosen_ids(filters))
        ).unique()
    )
    body = queries.export_csv(vendors)
    audit.record(
        "export.vendors",
        details={
            "rows": len(vendors),
            "filters": sorted(k for k, v in filters.items() if v and k != "sort"),
        },
    )
    db.session.commit()
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="vendors-{stamp}.csv"'},
    )


def _vendor_form(vendor: Vendor | None) -> VendorForm:
    form = VendorForm(obj=vendor)
    others = select(Vendor.id, Vendor.name).order_by(Vendor.name_key)
    if vendor is not None:
        others = others.where(Vendor.id != vendor.id)
    form.parent_id.choices = {
        **form.parent_id.choices,
        **{str(i): n for i, n in db.session.execute(others)},
    }
    owners = select(User.id, User.name).where(User.active.is_(True))
    if vendor is not None and vendor.owner_id:
        owners = select(User.id, User.name).where(
            (User.active.is_(True)) | (User.id == vendor.owner_id)
        )
    rows = db.session.execute(owners.order_by(User.name))
    form.owner_id.choices = {**form.owner_id.choices, **{str(i): n for i, n in rows}}
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _vendor_form(None)
    if form.validate_on_submit():
        try:
            vendor = services.create_vendor(form.service_data())
        except VendorError as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash(f"{vendor.name} is added ({vendor.tier_label}).", "success")
            return redirect(url_for(".detail", vendor_id=vendor.id))
    return render_template("vendors/form.html", form=form, vendor=None)


@bp.route("/<int:vendor_id>/charts/<category>.svg")
def score_chart(vendor_id: int, category: str):
    """One category's score-over-time chart, served as an image (never inline in the page)."""
    vendor = services.get_vendor_or_404(vendor_id)
    series = next((s for s in score_series(vendor) if s.category == category), None)
    if series is None:
        abort(404)
    return Response(series.svg(), mimetype="image/svg+xml")


@bp.route("/<int:vendor_id>")
def detail(vendor_id: int):
    """Show a vendor's profile and the record of the relationship."""
    vendor = services.get_vendor_or_404(vendor_id)
    record = vendor_record(vendor)
    return render_template(
        "vendors/detail.html",
        vendor=vendor,
        record=record,
        response_clocks=vendor_clock.for_assignments(
            [a.assignment for a in record.assessments], utcnow(), only_with_clause=True
        ),
        tier=inherent_tier(vendor.criticality, vendor.data_access),
        residual=residual_for([vendor])[vendor.id],
        recipients=services.campaign_recipients(vendor),
        button=ConfirmForm(),
    )


@bp.route("/<int:vendor_id>/edit", methods=["GET", "POST"])
def edit(vendor_id: int):
    vendor = services.get_vendor_or_404(vendor_id)
    form = _vendor_form(vendor)
    if form.validate_on_submit():
        try:
            changed = services.update_vendor(vendor, form.service_data())
        except VendorError as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash("The vendor is updated." if changed else "Nothing changed.", "success")
            return redirect(url_for(".detail", vendor_id=vendor.id))
    return render_template("vendors/form.html", form=form, vendor=vendor)


@bp.route("/<int:vendor_id>/offboard", methods=["GET", "POST"])
def offboard(vendor_id: int):
    vendor = services.get_vendor_or_404(vendor_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        if services.offboard_vendor(vendor):
            db.session.commit()
            flash(f"{vendor.name} is offboarded. Its record and history are kept.", "success")
        return redirect(url_for(".detail", vendor_id=vendor.id))
    return render_template("vendors/offboard.html", vendor=vendor, form=form)


# --- contacts -------------------------------------------------------------------------------


@bp.route("/<int:vendor_id>/contacts/new", methods=["GET", "POST"])
def contact_new(vendor_id: int):
    vendor = services.get_vendor_or_404(vendor_id)
    form = ContactForm()
    if request.method == "GET" and vendor.primary_contact is None:
        form.kinds.data = ["primary"]
    if form.validate_on_submit():
        try:
            services.add_contact(vendor, form.service_data())
        except VendorError as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash("The contact is added.", "success")
            return redirect(url_for(".detail", vendor_id=vendor.id, _anchor="contacts"))
    return render_template("vendors/contact_form.html", form=form, vendor=vendor, contact=None)


@bp.route("/<int:vendor_id>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
def contact_edit(vendor_id: int, contact_id: int):
    vendor = services.get_vendor_or_404(vendor_id)
    contact = services.get_contact_or_404(vendor, contact_id)
    if contact.erased:
        flash("This contact was erased; its details cannot be edited.", "warning")
        return redirect(url_for(".detail", vendor_id=vendor.id, _anchor="contacts"))
    form = ContactForm(obj=contact)
    if request.method == "GET":
        form.kinds.data = contact.kinds
    if form.validate_on_submit():
        try:
            services.update_contact(contact, form.service_data())
        except VendorError as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash("The contact is updated.", "success")
            return redirect(url_for(".detail", vendor_id=vendor.id, _anchor="contacts"))
    return render_template("vendors/contact_form.html", form=form, vendor=vendor, contact=contact)


@bp.route("/<int:vendor_id>/contacts/<int:contact_id>/primary", methods=["POST"])
def contact_make_primary(vendor_id: int, contact_id: int):
    vendor = services.get_vendor_or_404(vendor_id)
    contact = services.get_contact_or_404(vendor, contact_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.make_primary(contact)
        except VendorError as exc:
            flash(" ".join(exc.errors.values()), "danger")
        else:
            db.session.commit()
            flash(f"{contact.display_name} is now the primary contact.", "success")
    return redirect(url_for(".detail", vendor_id=vendor.id, _anchor="contacts"))


@bp.route("/<int:vendor_id>/contacts/<int:contact_id>/erase", methods=["GET", "POST"])
def contact_erase(vendor_id: int, contact_id: int):
    vendor = services.get_vendor_or_404(vendor_id)
    contact = services.get_contact_or_404(vendor, contact_id)
    form = ConfirmForm()
    if contact.erased:
        flash("This contact is already erased.", "info")
        return redirect(url_for(".detail", vendor_id=vendor.id, _anchor="contacts"))
    if form.validate_on_submit():
        erasure = services.erase_contact(contact)
        db.session.commit()
        return render_template("vendors/erased.html", vendor=vendor, erasure=erasure)
    return render_template("vendors/erase.html", vendor=vendor, contact=contact, form=form)


# --- products used --------------------------------------------------------------------------


@bp.route("/<int:vendor_id>/products/new", methods=["GET", "POST"])
def product_use_new(vendor_id: int):
    vendor = services.get_vendor_or_404(vendor_id)
    form = ProductUseForm()
    products = db.session.scalars(select(Product).order_by(Product.supplier, Product.name_key))
    form.product_id.choices = {
        **form.product_id.choices,
        **{str(p.id): f"{p.supplier} · {p.name}" for p in products},
    }
    if form.validate_on_submit():
        try:
            catalogue.add_product_use(
                vendor,
                int(form.product_id.data) if form.product_id.data else None,
                form.versions.data,
                form.subcontractor.data,
            )
        except VendorError as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash("The product is recorded.", "success")
            return redirect(url_for(".detail", vendor_id=vendor.id, _anchor="products"))
    return render_template("vendors/product_use_form.html", form=form, vendor=vendor)


@bp.route("/<int:vendor_id>/products/<int:use_id>/remove", methods=["POST"])
def product_use_remove(vendor_id: int, use_id: int):
    vendor = services.get_vendor_or_404(vendor_id)
    use = catalogue.get_product_use_or_404(vendor, use_id)
    if ConfirmForm().validate_on_submit():
        name = use.product.name
        catalogue.remove_product_use(use)
        db.session.commit()
        flash(f"{vendor.name} no longer uses {name} ({use.how.lower()}).", "success")
    return redirect(url_for(".detail", vendor_id=vendor.id, _anchor="products"))


# --- import ---------------------------------------------------------------------------------

IMPORT_SESSION_KEY = "vendor_import"


@bp.route("/import", methods=["GET", "POST"])
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            importer.read(raw)
        except importer.ImportFileError as exc:
            form.file.errors.append(str(exc))
            audit.record("vendors.import_rejected", outcome="failure", details={"bytes": len(raw)})
            db.session.commit()
        else:
            importer.discard_upload(session.get(IMPORT_SESSION_KEY))
            session[IMPORT_SESSION_KEY] = importer.store_upload(raw)
            return redirect(url_for(".import_preview"))
    return render_template("vendors/import.html", form=form, columns=importer.COLUMNS)


def _stored_records():
    raw = importer.load_upload(session.get(IMPORT_SESSION_KEY))
    if raw is None:
        return None
    try:
        return importer.read(raw)
    except importer.ImportFileError:
        return None


@bp.route("/import/preview")
def import_preview():
    records = _stored_records()
    if records is None:
        flash("Upload the file again: the earlier upload is no longer available.", "warning")
        return redirect(url_for(".import_upload"))
    report = importer.run(records, apply=False)
    db.session.rollback()  # a preview changes nothing, not even the audit log
    return render_template("vendors/import_preview.html", report=report, form=ImportConfirmForm())


@bp.route("/import/confirm", methods=["POST"])
def import_confirm():
    form = ImportConfirmForm()
    records = _stored_records()
    if records is None:
        flash("Upload the file again: the earlier upload is no longer available.", "warning")
        return redirect(url_for(".import_upload"))
    if not form.validate_on_submit():
        return redirect(url_for(".import_preview"))
    report = importer.run(records, apply=True, valid_only=bool(form.import_valid.data))
    if not report.applied:
        db.session.rollback()
        reason = (
            "every row has errors."
            if not report.good_rows
            else f"{len(report.bad_rows)} rows have errors. Fix them, or import only the "
            "valid rows."
        )
        flash(f"Nothing was imported: {reason}", "danger")
        return render_template("vendors/import_preview.html", report=report, form=form)
    importer.discard_upload(session.pop(IMPORT_SESSION_KEY, None))
    db.session.commit()
    counts = report.counts()
    flash(
        f"Imported {counts['vendor']} vendors, {counts['contact']} contacts and "
        f"{counts['product']} product uses"
        + (f"; skipped {len(report.bad_rows)} rows with errors." if report.bad_rows else "."),
        "success",
    )
    return redirect(url_for(".index"))
