"""The import page beside the composer: a spreadsheet (by mapping) or a VSAQ file to a draft."""

from __future__ import annotations

from pathlib import PurePath

import pydantic
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from vendorrisk.extensions import db
from vendorrisk.questionnaires.formfactory import choice

from . import services, uploads
from .common import ImportRefused, Problem
from .forms import NEW_MAPPING, MapForm, SheetUploadForm, VsaqUploadForm, map_form_class
from .mapping import FIELDS, Columns, Defaults, Mapping, TemplateInfo
from .table import read_table

bp = Blueprint("imports", __name__, url_prefix="/templates/imports")


def _mapping_choices() -> list[tuple[str, str]]:
    saved = [choice(m.name, f"Saved mapping: {m.name}") for m in services.list_mappings()]
    return [
        choice(NEW_MAPPING, "A new mapping (choose the columns next)"),
        *(choice(k, v) for k, v in services.BUILT_IN.items()),
        *saved,
    ]


def _index(sheet=None, vsaq=None, problems=None, status=200):
    sheet = sheet or SheetUploadForm(formdata=None)
    sheet.mapping.choices = _mapping_choices()
    return render_template(
        "questionnaires/imports.html",
        sheet=sheet,
        vsaq=vsaq or VsaqUploadForm(formdata=None),
        problems=problems or [],
        mappings=services.list_mappings(),
    ), status


def _done(imported: services.Imported):
    db.session.commit()
    if not imported.converted.notes:
        return redirect(url_for("drafts.edit", draft_id=imported.draft.id), 303)
    return render_template("questionnaires/import_done.html", imported=imported)


@bp.route("/")
def index():
    return _index()


@bp.route("/sheet", methods=["POST"])
def sheet():
    form = SheetUploadForm()
    form.mapping.choices = _mapping_choices()
    if not form.validate_on_submit():
        return _index(sheet=form, status=422)
    data, filename = form.file.data.read(), PurePath(form.file.data.filename or "upload").name
    try:
        if form.mapping.data == NEW_MAPPING:
            return _map_page(data, filename, form.sheet.data or None, form.header_row.data or 1)
        imported = services.import_sheet_file(
            data, filename, current_user, mapping_name=form.mapping.data
        )
    except ImportRefused as exc:
        return _index(sheet=form, problems=exc.problems, status=422)
    return _done(imported)


def _map_page(data: bytes, filename: str, sheet_name: str | None, header_row: int):
    table = read_table(data, filename, sheet=sheet_name, header_row=header_row)
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    form = map_form_class(table.header)(formdata=None)
    form.upload.data = uploads.keep(data, suffix)
    form.filename.data, form.sheet.data = filename, sheet_name or ""
    form.header_row.data = str(header_row)
    return _render_map(form, table.header)


def _render_map(form: MapForm, header: list[str], problems=None, status=200):
    return render_template(
        "questionnaires/import_map.html",
        form=form,
        header=[h for h in header if h],
        fields=FIELDS,
        problems=problems or [],
    ), status


@bp.route("/map", methods=["POST"])
def map_columns():
    posted = MapForm()
    data = uploads.load(posted.upload.data)
    if data is None:
        problem = Problem("upload", "the uploaded file is gone (kept a day); upload it again")
        return _index(problems=[problem], status=410)
    filename = PurePath(posted.filename.data or "upload.xlsx").name
    header_row = int(posted.header_row.data) if (posted.header_row.data or "").isdigit() else 1
    try:
        table = read_table(data, filename, sheet=posted.sheet.data or None, header_row=header_row)
    except ImportRefused as exc:
        return _index(problems=exc.problems, status=422)
    form = map_form_class(table.header)()
    if not form.validate_on_submit():
        return _render_map(form, table.header, status=422)
    try:
        mapping = _mapping_from(form, header_row)
        if form.save_as.data and form.save_as.data.strip():
            services.save_mapping(form.save_as.data.strip(), mapping, current_user)
        imported = services.import_sheet_file(data, filename, current_user, mapping=mapping)
    except ImportRefused as exc:
        db.session.rollback()
        return _render_map(form, table.header, exc.problems, 422)
    uploads.discard(posted.upload.data)
    return _done(imported)


def _mapping_from(form: MapForm, header_row: int) -> Mapping:
    columns = {name: getattr(form, f"col_{name}").data or None for name in FIELDS}
    if not columns["id"] or not columns["text"]:
        raise ImportRefused([Problem("columns", "choose the question id and text columns")])
    try:
        return _build_mapping(form, header_row, columns)
    except pydantic.ValidationError as exc:
        raise ImportRefused(
            [Problem(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
        ) from exc


def _build_mapping(form: MapForm, header_row: int, columns: dict) -> Mapping:
    return Mapping(
        sheet=form.sheet.data or None,
        header_row=header_row,
        columns=Columns(**columns),
        defaults=Defaults(
            type=form.default_type.data,
            weight=float(form.default_weight.data or 0),
            framework=(form.framework.data or "").strip() or None,
            allow_na=bool(form.allow_na.data),
        ),
        template=TemplateInfo(
            id=(form.slug.data or "").strip() or None,
            title=(form.title.data or "").strip() or None,
        ),
    )


@bp.route("/vsaq", methods=["POST"])
def vsaq():
    form = VsaqUploadForm()
    if not form.validate_on_submit():
        return _index(vsaq=form, status=422)
    data, filename = form.file.data.read(), PurePath(form.file.data.filename or "upload").name
    try:
        imported = services.import_vsaq_file(data, filename, current_user)
    except ImportRefused as exc:
        return _index(vsaq=form, problems=exc.problems, status=422)
    return _done(imported)
