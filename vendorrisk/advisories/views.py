"""The advisory library: list and search, the advisory page, writing, exposure, checklist,
asking again, and the public Atom feed."""

import hashlib
import re
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from vendorrisk.accounts.models import User
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import Template
from vendorrisk.questionnaires.services import current_version, parsed_version
from vendorrisk.reports.access import exportable_advisory_campaigns
from vendorrisk.vendors.models import OFFBOARDED, Product, Vendor

from . import exposure, feed, feed_tokens, pages, search, services
from .checklist import ChecklistError, progress_rows, set_progress
from .drafting import DraftRefused, start_draft_from_advisory
from .followup import FollowUpError, ask_again
from .forms import (
    NEW_ROWS,
    AdvisoryForm,
    AskAgainForm,
    ExposureForm,
    FeedLinkForm,
    FilterForm,
    ProgressForm,
    UpdateForm,
)
from .markup import stored
from .models import SOURCE_APP, SOURCE_FILE, AdvisoryProduct

bp = Blueprint("advisories", __name__, url_prefix="/advisories")


@bp.app_template_filter("stored_html")
def stored_html_filter(fragment: str | None):
    """Insert the HTML an advisory's Markdown was rendered to when it was saved."""
    return stored(fragment)


def _show_beside_fields(form, exc: services.AdvisoryError) -> list[str]:
    """Put each field's message beside it; return the rest for the box above the form."""
    for name, message in exc.fields.items():
        form[name].errors = [*form[name].errors, message]
    return exc.problems


def _product_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Product.id, Product.supplier, Product.name).order_by(Product.supplier, Product.name)
    ).all()
    return [(r.id, f"{r.supplier} · {r.name}") for r in rows]


def _template_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Template.slug, Template.title)
        .where(Template.archived_at.is_(None))
        .order_by(Template.title)
    ).all()
    return [(r.slug, r.title) for r in rows]


def _advisory_form(formdata=None, advisory=None, **kwargs) -> AdvisoryForm:
    others = [(s, s) for s in services.advisory_slugs() if advisory is None or s != advisory.slug]
    return AdvisoryForm(
        formdata,
        product_choices=_product_choices(),
        template_choices=_template_choices(),
        advisory_choices=others,
        **kwargs,
    )


@bp.route("/")
def index():
    form = FilterForm(request.args)
    used = select(AdvisoryProduct.product_id)
    form.product.choices = [("", "Any product")] + [
        (str(r.id), f"{r.supplier} · {r.name}")
        for r in db.session.execute(
            select(Product.id, Product.supplier, Product.name)
            .where(Product.id.in_(used))
            .order_by(Product.supplier, Product.name)
        )
    ]
    if not form.validate():
        form = FilterForm()
        form.product.choices = [("", "Any product")]
    advisories = pages.advisory_list(
        form.q.data, form.status.data, form.severity.data, form.product.data
    )
    return render_template(
        "advisories/index.html",
        form=form,
        advisories=advisories,
        searching=bool(search.terms(form.q.data)),
    )


def _feed_response():
    document = feed.atom()
    response = Response(document.body, mimetype="application/atom+xml")
    response.set_etag(hashlib.sha256(document.body).hexdigest())
    response.last_modified = document.updated
    # A reader asks again with If-None-Match / If-Modified-Since and gets a 304 until
    # something changes; the feed may hold internal advisories, so only the reader keeps it.
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@bp.route("/feed.atom", endpoint="feed")
def feed_atom():
    """Serve the advisory feed to a signed-in person."""
    return _feed_response()


@bp.route("/feed/<token>.atom", endpoint="feed_by_link")
def feed_by_link(token: str):
    """Serve the advisory feed to a feed reader holding a person's feed link."""
    if feed_tokens.user_for_feed_token(token) is None:
        abort(404)
    return _feed_response()


@bp.app_template_global("advisory_feed_link")
def advisory_feed_link(user):
    """Return a person's feed link record (for the profile page), or None."""
    return feed_tokens.feed_token_of(user)


@bp.route("/feed-link", methods=["POST"], endpoint="feed_link_create")
def feed_link_create():
    """Make a new personal feed link (retiring the old one) and show it once."""
    if not FeedLinkForm().validate_on_submit():
        abort(400)
    secret = feed_tokens.create_feed_token(current_user)
    db.session.commit()
    url = url_for(".feed_by_link", token=secret, _external=True)
    return render_template("advisories/feed_link.html", feed_url=url)


