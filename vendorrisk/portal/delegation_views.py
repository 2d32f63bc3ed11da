"""Delegation in the portal: hand sections to a colleague, follow them, take a link back.

A guard before every portal request with an assignment in its URL keeps a delegate within the
delegated sections: every other route of the assignment answers 404 to them.
"""

from flask import abort, flash, g, redirect, render_template, request, url_for

from vendorrisk.campaigns.forms import choices
from vendorrisk.campaigns.models import Evidence
from vendorrisk.extensions import db
from vendorrisk.portal import access, delegation, services
from vendorrisk.portal.blueprint import bp
from vendorrisk.portal.delegation_forms import DelegateForm, RevokeDelegationForm

# What a delegate may open: their sections (to read, save and confirm earlier answers in), files
# attached there, and the page listing their sections. Everything else of the assignment is the
# delegating recipient's.
_SECTION_ROUTES = frozenset({"portal.section", "portal.save_section", "portal.confirm_reused"})


@bp.before_request
def _keep_delegates_in_scope():
    args = request.view_args or {}
    assignment_id = args.get("assignment_id")
    if assignment_id is None or not access.holds_scoped_grant():
        return None  # no delegate's grant: nothing to keep in scope, and no rows read for it
    recipient = access.held_recipient(assignment_id)
    if recipient is None or not g.portal_scoped:
        return None  # no access (the view answers as to anyone), or the whole questionnaire
    scope = delegation.scope_of(recipient) or frozenset()
    g.delegate_scope = scope
    endpoint = request.endpoint
    if endpoint == "portal.questionnaire":
        return redirect(url_for("portal.my_sections", assignment_id=assignment_id))
    if endpoint == "portal.my_sections":
        return None
    template = services.template_of(recipient.assignment)
    if endpoint in _SECTION_ROUTES:
        index = args["index"]
        if 0 <= index < len(template.sections) and template.sections[index].id in scope:
            return None
    elif endpoint == "portal.remove_evidence":
        evidence = db.session.get(Evidence, args["evidence_id"])
        if evidence is not None and evidence.response_id == recipient.assignment.response.id:
            if delegation.section_of_question(template, evidence.question_id) in scope:
                return None
    abort(404)


def delegate_scope() -> frozenset[str] | None:
    """Return the sections the person on this page may open (None: the whole questionnaire)."""
    return g.get("delegate_scope")


bp.add_app_template_global(delegate_scope, "delegate_scope")


@bp.route("/portal/a/<int:assignment_id>/yours")
def my_sections(assignment_id: int):
    """Show a delegate the sections they were asked to answer, with their progress."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    scope = delegation.scope_of(recipient)
    if scope is None:
        return redirect(url_for(".questionnaire", assignment_id=assignment_id))
    rows = delegation.section_progress(assignment, only=scope)
    by = next(
        (
            d.delegated_by
            for d in delegation.delegations_of(assignment)
            if d.recipient_id == recipient.id and d.active
        ),
        None,
    )
    return render_template(
        "portal/my_sections.html", assignment=assignment, rows=rows, delegated_by=by
    )


@bp.route("/portal/a/<int:assignment_id>/delegates", methods=["GET", "POST"])
def delegates(assignment_id: int):
    """Show progress per section and who holds each; delegate sections to a colleague."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    template = services.template_of(assignment)
    form = DelegateForm()
    form.sections.choices = choices((s.id, s.title) for s in template.sections)
    closed = services.editable_questions(assignment.response) == set()
    status = 200
    if not closed and form.validate_on_submit():
        try:
            row = delegation.delegate(
                assignment,
                recipient,
                email=form.email.data,
                name=form.name.data,
                section_ids=form.sections.data,
            )
        except delegation.DelegationError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"A link of their own is on its way to {row.recipient.contact.email}.", "success")
            return redirect(url_for(".delegates", assignment_id=assignment_id))
    if form.is_submitted():
        db.session.rollback()
        status = 400
    return _page(assignment, form, closed), status


def _page(assignment, form, closed: bool):
    return render_template(
        "portal/delegates.html",
        assignment=assignment,
        form=form,
        closed=closed,
        rows=delegation.section_progress(assignment),
        delegations=delegation.delegations_of(assignment),
        revoke_form=RevokeDelegationForm(formdata=None),
        titles={s.id: s.title for s in services.template_of(assignment).sections},
    )


@bp.route("/portal/a/<int:assignment_id>/delegates/<int:delegation_id>/revoke", methods=["POST"])
def revoke_delegate(assignment_id: int, delegation_id: int):
    """Stop a colleague's link from working (the answers they saved stay in the draft)."""
    assignment, recipient = access.assignment_or_404(assignment_id)
    row = delegation.delegation_or_none(assignment, delegation_id) or abort(404)
    if RevokeDelegationForm().validate_on_submit():
        delegation.revoke(row, recipient)
        db.session.commit()
        flash(f"The link of {row.recipient.contact.display_name} no longer works.", "success")
    else:
        flash("This page was open for a long time. Press Revoke again.", "warning")
    return redirect(url_for(".delegates", assignment_id=assignment_id))
