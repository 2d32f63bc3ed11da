"""A vendor's contract register, and the register as CSV."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for

from vendorrisk.audit import services as audit
from vendorrisk.contracts import services
from vendorrisk.contracts.forms import ContractForm, ImportForm
from vendorrisk.extensions import db
from vendorrisk.vendors.models import Vendor

bp = Blueprint("contracts", __name__)


def _vendor_or_404(vendor_id: int) -> Vendor:
    vendor = db.session.get(Vendor, vendor_id)
    if vendor is None:
        abort(404)
    return vendor


def _page(vendor: Vendor, form: ContractForm, status: int = 200):
    contracts = services.contracts_of(vendor.id)
    return render_template(
        "contracts/vendor.html",
        vendor=vendor,
        contracts=contracts,
        overlaps=services.overlaps(contracts),
        form=form,
    ), status


@bp.route("/vendors/<int:vendor_id>/contracts")
def vendor(vendor_id: int):
    """Show a vendor's contracts, and overlaps between them."""
    return _page(_vendor_or_404(vendor_id), ContractForm(formdata=None))


@bp.route("/vendors/<int:vendor_id>/contracts", methods=["POST"])
def add(vendor_id: int):
    """Add a contract to a vendor's register."""
    vendor = _vendor_or_404(vendor_id)
    form = ContractForm()
    if form.validate_on_submit():
        try:
            services.add_contract(vendor, form.payload())
        except services.ContractError as exc:
            for name, message in exc.errors.items():
                target = getattr(form, name, form.contractual_arrangement_reference_number)
                target.errors = [*target.errors, message]
        else:
            db.session.commit()
            flash("Contract added.", "success")
            return redirect(url_for(".vendor", vendor_id=vendor.id))
    return _page(vendor, form, 422)


@bp.route("/contracts/export.csv")
def export():
    """Download every contract as CSV (the layout the import reads)."""
    audit.record("contracts.exported")
    db.session.commit()
    return Response(
        services.export_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=contracts.csv"},
    )


@bp.route("/contracts/import", methods=["GET", "POST"])
def import_file():
    """Import contracts from CSV: the whole file, or nothing with the reasons row by row."""
    form = ImportForm()
    errors: list[str] = []
    if form.validate_on_submit() and form.file.data:
        result = services.import_csv(form.file.data.read(services.MAX_BYTES + 1))
        if not result.errors:
            audit.record("contracts.imported", details={"rows": result.imported})
            db.session.commit()
            flash(f"{result.imported} contracts imported.", "success")
            return redirect(url_for(".import_file"))
        errors = result.errors
    elif form.is_submitted():
        errors = ["Choose a CSV file."]
    return render_template(
        "contracts/import.html", form=form, errors=errors, columns=services.CSV_COLUMNS
    ), (422 if errors else 200)