@bp.route("/feed-link/revoke", methods=["POST"], endpoint="feed_link_revoke")
def feed_link_revoke():
    """Revoke the personal feed link."""
    if FeedLinkForm().validate_on_submit() and feed_tokens.revoke_feed_token(current_user):
        db.session.commit()
        flash("Your feed link is revoked; feed readers using it get nothing more.", "info")
    return redirect(url_for("accounts.profile"))


@bp.route("/<slug>")
def show(slug: str):
    advisory = services.get_advisory_or_404(slug)
    return render_template(
        "advisories/show.html",
        page=pages.advisory_page(advisory),
        ask_form=AskAgainForm(),
        may_pack=exportable_advisory_campaigns(advisory.slug) is not None,
    )


def _slug_from(title: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", title.lower()))[:100].strip("-") or "advisory"


def _save(form: AdvisoryForm, advisory=None):
    """Validate the whole document and save it; return the advisory or the problems."""
    slug = advisory.slug if advisory else (form.slug.data or _slug_from(form.title.data))
    try:
        doc, products = services.document_from_data(form.data_for_document(slug))
        services.check_document(doc, advisory)
        saved, _ = services.save_document(
            advisory, doc, products, source=SOURCE_APP, actor=current_user
        )
    except services.AdvisoryError as exc:
        return None, _show_beside_fields(form, exc)
    return saved, []


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _advisory_form(request.form if request.method == "POST" else None)
    problems: list[str] = []
    if form.validate_on_submit():
        advisory, problems = _save(form)
        if advisory is not None:
            db.session.commit()
            flash("The advisory is published in the library.", "success")
            return redirect(url_for(".show", slug=advisory.slug))
    if request.method == "GET":
        form.add_blank_rows(NEW_ROWS)
    return render_template(
        "advisories/form.html", form=form, advisory=None, problems=problems
    ), 400 if request.method == "POST" else 200


def _form_data(advisory) -> dict:
    return {
        "title": advisory.title,
        "publisher": advisory.publisher,
        "published": advisory.published_on,
        "severity": advisory.severity,
        "status": advisory.status,
        "superseded_by": advisory.superseded_by or "",
        "summary": advisory.summary,
        "body": advisory.body,
        "key_dates": [{**d, "date": date.fromisoformat(d["date"])} for d in advisory.key_dates],
        "actions": [
            {
                "key": a["id"],
                "audience": a["for"],
                "text": a["text"],
                "questions": "; ".join(a.get("questions") or []),
            }
            for a in advisory.actions
        ],
        "references": advisory.reference_links,
        "templates": advisory.templates,
        "products": [
            {
                "product": p.product_id,
                "affected": "; ".join(p.affected_versions),
                "fixed": "; ".join(p.fixed_versions),
            }
            for p in advisory.products
        ],
    }


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    advisory = services.get_advisory_or_404(slug)
    if advisory.source == SOURCE_FILE:
        flash(
            f"This advisory is shipped as {advisory.file_path}: change the file and run "
            "“flask advisories sync”. Updates can still be added here.",
            "warning",
        )
        return redirect(url_for(".show", slug=slug))
    if request.method == "POST":
        form = _advisory_form(request.form, advisory)
    else:
        form = _advisory_form(None, advisory, data=_form_data(advisory))
        form.add_blank_rows()
    problems: list[str] = []
    if form.validate_on_submit():
        saved, problems = _save(form, advisory)
        if saved is not None:
            db.session.commit()
            flash("The advisory is saved.", "success")
            return redirect(url_for(".show", slug=slug))
    return render_template(
        "advisories/form.html", form=form, advisory=advisory, problems=problems
    ), 400 if request.method == "POST" else 200


def _question_choices(advisory) -> list[tuple[str, str]]:
    found = []
    for slug in advisory.templates:
        template = db.session.scalar(select(Template).where(Template.slug == slug))
        version = current_version(template) if template is not None else None
        if version is None:
            continue
        for question in parsed_version(version).questions():
            text = question.text if len(question.text) <= 110 else question.text[:107] + "…"
            found.append((f"{slug}/{question.id}", f"{text} ({question.id})"))
    return found


@bp.route("/<slug>/updates/new", methods=["GET", "POST"])
def add_update(slug: str):
    advisory = services.get_advisory_or_404(slug)
    form = UpdateForm(question_choices=_question_choices(advisory))
    problems: list[str] = []
    if form.validate_on_submit():
        existing = {a.id for a in services.effective(advisory).actions}
        try:
            update = services.update_from_data(form.data_for_update(existing))
            row = services.add_update(advisory, update, current_user)
        except services.AdvisoryError as exc:
            problems = _show_beside_fields(form, exc)
        else:
            db.session.commit()
            flash(f"Update {row.number} is on the advisory's timeline.", "success")
            return redirect(url_for(".show", slug=slug, _anchor=f"update-{row.number}"))
    if request.method == "GET":
        form.add_blank_rows()
    return render_template(
        "advisories/update_form.html",
        form=form,
        advisory=advisory,
        current=services.effective(advisory),
        problems=problems,
    ), 400 if request.method == "POST" else 200


@bp.route("/<slug>/exposure", methods=["GET", "POST"])
def set_exposure(slug: str):
    advisory = services.get_advisory_or_404(slug)
    form = ExposureForm()
    form.vendor.choices = [("", "Choose a vendor")] + [
        (str(v.id), v.name)
        for v in db.session.execute(
            select(Vendor.id, Vendor.name)
            .where(Vendor.status != OFFBOARDED)
            .order_by(Vendor.name_key)
        )
    ]
    if request.method == "GET":
        form.vendor.data = request.args.get("vendor", type=int)
    if form.validate_on_submit():
        vendor = db.session.get(Vendor, form.vendor.data) or abort(404)
        try:
            exposure.set_exposure(advisory, vendor, form.state.data, form.reason.data, current_user)
        except exposure.ExposureError as exc:
            getattr(form, exc.field or "state").errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Exposure of {vendor.name} recorded.", "success")
            return redirect(url_for(".show", slug=slug, _anchor="vendors"))
    rows = {r.vendor.id: r for r in exposure.vendor_rows(advisory)}
    return render_template(
        "advisories/exposure.html", form=form, advisory=advisory, row=rows.get(form.vendor.data)
    ), 400 if request.method == "POST" else 200


@bp.route("/<slug>/actions/<key>", methods=["GET", "POST"])
def action_progress(slug: str, key: str):
    advisory = services.get_advisory_or_404(slug)
    action = next((a for a in services.effective(advisory).firm_actions if a.id == key), None)
    if action is None:
        abort(404)
    progress = progress_rows(advisory).get(key)
    form = ProgressForm()
    if progress is not None and request.method == "GET":
        form.state.data, form.owner.data = progress.state, progress.owner_id
        form.on_date.data, form.note.data = progress.on_date, progress.note
    form.owner.choices = [("", "Nobody yet")] + [
        (str(u.id), u.name)
        for u in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
    ]
    if form.validate_on_submit():
        try:
            set_progress(
                advisory,
                action,
                state=form.state.data,
                owner_id=form.owner.data,
                on_date=form.on_date.data,
                note=form.note.data,
                actor=current_user,
            )
        except ChecklistError as exc:
            getattr(form, exc.field or "state").errors.append(str(exc))
        else:
            db.session.commit()
            flash("The checklist is updated.", "success")
            return redirect(url_for(".show", slug=slug, _anchor="checklist"))
    return render_template(
        "advisories/action.html", form=form, advisory=advisory, action=action, progress=progress
    ), 400 if request.method == "POST" else 200


@bp.route("/<slug>/updates/<int:number>/ask-again", methods=["POST"], endpoint="ask_again")
def ask_again_view(slug: str, number: int):
    advisory = services.get_advisory_or_404(slug)
    update = services.get_update_or_404(advisory, number)
    if not AskAgainForm().validate_on_submit():
        abort(400)
    try:
        asked = ask_again(advisory, update, exposure.advisory_assignments(advisory), current_user)
    except FollowUpError as exc:
        flash(str(exc), "warning")
    else:
        db.session.commit()
        flash(
            f"{len(asked)} vendor(s) asked again about update {number}; only the affected "
            "questions can change.",
            "success",
        )
    return redirect(url_for(".show", slug=slug, _anchor=f"update-{number}"))


@bp.route("/<slug>/draft-questionnaire", methods=["POST"], endpoint="draft_questionnaire")
def draft_questionnaire(slug: str):
    advisory = services.get_advisory_or_404(slug)
    if not AskAgainForm().validate_on_submit():
        abort(400)
    try:
        draft = start_draft_from_advisory(advisory, current_user)
    except DraftRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        flash(
            f"“{draft.title}” is drafted from this advisory with the question bank. Check and "
            "edit it, then submit it: another vendor manager or an administrator must approve "
            "it before it can be used.",
            "success",
        )
        return redirect(url_for("drafts.edit", draft_id=draft.id))
    return redirect(url_for(".show", slug=slug, _anchor="draft-questionnaire"))
