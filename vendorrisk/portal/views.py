"""The vendor portal: a link page that changes nothing, then the questionnaire itself."""

from typing import NamedTuple

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import NotFound

from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment, Evidence
from vendorrisk.campaigns.services import due_display, recipient_for_token
from vendorrisk.core.storage import UploadRejected
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import csrf, db, limiter
from vendorrisk.portal import access, services
from vendorrisk.portal.drafts import draft_formdata, overlay
from vendorrisk.portal.forms import (
    ContinueForm,
    SaveMetaForm,
    VendorPlanForm,
    reply_form_class,
)
from vendorrisk.questionnaires.answers import decode_answer
from vendorrisk.questionnaires.conditions import visible_questions
from vendorrisk.questionnaires.conditions import visible_sections as visible_sections_of
from vendorrisk.questionnaires.formfactory import field_names, form_class, with_evidence
from vendorrisk.questionnaires.formview import (
    FormLayout,
    FormState,
    layout_of,
    state_from_data,
    state_of,
)
from vendorrisk.review import services as review_services
from vendorrisk.review.models import Finding

bp = Blueprint("portal", __name__)


def _lookup_failed() -> bool:
    return bool(g.get("portal_lookup_failed"))


def _recipient_or_gone(token: str):
    recipient = recipient_for_token(token)
    if recipient is None:
        g.portal_lookup_failed = True
        audit.record("portal.token_rejected", outcome="failure", actor_type="anonymous")
        db.session.commit()
        abort(404)
    return recipient


# One allowance per client address for the link page and Continue together; only failed
# look-ups use it up, so a vendor opening a good link again is never refused for that.
_token_lookups = limiter.shared_limit(
    "10 per minute", scope="portal-token", deduct_when=lambda r: _lookup_failed()
)


@bp.route("/p/<token>", methods=["GET"])
@_token_lookups
def landing(token: str):
    # Mail scanners open links before people do: this page must change nothing.
    return _landing_page(_recipient_or_gone(token), token)


def _landing_page(recipient, token: str):
    assignment = recipient.assignment
    return render_template(
        "portal/landing.html",
        recipient=recipient,
        assignment=assignment,
        campaign=assignment.campaign,
        due=due_display(assignment.campaign),
        token=token,
    )


@bp.route("/p/<token>", methods=["POST"])
@_token_lookups
@csrf.exempt  # checked below, so a stale page gets its Continue button back, not a bare 400
def start(token: str):
    recipient = _recipient_or_gone(token)
    if not ContinueForm().validate_on_submit():
        flash("This page was open for a long time. Press Continue again.", "warning")
        return _landing_page(recipient, token), 400
    services.start(recipient)
    access.grant(recipient)
    db.session.commit()
    return redirect(url_for(".questionnaire", assignment_id=recipient.assignment_id))


@bp.route("/portal/")
def home():
    recipients = access.held_recipients()
    return render_template("portal/home.html", recipients=recipients)


@bp.after_app_request
def _portal_cookie(response):
    return access.save_cookie(response)


@bp.after_request
def _no_store(response):
    # Vendor answers must not linger in shared or browser caches (the link pages included).
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the questionnaire ----------------------------------------------------------------------


def _form_class(assignment):
    version = assignment.campaign.template_version
    return form_class(services.template_of(assignment), key=(version.id, version.content_hash))


def _form_for(assignment, formdata, files=None):
    data = CombinedMultiDict([files, formdata]) if files else formdata
    return services.template_of(assignment), _form_class(assignment)(formdata=data)


def _page(
    assignment,
    recipient,
    index: int,
    template,
    answers,
    layout: FormLayout,
    state: FormState,
    *,
    status=200,
    conflict=False,
    expired=False,
):
    """Render a section showing `state`; `answers` decide what is shown and counted."""
    response = assignment.response
    visible_sections = {s.id for s in visible_sections_of(template, answers)}
    visible = {q.id for q in visible_questions(template, answers)}
    answered = sum(1 for qid in visible if qid in answers)
    editable = services.editable_questions(response)
    section_ids = {q.id for q in template.sections[index].questions}
    files = services.live_evidence(response)
    removable = services.removable_evidence(files, editable)
    attached = get_template_attribute("portal/_attached.html", "attached")
    state = state._replace(
        attached={qid: attached(fs, removable) for qid, fs in files.items() if qid in section_ids}
    )
    return render_template(
        "portal/section.html",
        round=_review_round(assignment, template, editable),
        assignment=assignment,
        recipient=recipient,
        template=template,
        layout=layout,
        state=state,
        index=index,
        section=template.sections[index],
        visible_sections=visible_sections,
        visible_questions=visible,
        answered=answered,
        total=len(visible),
        removable=sorted(removable),
        editable=editable,
        version=response.version,
        conflict=conflict,
        expired=expired,
        due=due_display(assignment.campaign),
        revision=response.open_revision,
        known_answers={
            qid: list(a.chosen_values())
            for qid, a in answers.items()
            if qid in visible and qid not in section_ids
        },
    ), status


