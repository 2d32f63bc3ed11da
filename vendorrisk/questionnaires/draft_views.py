"""The template composer: drafts, their editor, preview, try scoring, YAML and submission."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from vendorrisk.extensions import db

from . import draft_edits, drafts, services
from .canonical import content_hash
from .draft_forms import EditForm, NewDraftForm, PasteForm
from .formfactory import form_class
from .forms import DecisionForm
from .models import TemplateDraft
from .preview import preview_context, reference_dates_form, try_score

bp = Blueprint("drafts", __name__, url_prefix="/templates/drafts")


def _index_page(new=None, paste=None, status=200):
    return render_template(
        "questionnaires/drafts.html",
        drafts=drafts.list_drafts(),
        new=new or NewDraftForm(formdata=None),
        paste=paste or PasteForm(formdata=None),
    ), status


@bp.route("/")
def index():
    return _index_page()


@bp.route("/new", methods=["POST"])
def new():
    form = NewDraftForm()
    if form.validate_on_submit():
        try:
            draft = drafts.create_empty(
                form.slug.data, form.title.data, form.kind.data, current_user
            )
        except draft_edits.EditRefused as exc:
            for name, message in exc.errors.items():
                form[name].errors = [message]
        else:
            db.session.commit()
            return redirect(url_for(".edit", draft_id=draft.id), 303)
    return _index_page(new=form, status=422)


@bp.route("/paste", methods=["POST"])
def paste():
    form = PasteForm()
    if not form.validate_on_submit() or not (form.yaml_text.data or "").strip():
        form.yaml_text.errors = ["Paste the template's YAML."]
        return _index_page(paste=form, status=422)
    draft = drafts.create_from_text(form.yaml_text.data.replace("\r\n", "\n"), current_user)
    db.session.commit()
    return redirect(url_for(".edit", draft_id=draft.id), 303)


@bp.route("/from-version/<int:version_id>", methods=["POST"])
def from_version(version_id: int):
    version = services.get_version_or_404(version_id)
    if DecisionForm().validate_on_submit():
        draft = drafts.create_from_version(version, current_user)
        db.session.commit()
        return redirect(url_for(".edit", draft_id=draft.id), 303)
    return redirect(url_for("questionnaires.version", version_id=version.id))


def _editor(draft: TemplateDraft, errors=None, focus=None, status=200, section=None):
    return render_template(
        "questionnaires/draft_edit.html",
        draft=draft,
        data=drafts.draft_data(draft),
        messages=drafts.messages_by_question(draft),
        errors=errors or {},
        focus=focus,
        errors_section=section,
        types=draft_edits.QUESTION_TYPES,
        scored_kinds=draft_edits.SCORED_KINDS,
        finding_title_max=draft_edits.FINDING_TITLE_MAX,
        blocks=draft_edits.bank_blocks(),
        operators=draft_edits.OPERATORS,
        options_text=draft_edits.options_text,
        show_if_of=draft_edits.show_if_of,
        show_if_choices=draft_edits.show_if_choices,
        form=EditForm(formdata=None),
    ), status


@bp.route("/<int:draft_id>")
def edit(draft_id: int):
    return _editor(drafts.get_draft_or_404(draft_id), focus=request.args.get("q"))


@bp.route("/<int:draft_id>/edit", methods=["POST"])
def apply(draft_id: int):
    draft = drafts.get_draft_or_404(draft_id)
    form = EditForm()
    focus = request.form.get("question") or request.form.get("new_id")
    if not form.validate_on_submit():
        return _editor(draft, {"op": "The form expired; reload the page."}, focus, 400)
    try:
        messages = drafts.apply_edit(
            draft, form.lock_version.data, form.op.data, request.form, current_user
        )
    except drafts.DraftConflict as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _editor(drafts.get_draft_or_404(draft_id), focus=focus, status=409)
    except draft_edits.EditRefused as exc:
        return _editor(draft, exc.errors, focus, 422, request.form.get("section"))
    db.session.commit()
    if messages:
        flash(
            "Saved, but the validator found problems; they are shown beside the parts they concern.",
            "warning",
        )
    else:
        flash("Saved.", "success")
    anchor = f"q-{focus}" if focus else "top"
    return redirect(url_for(".edit", draft_id=draft.id, q=focus, _anchor=anchor), 303)


@bp.route("/<int:draft_id>/yaml")
def download(draft_id: int):
    draft = drafts.get_draft_or_404(draft_id)
    return Response(
        draft.yaml_text,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{draft.slug}-draft.yaml"'},
    )


def _preview_page(draft, parsed, form, dates, outcome=None, status=200):
    return render_template(
        "questionnaires/draft_preview.html",
        draft=draft,
        parsed=parsed,
        **preview_context(form, dates, outcome),
    ), status


@bp.route("/<int:draft_id>/preview", methods=["GET", "POST"])
def preview(draft_id: int):
    draft = drafts.get_draft_or_404(draft_id)
    parsed = drafts.parsed_draft(draft)
    if parsed is None:
        flash("Correct the problems the validator found before previewing the draft.", "warning")
        return redirect(url_for(".edit", draft_id=draft.id), 303)
    cls = form_class(parsed, key=("draft", draft.id, content_hash(parsed)))
    if request.method == "GET":
        return _preview_page(draft, parsed, cls(formdata=None), reference_dates_form(parsed))
    form, dates = cls(), reference_dates_form(parsed, request.form)
    outcome = try_score(parsed, form, dates)
    return _preview_page(draft, parsed, form, dates, outcome, 200 if outcome.result else 400)


@bp.route("/<int:draft_id>/submit", methods=["POST"])
def submit(draft_id: int):
    draft = drafts.get_draft_or_404(draft_id)
    form = EditForm()
    if not form.validate_on_submit():
        return _editor(draft, {"op": "The form expired; reload the page."}, status=400)
    try:
        version = drafts.submit(draft, form.lock_version.data, current_user)
    except drafts.DraftConflict as exc:
        flash(str(exc), "danger")
        return _editor(draft, status=409)
    except services.UploadRejected as exc:
        db.session.rollback()
        draft = drafts.get_draft_or_404(draft_id)
        return _editor(draft, {"submit": "; ".join(e.reason for e in exc.errors)}, status=422)
    db.session.commit()
    flash(
        f"Version {version.number} of “{version.template.title}” is submitted. Another vendor "
        "manager or an administrator must approve it before it can be used.",
        "success",
    )
    return redirect(url_for("questionnaires.version", version_id=version.id), 303)
