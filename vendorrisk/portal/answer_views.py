"""Answering: a section at a time, saved as a draft, with files attached or removed."""

from flask import abort, flash, jsonify, redirect, request, url_for
from werkzeug.exceptions import NotFound

from vendorrisk.campaigns.models import CAIQ_EVIDENCE, Evidence
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import csrf, db
from vendorrisk.portal import access, pages, services
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.drafts import draft_formdata, overlay
from vendorrisk.portal.forms import SaveMetaForm
from vendorrisk.portal.page_rows import load_evidence
from vendorrisk.questionnaires.formview import layout_of, state_from_data


@bp.route("/portal/a/<int:assignment_id>/")
def questionnaire(assignment_id: int):
    """Open the questionnaire at its first section (or the receipt once it is closed)."""
    assignment, _ = access.assignment_or_404(assignment_id)
    if assignment.is_submitted and services.editable_questions(assignment.response) == set():
        return redirect(url_for(".receipt", assignment_id=assignment_id))
    index, anchor = services.first_stop(assignment)
    return redirect(url_for(".section", assignment_id=assignment_id, index=index, _anchor=anchor))


@bp.route("/portal/a/<int:assignment_id>/s/<int:index>", methods=["GET"])
def section(assignment_id: int, index: int):
    """Show one section with the saved draft."""
    # Read as plain rows, not ORM objects (see portal/page_rows.py): this page only reads.
    assignment, recipient = access.assignment_view_or_404(assignment_id)
    load_evidence(assignment.response)
    template = services.template_of(assignment)
    index = pages.section_index(template, index)
    answers = services.shown_answers(assignment.response)
    layout = layout_of(pages.questionnaire_form_class(assignment))
    state = state_from_data(draft_formdata(template, services.draft_answers(assignment.response)))
    return pages.section_page(assignment, recipient, index, template, answers, layout, state)


@bp.route("/portal/a/<int:assignment_id>/s/<int:index>", methods=["POST"])
@csrf.exempt  # checked by the form below, so an expired token re-shows what was typed
def save_section(assignment_id: int, index: int):
    """Save one section's answers and files (the draft, or a JSON reply to an autosave)."""
    try:
        assignment, recipient = access.assignment_or_404(assignment_id)
    except NotFound:
        return pages.expired_page(assignment_id, index)
    meta, response = SaveMetaForm(meta={"csrf": False}), assignment.response
    template = services.template_of(assignment)
    sec = template.sections[pages.section_index(template, index)]
    base = draft_formdata(template, services.draft_answers(response))
    merged = overlay(base, request.form, sec, services.editable_questions(response))
    form = pages.form_for(assignment, merged, request.files)
    ok = form.validate(require_answers=False, evidence=services.evidence_hashes(response))
    if "csrf_token" in form.errors:
        flash(pages.STALE_SECTION, "warning")
    if not ok:
        return pages.posted_section_page(assignment, recipient, index, form, template, status=400)
    version = meta.version.data if meta.validate() else -1
    saved = services.save_section(response, recipient, sec, form, version)
    if saved.version is None:
        return _refused_save(assignment, recipient, index, form, template, saved)
    if request.headers.get("X-Autosave"):
        return jsonify(ok=True, version=saved.version, saved_at=utcnow().strftime("%H:%M"))
    flash("Your answers are saved.", "success")
    go_on = meta.action.data == "next"
    target = pages.next_section(template, response, index) if go_on else index
    if target is None:
        return redirect(pages.after_last_section(assignment_id))
    return redirect(url_for(".section", assignment_id=assignment_id, index=target))


def _refused_save(assignment, recipient, index: int, form, template, saved):
    if saved.conflict:
        return pages.posted_section_page(
            assignment, recipient, index, form, template, status=409, conflict=True
        )
    if saved.file_question is None:
        flash(saved.message, "danger")
    else:
        pages.show_file_error(form, saved.file_question, saved.message)
        flash(
            "A file was not attached, so this page is not saved yet: see the message next to "
            "it, then save again.",
            "danger",
        )
    return pages.posted_section_page(assignment, recipient, index, form, template, status=400)


@bp.route("/portal/a/<int:assignment_id>/evidence/<int:evidence_id>/remove", methods=["POST"])
def remove_evidence(assignment_id: int, evidence_id: int):
    """Remove a file the vendor attached (until a submitted revision includes it)."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.response_id != assignment.response.id:
        abort(404)
    if evidence.question_id == CAIQ_EVIDENCE:
        abort(404)  # the uploaded CAIQ answers no question: it stays as the offers' source
    if evidence.removed_at is None:
        try:
            services.remove_evidence(evidence, recipient)
        except services.PortalError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            services.discard_removed_file(evidence)
            flash(f"{evidence.filename} is removed.", "success")
    index = services.section_of(services.template_of(assignment), evidence.question_id)
    return redirect(url_for(".section", assignment_id=assignment_id, index=index))