class ReviewRound(NamedTuple):
    """A clarification round as the section page shows it."""

    asked: dict[str, list[str]]  # question id -> the reviewer's comments
    editable: set[str]
    sections: list[tuple[int, str]]  # (index, title) of the sections holding them


def _review_round(assignment, template, editable: set[str] | None) -> ReviewRound | None:
    revision = assignment.response.open_revision
    if revision is None or not editable:
        return None
    asked: dict[str, list[str]] = {}
    for item in review_services.clarification_items(assignment, revision.number):
        asked.setdefault(item.question_id, []).append(item.comment)
    sections = [
        (i, s.title)
        for i, s in enumerate(template.sections)
        if any(q.id in editable for q in s.questions)
    ]
    return ReviewRound(asked, editable, sections)


def _form_page(assignment, recipient, index: int, form, template, *, status: int, **kwargs):
    """Render a section again from a posted form, with its errors and what was typed."""
    answers = form.answers(_evidence_hashes(assignment.response))
    layout, state = layout_of(type(form)), state_of(form)
    return _page(
        assignment, recipient, index, template, answers, layout, state, status=status, **kwargs
    )


def _evidence_hashes(response) -> dict[str, list[str]]:
    files = services.live_evidence(response)
    return {qid: [e.sha256 for e in attached] for qid, attached in files.items()}


def _section_index(template, index: int) -> int:
    if not 0 <= index < len(template.sections):
        abort(404)
    return index


@bp.route("/portal/a/<int:assignment_id>/")
def questionnaire(assignment_id: int):
    assignment, _ = access.assignment_or_404(assignment_id)
    if assignment.is_submitted and services.editable_questions(assignment.response) == set():
        return redirect(url_for(".receipt", assignment_id=assignment_id))
    return redirect(url_for(".section", assignment_id=assignment_id, index=0))


@bp.route("/portal/a/<int:assignment_id>/s/<int:index>", methods=["GET"])
def section(assignment_id: int, index: int):
    assignment, recipient = access.assignment_or_404(assignment_id)
    response = assignment.response
    template = services.template_of(assignment)
    index = _section_index(template, index)
    saved = services.draft_answers(response)
    answers = with_evidence(template, saved, _evidence_hashes(response))
    layout = layout_of(_form_class(assignment))
    state = state_from_data(draft_formdata(template, saved))
    return _page(assignment, recipient, index, template, answers, layout, state)


