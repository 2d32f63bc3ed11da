"""Building the portal's pages: a section as saved or as posted, and the pages that say why not."""

from typing import NamedTuple

from flask import (
    abort,
    g,
    get_template_attribute,
    make_response,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import CombinedMultiDict

from vendorrisk.campaigns.models import Assignment
from vendorrisk.campaigns.services import assignment_due_display
from vendorrisk.extensions import db
from vendorrisk.portal import access, delegation, reuse, services
from vendorrisk.questionnaires.answers import encode_answer
from vendorrisk.questionnaires.conditions import visible_sections as visible_sections_of
from vendorrisk.questionnaires.formfactory import field_names, form_class
from vendorrisk.questionnaires.formview import FormLayout, FormState, layout_of, state_of
from vendorrisk.review import services as review_services

STALE_SECTION = (
    "This page was open for a long time. Your answers are shown again: press Save to keep them."
)

STALE_REVIEW = (
    "This page was open for a long time. What you typed is shown again: press Submit the "
    "answers to send it."
)
RACED_SUBMIT = "Someone else saved answers a moment ago. Check them, then submit again."


def link_not_found():
    """Answer 404 with a page that tells the vendor what to do, and nothing about the link."""
    abort(make_response(render_template("portal/link_not_found.html"), 404))


def questionnaire_form_class(assignment):
    """Return the form class of the assignment's frozen template version."""
    version = assignment.campaign.template_version
    return form_class(services.template_of(assignment), key=(version.id, version.content_hash))


def form_for(assignment, formdata, files=None):
    """Return the questionnaire form filled from `formdata` (and uploaded `files`)."""
    data = CombinedMultiDict([files, formdata]) if files else formdata
    return questionnaire_form_class(assignment)(formdata=data)


def section_index(template, index: int) -> int:
    """Return `index` if the template has such a section (404 otherwise)."""
    if not 0 <= index < len(template.sections):
        abort(404)
    return index


class ReviewRound(NamedTuple):
    """A clarification round as the section page shows it."""

    asked: dict[str, list[str]]  # question id -> the reviewer's comments
    editable: set[str]
    sections: list[tuple[int, str]]  # (index, title) of the sections holding them


def review_round(assignment, template, editable: set[str] | None) -> ReviewRound | None:
    """Return the open clarification round, if the vendor is answering one."""
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


def section_page(
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
):
    """Render a section showing `state`; `answers` decide what is shown and counted."""
    response = assignment.response
    progress = services.progress(template, answers)
    editable = services.editable_questions(response)
    section_ids = {q.id for q in template.sections[index].questions}
    files = services.live_evidence(response)
    removable = services.removable_evidence(files, editable)
    attached = get_template_attribute("portal/_attached.html", "attached")
    offers = reuse.section_offers(assignment, template, index, progress.questions)
    state = state._replace(
        attached={qid: attached(fs, removable) for qid, fs in files.items() if qid in section_ids},
        notes=reuse.notes(assignment, template, index, offers),
    )
    round_ = review_round(assignment, template, editable)
    if editable == set():  # submitted and closed: every question shown locked, nothing to edit
        round_ = ReviewRound({}, set(), [])
    known = {
        qid: list(a.chosen_values())
        for qid, a in answers.items()
        if qid in progress.questions and qid not in section_ids
    }
    answered, total = progress.answered, progress.total
    scope = g.get("delegate_scope")
    if scope is not None:  # a delegate reads only what decides what their sections show
        deciding = delegation.condition_questions(template, set(scope))
        known = {qid: values for qid, values in known.items() if qid in deciding}
        rows = delegation.section_progress(assignment, only=scope)
        answered, total = sum(r.answered for r in rows), sum(r.total for r in rows)
    return render_template(
        "portal/section.html",
        round=round_,
        progress=progress,
        assignment=assignment,
        recipient=recipient,
        template=template,
        layout=layout,
        state=state,
        index=index,
        section=template.sections[index],
        visible_sections=progress.sections,
        visible_questions=progress.questions,
        answered=answered,
        total=total,
        removable=sorted(removable),
        offers=list(offers),
        editable=editable,
        version=response.version,
        conflict=conflict,
        due=assignment_due_display(assignment),
        revision=response.open_revision,
        known_answers=known,
    ), status


def posted_section_page(assignment, recipient, index: int, form, template, *, status: int, **kw):
    """Render a section again from a posted form, with its errors and what was typed."""
    answers = form.answers(services.evidence_hashes(assignment.response))
    layout, state = layout_of(type(form)), state_of(form)
    return section_page(
        assignment, recipient, index, template, answers, layout, state, status=status, **kw
    )


def show_file_error(form, question_id: str, message: str) -> None:
    """Show a refused upload's message next to the field the file was chosen in."""
    names = field_names(question_id)
    name = names.files if names.files in form else names.value
    form[name].errors = [*form[name].errors, message]


def next_section(template, response, index: int) -> int | None:
    """Return the next section the answers so far show (None: go to review and submit)."""
    shown = {s.id for s in visible_sections_of(template, services.draft_answers(response))}
    scope = g.get("delegate_scope")
    if scope is not None:
        shown &= scope
    return next(
        (i for i in range(index + 1, len(template.sections)) if template.sections[i].id in shown),
        None,
    )


def after_last_section(assignment_id: int) -> str:
    """Return where "Save and continue" leads after the last section: review and submit, or,
    for a delegate, the list of their sections."""
    if g.get("delegate_scope") is not None:
        return url_for("portal.my_sections", assignment_id=assignment_id)
    return url_for("portal.review", assignment_id=assignment_id)


def expired_page(assignment_id: int, index: int | None = None):
    """Show what was posted after access lapsed, so the person can copy it (404 if never held)."""
    if not access.has_expired_grant_for(assignment_id):
        abort(404)
    template = services.template_of(db.session.get(Assignment, assignment_id) or abort(404))
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


def review_page(assignment, form, items, gaps=None):
    """Render the review-and-submit page: every answer by section, the gaps, the attestation."""
    response = assignment.response
    template = services.template_of(assignment)
    answers = services.shown_answers(response)
    if gaps is None:
        gaps = services.gaps(template, answers, services.live_evidence(response))
    progress = services.progress(template, answers)
    return render_template(
        "portal/review.html",
        assignment=assignment,
        template=template,
        form=form,
        gaps=gaps,
        items=items,
        answers={qid: encode_answer(a) for qid, a in answers.items()},
        files=services.live_evidence(response),
        editable=services.editable_questions(response),
        progress=progress,
        answered=progress.answered,
        total=progress.total,
        due=assignment_due_display(assignment),
        late=assignment.is_overdue(),
        section_of={q.id: i for i, s in enumerate(template.sections) for q in s.questions},
    )
