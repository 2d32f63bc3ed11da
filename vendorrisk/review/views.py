"""Reviewing a submission, and following findings to closure."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from vendorrisk.accounts.models import User
from vendorrisk.audit import services as audit
from vendorrisk.campaigns.models import Assignment, Evidence
from vendorrisk.core import storage
from vendorrisk.core.pagination import window
from vendorrisk.extensions import db
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review import effective, queries, services
from vendorrisk.review.forms import (
    AcceptRiskForm,
    CloseForm,
    DecisionForm,
    FindingFilterForm,
    NewFindingForm,
    OverrideForm,
    PlanForm,
    SeverityForm,
    clarification_form_class,
)
from vendorrisk.review.models import ClarificationItem, Finding, ReviewDecision
from vendorrisk.scoring import ScoreResult

bp = Blueprint("review", __name__)

PER_PAGE = 50


def _assignment_or_404(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.response is None:
        abort(404)
    return assignment


def _page(assignment: Assignment, status: int = 200, **forms):
    template = parsed_version(assignment.campaign.template_version)
    revisions = [r for r in assignment.response.revisions if r.submitted_at is not None]
    number = request.args.get("revision", type=int)
    revision = next(
        (r for r in revisions if r.number == number), revisions[-1] if revisions else None
    )
    result = effective.for_revision(revision) if revision is not None else None
    clarify_cls = clarification_form_class(tuple(q.id for q in template.questions()))
    decisions = db.session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.assignment_id == assignment.id)
        .order_by(ReviewDecision.id)
    ).all()
    items: dict[str, list[ClarificationItem]] = {}
    for item in services.all_clarification_items(assignment):
        items.setdefault(item.question_id, []).append(item)
    findings = db.session.scalars(
        select(Finding).where(Finding.assignment_id == assignment.id).order_by(Finding.id)
    ).all()
    return render_template(
        "review/assignment.html",
        assignment=assignment,
        template=template,
        revisions=revisions,
        revision=revision,
        result=result,
        review_items=effective.needs_reviewer(result, template) if result else [],
        overrides={o.question_id: o for o in result.overrides} if result else {},
        decisions=decisions,
        clarifications=items,
        findings=findings,
        trace={e.question_id: e for e in result.result.trace} if result else {},
        decision_form=forms.get("decision_form") or DecisionForm(),
        clarify_form=forms.get("clarify_form") or clarify_cls(),
        override_form=forms.get("override_form") or OverrideForm(),
        finding_form=forms.get("finding_form") or NewFindingForm(),
        open_revision=assignment.response.open_revision,
    ), status


@bp.route("/review/assignments/<int:assignment_id>")
def assignment(assignment_id: int):
    return _page(_assignment_or_404(assignment_id))


@bp.route("/review/assignments/<int:assignment_id>/decision", methods=["POST"])
def decide(assignment_id: int):
    assignment = _assignment_or_404(assignment_id)
    form = DecisionForm()
    if form.validate_on_submit():
        conditions = [(c.text.data or "", c.due.data) for c in form.conditions]
        if any(text.strip() and due is None for text, due in conditions):
            form.conditions.errors.append("Give every condition a due date.")
            return _page(assignment, 400, decision_form=form)
        try:
            services.decide(
                assignment,
                current_user,
                form.decision.data,
                form.note.data,
                [(t, d) for t, d in conditions if d is not None],
            )
        except services.ReviewError as exc:
            form.decision.errors.append(str(exc))
        else:
            db.session.commit()
            flash("The decision is recorded.", "success")
            return redirect(url_for(".assignment", assignment_id=assignment_id))
    return _page(assignment, 400, decision_form=form)


@bp.route("/review/assignments/<int:assignment_id>/clarification", methods=["POST"])
def clarify(assignment_id: int):
    assignment = _assignment_or_404(assignment_id)
    template = parsed_version(assignment.campaign.template_version)
    form = clarification_form_class(tuple(q.id for q in template.questions()))()
    if form.validate_on_submit():
        items = {
            name[2:]: field.data
            for name, field in form._fields.items()
            if name.startswith("q_") and field.data
        }
        try:
            services.request_clarification(assignment, current_user, items, template)
        except services.ReviewError as exc:
            flash(str(exc), "danger")
            return _page(assignment, 400, clarify_form=form)
        db.session.commit()
        flash("The vendor is asked to look again; they can change only those answers.", "success")
        return redirect(url_for(".assignment", assignment_id=assignment_id))
    return _page(assignment, 400, clarify_form=form)


@bp.route("/review/assignments/<int:assignment_id>/override", methods=["POST"])
def override(assignment_id: int):
    assignment = _assignment_or_404(assignment_id)
    form = OverrideForm()
    revision = services.latest_revision(assignment) or abort(404)
    if form.validate_on_submit():
        result = ScoreResult.from_dict(revision.score or {})
        entry = next((e for e in result.trace if e.question_id == form.question_id.data), None)
        if entry is None or not entry.possible:
            flash("Only a scored question's points can be overridden.", "danger")
        else:
            try:
                services.override_points(
                    revision,
                    entry.question_id,
                    form.percent.data,
                    form.justification.data,
                    current_user,
                    str(entry.percent) if entry.percent is not None else None,
                )
            except services.ReviewError as exc:
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash("The override is recorded; the engine's score stays beside it.", "success")
                return redirect(url_for(".assignment", assignment_id=assignment_id))
    else:
        flash("An override needs points from 0 to 100 and a justification.", "danger")
    return _page(assignment, 400, override_form=form)


@bp.route("/review/assignments/<int:assignment_id>/findings", methods=["POST"])
def add_finding(assignment_id: int):
    assignment = _assignment_or_404(assignment_id)
    form = NewFindingForm()
    if form.validate_on_submit():
        services.add_finding(
            assignment,
            current_user,
            title=form.title.data,
            severity=form.severity.data,
            due_date=form.due_date.data,
            remediation=form.remediation.data,
            internal=form.internal.data,
        )
        db.session.commit()
        flash("The finding is raised.", "success")
        return redirect(url_for(".assignment", assignment_id=assignment_id))
    return _page(assignment, 400, finding_form=form)


@bp.route("/review/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    item = db.session.get(Evidence, evidence_id) or abort(404)

    def record() -> None:
        audit.record("evidence.downloaded", "evidence", item.id)
        db.session.commit()

    # Streamed from wherever the file is kept, a chunk at a time.
    return storage.send_stored(
        item.stored_name,
        mimetype=item.content_type,
        download_name=item.filename,
        record=record,
    )


# --- findings ---------------------------------------------------------------------------------


@bp.route("/findings/")
def findings():
    labels = queries.category_labels()
    form = FindingFilterForm(request.args, category_labels=labels)
    filters = form.data if form.validate() else {}
    query = queries.findings_query(filters, date.today())
    shown = window(query, PER_PAGE)
    rows = db.session.scalars(shown.query).all()
    owner = db.session.get(User, filters["owner"]) if filters.get("owner") else None
    return render_template(
        "review/findings.html",
        form=form,
        findings=rows,
        total=shown.total,
        page=shown.page,
        pages=shown.pages,
        today=date.today(),
        owner=owner,
        labels=labels,
    )


def _finding_page(finding: Finding, status: int = 200, **forms):
    return render_template(
        "review/finding.html",
        finding=finding,
        category=queries.category_label(finding.category, queries.category_labels()),
        today=date.today(),
        plan_form=forms.get("plan_form") or PlanForm(obj=None),
        close_form=forms.get("close_form") or CloseForm(),
        accept_form=forms.get("accept_form") or AcceptRiskForm(),
        severity_form=forms.get("severity_form") or SeverityForm(severity=finding.severity),
    ), status


@bp.route("/findings/<int:finding_id>")
def finding(finding_id: int):
    return _finding_page(db.session.get(Finding, finding_id) or abort(404))


def _finding_action(finding_id: int, form_cls, form_key: str, action):
    finding = db.session.get(Finding, finding_id) or abort(404)
    form = form_cls()
    if form.validate_on_submit():
        try:
            action(finding, form)
        except services.ReviewError as exc:
            target = getattr(form, exc.field, None) if exc.field else None
            (target.errors if target is not None else form.form_errors).append(str(exc))
        else:
            db.session.commit()
            flash("The finding is updated.", "success")
            return redirect(url_for(".finding", finding_id=finding_id))
    return _finding_page(finding, 400, **{form_key: form})


@bp.route("/findings/<int:finding_id>/plan", methods=["POST"])
def finding_plan(finding_id: int):
    return _finding_action(
        finding_id,
        PlanForm,
        "plan_form",
        lambda f, form: services.plan_remediation(
            f,
            owner=form.owner.data,
            plan_date=form.plan_date.data,
            plan=form.plan.data or "",
            user=current_user,
        ),
    )


@bp.route("/findings/<int:finding_id>/close", methods=["POST"])
def finding_close(finding_id: int):
    return _finding_action(
        finding_id,
        CloseForm,
        "close_form",
        lambda f, form: services.close_finding(f, current_user, form.note.data),
    )


@bp.route("/findings/<int:finding_id>/accept", methods=["POST"])
def finding_accept(finding_id: int):
    return _finding_action(
        finding_id,
        AcceptRiskForm,
        "accept_form",
        lambda f, form: services.accept_risk(
            f, current_user, form.reason.data, form.expires_on.data
        ),
    )


@bp.route("/findings/<int:finding_id>/severity", methods=["POST"])
def finding_severity(finding_id: int):
    return _finding_action(
        finding_id,
        SeverityForm,
        "severity_form",
        lambda f, form: services.override_severity(
            f, form.severity.data, form.justification.data, current_user
        ),
    )