@bp.route("/portal/a/<int:assignment_id>/s/<int:index>", methods=["POST"])
@csrf.exempt  # checked by the form below, so an expired token re-shows what was typed
def save_section(assignment_id: int, index: int):
    try:
        assignment, recipient = access.assignment_or_404(assignment_id)
    except NotFound:
        return _expired_page(assignment_id, index)
    meta = SaveMetaForm(meta={"csrf": False})
    response = assignment.response
    template = services.template_of(assignment)
    index = _section_index(template, index)
    sec = template.sections[index]
    base = draft_formdata(template, services.draft_answers(response))
    merged = overlay(base, request.form, sec, services.editable_questions(response))
    _, form = _form_for(assignment, merged, request.files)
    evidence = _evidence_hashes(response)
    ok = form.validate(require_answers=False, evidence=evidence)
    if "csrf_token" in form.errors:
        flash(
            "This page was open for a long time. Your answers are shown again: press "
            "Save to keep them.",
            "warning",
        )
        return _form_page(assignment, recipient, index, form, template, status=400)
    if not ok:
        return _form_page(assignment, recipient, index, form, template, status=400)
    stored: list[str] = []  # files written by this request, to delete if it fails
    uploading = None  # the question whose file is being stored, for a message next to it
    try:
        for q in sec.questions:
            for upload in form.uploaded_files(q.id):
                uploading = q.id
                stored.append(
                    services.attach_evidence(response, recipient, q.id, upload).stored_name
                )
        uploading = None
        answers = form.answers(_evidence_hashes(response))
        services.save_answers(
            response,
            recipient,
            [q.id for q in sec.questions],
            answers,
            meta.version.data if meta.validate() else -1,
        )
        db.session.flush()
        # The version this save made, read before the commit: after it, a colleague's save
        # could already be there, and our next autosave would overwrite it unawares.
        saved_version = response.version
        db.session.commit()
    except (services.EditConflict, StaleDataError):  # a save that raced ours and won
        db.session.rollback()
        services.discard_uncommitted_files(stored)
        return _form_page(assignment, recipient, index, form, template, status=409, conflict=True)
    except (services.PortalError, UploadRejected) as exc:
        db.session.rollback()
        services.discard_uncommitted_files(stored)
        if uploading is None:
            flash(str(exc), "danger")
        else:
            _file_error(form, uploading, str(exc))
            flash(
                "A file was not attached, so this page is not saved yet: see the message next "
                "to it, then save again.",
                "danger",
            )
        return _form_page(assignment, recipient, index, form, template, status=400)
    if request.headers.get("X-Autosave"):
        return jsonify(ok=True, version=saved_version, saved_at=utcnow().strftime("%H:%M"))
    flash("Your answers are saved.", "success")
    target = _next_section(template, response, index) if meta.action.data == "next" else index
    if target is None:
        return redirect(url_for(".review", assignment_id=assignment_id))
    return redirect(url_for(".section", assignment_id=assignment_id, index=target))


def _file_error(form, question_id: str, message: str) -> None:
    """Show a refused upload's message next to the field the file was chosen in."""
    names = field_names(question_id)
    name = names.files if names.files in form else names.value
    form[name].errors = [*form[name].errors, message]


def _next_section(template, response, index: int) -> int | None:
    """Return the next section the answers so far show (None: go to review and submit)."""
    shown = {s.id for s in visible_sections_of(template, services.draft_answers(response))}
    return next(
        (i for i in range(index + 1, len(template.sections)) if template.sections[i].id in shown),
        None,
    )


def _expired_page(assignment_id: int, index: int | None = None):
    """Show what was posted after access lapsed, so the person can copy it (404 if never held)."""
    if not access.has_expired_grant_for(assignment_id):
        abort(404)
    template = services.template_of(db.session.get(Assignment, assignment_id))
    typed = _typed_values(template) if index is not None else _typed_attestation()
    return render_template("portal/expired.html", typed=typed), 401


def _typed_attestation() -> list[tuple[str, str]]:
    """Pair the name, title and replies posted from the review page with their labels."""
    labels = {"name": "Your full name", "title": "Your job title"}
    typed = []
    for key, value in request.form.items(multi=True):
        label = labels.get(key) or ("Your reply" if key.startswith("reply_") else None)
        if label and value.strip():
            typed.append((label, value))
    return typed[:500]


def _typed_values(template) -> list[tuple[str, str]]:
    """Pair what was posted with its question's wording, so the person can copy it."""
    typed = []
    for key, value in request.form.items(multi=True):
        qid = key[2:].split("-", 1)[0] if key.startswith("a-") else None
        if qid and value.strip():
            try:
                label = template.question(qid).text
            except KeyError:
                continue
            if key.endswith("-comment") or key.endswith("-reason"):
                label += " (comment)"
            typed.append((label, value))
    return typed[:500]


@bp.route("/portal/a/<int:assignment_id>/evidence/<int:evidence_id>/remove", methods=["POST"])
def remove_evidence(assignment_id: int, evidence_id: int):
    assignment, recipient = access.assignment_or_404(assignment_id)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.response_id != assignment.response.id:
        abort(404)
    if evidence.removed_at is None:
        try:
            services.remove_evidence(evidence, recipient)
        except services.PortalError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            services.discard_removed_file(evidence)
            flash(f"{evidence.filename} is removed.", "success")
    template = services.template_of(assignment)
    index = next(
        i
        for i, s in enumerate(template.sections)
        if any(q.id == evidence.question_id for q in s.questions)
    )
    return redirect(url_for(".section", assignment_id=assignment_id, index=index))


@bp.route("/portal/a/<int:assignment_id>/submit", methods=["GET", "POST"])
@csrf.exempt  # checked by the form below, so a stale token re-shows the name, title and replies
def review(assignment_id: int):
    try:
        assignment, recipient = access.assignment_or_404(assignment_id)
    except NotFound:
        if request.method == "POST":
            return _expired_page(assignment_id)
        raise
    response = assignment.response
    if services.editable_questions(response) == set():
        return redirect(url_for(".receipt", assignment_id=assignment_id))
    template = services.template_of(assignment)
    revision = response.open_revision
    items = review_services.clarification_items(assignment, revision.number) if revision else []
    form = reply_form_class(tuple(i.id for i in items))()
    answers = services.draft_answers(response)
    gaps = services.gaps(template, answers, services.live_evidence(response))
    if form.validate_on_submit():
        try:
            version = int(form.version.data or -1)
            review_services.record_replies(
                assignment,
                recipient,
                revision.number if revision else 0,
                {i.id: form[f"reply_{i.id}"].data for i in items},
            )
            services.submit(
                assignment,
                recipient,
                name=form.name.data,
                title=form.title.data,
                expected_version=version,
            )
        except (services.EditConflict, StaleDataError):
            db.session.rollback()
            flash(
                "Someone else saved answers a moment ago. Check them, then submit again.", "warning"
            )
        except services.GapsError as exc:
            db.session.rollback()
            gaps = exc.gaps
        except services.PortalError:  # a colleague submitted a moment earlier
            db.session.rollback()
            return redirect(url_for(".receipt", assignment_id=assignment_id))
        else:
            db.session.commit()
            return redirect(url_for(".receipt", assignment_id=assignment_id))
    if form.is_submitted() and "csrf_token" in form.errors:
        flash(
            "This page was open for a long time. What you typed is shown again: press "
            "Submit the answers to send it.",
            "warning",
        )
    form.version.data = response.version
    visible = visible_questions(template, answers)
    return render_template(
        "portal/review.html",
        assignment=assignment,
        template=template,
        form=form,
        gaps=gaps,
        items=items,
        answered=sum(1 for q in visible if q.id in answers),
        total=len(visible),
        due=due_display(assignment.campaign),
        late=assignment.is_overdue(),
        section_of={q.id: i for i, s in enumerate(template.sections) for q in s.questions},
    )


@bp.route("/portal/a/<int:assignment_id>/receipt")
def receipt(assignment_id: int):
    assignment, recipient = access.assignment_or_404(assignment_id)
    revision = assignment.response.latest_submitted
    if revision is None:
        return redirect(url_for(".questionnaire", assignment_id=assignment_id))
    template = services.template_of(assignment)
    answers = {qid: decode_answer(a) for qid, a in (revision.answers or {}).items()}
    return render_template(
        "portal/receipt.html",
        assignment=assignment,
        revision=revision,
        template=template,
        answers=answers,
        evidence=revision.evidence_index or [],
        reopened=services.editable_questions(assignment.response) not in (set(), None),
    )


@bp.route("/portal/a/<int:assignment_id>/findings")
def findings(assignment_id: int):
    assignment, _ = access.assignment_or_404(assignment_id)
    return _findings_page(assignment)


def _findings_page(assignment, failed=None, status: int = 200):
    items = review_services.vendor_findings(assignment)
    forms = {f.id: VendorPlanForm(prefix=f"f{f.id}", formdata=None) for f in items}
    if failed is not None:
        forms[failed.meta_id] = failed
    return render_template(
        "portal/findings.html", assignment=assignment, findings=items, forms=forms
    ), status


@bp.route("/portal/a/<int:assignment_id>/findings/<int:finding_id>", methods=["POST"])
def finding_plan(assignment_id: int, finding_id: int):
    assignment, recipient = access.assignment_or_404(assignment_id)
    finding = db.session.get(Finding, finding_id)
    if finding is None or finding.assignment_id != assignment.id or finding.internal:
        abort(404)
    form = VendorPlanForm(prefix=f"f{finding.id}")
    form.meta_id = finding.id
    if form.validate_on_submit():
        try:
            review_services.plan_remediation(
                finding,
                owner=form.owner.data,
                plan_date=form.plan_date.data,
                plan=form.plan.data or "",
                recipient=recipient,
            )
        except review_services.ReviewError as exc:
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash("Thank you: your remediation plan is recorded.", "success")
            return redirect(url_for(".findings", assignment_id=assignment_id))
    return _findings_page(assignment, failed=form, status=400)
