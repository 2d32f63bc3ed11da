"""The template composer through plain HTML forms (no JavaScript): create, edit, conflict,
preview and try scoring, download, submit, and clone-and-edit from a version."""

from __future__ import annotations

import re

import pytest
from helpers_app import store_version
from helpers_questionnaires import template
from sqlalchemy import event, select

from tests.conftest import make_user
from vendorrisk.extensions import db
from vendorrisk.questionnaires import drafts
from vendorrisk.questionnaires.models import PENDING, TemplateDraft, TemplateVersion


def _draft() -> TemplateDraft:
    db.session.expire_all()  # the requests saved through their own sessions
    return db.session.scalars(select(TemplateDraft).order_by(TemplateDraft.id.desc())).first()


def _lock(html: str) -> int:
    return int(re.search(r'name="lock_version" value="(\d+)"', html).group(1))


@pytest.fixture
def draft_page(client, auth):
    auth.login("manager")
    response = client.post(
        "/templates/drafts/new",
        data={"slug": "acme-breach-2026", "title": "Acme breach", "kind": "incident"},
    )
    assert response.status_code == 303
    return response.location


def _edit(client, draft, op, **form):
    page = client.get(f"/templates/drafts/{draft.id}").text
    return client.post(
        f"/templates/drafts/{draft.id}/edit", data={"op": op, "lock_version": _lock(page), **form}
    )


def test_a_compliance_officer_cannot_open_the_composer(client, auth):
    auth.login("compliance")
    assert client.get("/templates/drafts/").status_code == 403


def test_a_new_draft_needs_a_valid_identifier(client, auth):
    auth.login("manager")
    response = client.post(
        "/templates/drafts/new", data={"slug": "No Good", "title": "", "kind": "incident"}
    )
    assert response.status_code == 422
    assert (
        "lower-case letters" in response.text and "Give the questionnaire a title" in response.text
    )


def test_editing_two_questions_and_a_condition_without_javascript(client, draft_page):
    page = client.get(draft_page)
    assert page.status_code == 200 and "Edit question" in page.text
    draft = _draft()
    r = _edit(client, draft, "edit_question", question="q1", text="Did you use Acme Sync?")
    assert r.status_code == 303
    r = _edit(client, draft, "edit_question", question="q2", text="Keys rotated?", weight="2")
    assert r.status_code == 303
    r = _edit(client, draft, "set_show_if", question="q2", when="q1", operator="in", values="yes")
    assert r.status_code == 303
    page = client.get(r.location).text
    assert "Did you use Acme Sync?" in page and "shown when <code>q1</code> is one of yes" in page
    assert "The validator finds no problems" in page


def test_an_invalid_edit_is_saved_and_shown_beside_its_question(client, draft_page):
    draft = _draft()
    r = _edit(client, draft, "edit_question", question="q2", weight="lots")
    assert r.status_code == 303
    page = client.get(r.location).text
    question = page[page.index('id="q-q2"') :]
    assert "weight" in question[: question.index("</details>")]
    assert "weight: lots" in page  # the YAML keeps what was typed


def test_a_refused_edit_shows_its_message_by_the_field(client, draft_page):
    draft = _draft()
    r = _edit(client, draft, "add_question", section="response", type="yes_no", new_id="Bad")
    assert r.status_code == 422
    assert "lower-case letters, digits and underscores" in r.text and "Write the question" in r.text


def test_a_missing_finding_title_is_shown_beside_the_finding_title_field(client, draft_page):
    draft = _draft()
    r = _edit(client, draft, "edit_question", question="q2", finding_title="")
    assert r.status_code == 303
    page = client.get(r.location).text
    question = page[page.index('id="q-q2"') : page.index("</details>", page.index('id="q-q2"'))]
    field = question[question.index('id="q2-finding_title"') :]
    assert 'class="form-control is-invalid" id="q2-finding_title"' in question
    assert 'aria-describedby="q2-finding_title-help q2-finding_title-problems"' in field
    beside = field[field.index('id="q2-finding_title-problems"') :]
    assert "a scored question needs a finding_title" in beside[: beside.index("</div>")]
    # Shown beside its field, not again in the question's list of problems.
    assert question.count("a scored question needs a finding_title") == 1
    assert "1 problem</strong>" in page


def test_adding_a_scored_question_asks_for_its_finding_title(client, draft_page):
    draft = _draft()
    page = client.get(draft_page).text
    assert 'id="add-response-finding_title" name="finding_title"' in page
    r = _edit(
        client, draft, "add_question", section="response", type="yes_no", new_id="q3", text="C?"
    )
    assert r.status_code == 422
    assert (
        'id="add-response-finding_title-error" role="alert">A scored question needs a finding'
        in r.text
    )
    r = _edit(
        client,
        draft,
        "add_question",
        section="response",
        type="yes_no",
        new_id="q3",
        text="C?",
        finding_title="C not done",
    )
    assert r.status_code == 303
    assert "The validator finds no problems" in client.get(r.location).text


def test_a_second_manager_with_a_stale_page_gets_a_conflict(client, draft_page, app):
    draft = _draft()
    stale = _lock(client.get(draft_page).text)
    first = client.post(
        f"/templates/drafts/{draft.id}/edit",
        data={"op": "edit_question", "lock_version": stale, "question": "q1", "text": "First?"},
    )
    assert first.status_code == 303
    second = client.post(
        f"/templates/drafts/{draft.id}/edit",
        data={"op": "edit_question", "lock_version": stale, "question": "q1", "text": "Second?"},
    )
    assert second.status_code == 409 and "Someone else saved this draft" in second.text
    assert "First?" in second.text and "Second?" not in second.text


def test_preview_and_try_scoring_show_band_and_overall(client, draft_page):
    draft = _draft()
    preview = client.get(f"/templates/drafts/{draft.id}/preview")
    assert preview.status_code == 200 and 'class="vr-questionnaire"' in preview.text
    scored = client.post(
        f"/templates/drafts/{draft.id}/preview", data={"q-q1": "yes", "q-q2": "yes"}
    )
    assert scored.status_code == 200, scored.text[:2000]
    assert 'data-testid="overall"' in scored.text and 'data-testid="band"' in scored.text


def test_the_yaml_is_downloadable(client, draft_page):
    draft = _draft()
    response = client.get(f"/templates/drafts/{draft.id}/yaml")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.text == draft.yaml_text and "id: acme-breach-2026" in response.text


def test_submitting_creates_a_pending_version_another_manager_approves(client, auth, draft_page):
    draft = _draft()
    page = client.get(draft_page).text
    r = client.post(
        f"/templates/drafts/{draft.id}/submit", data={"op": "submit", "lock_version": _lock(page)}
    )
    assert r.status_code == 303
    version = db.session.get(TemplateVersion, _draft().submitted_version_id)
    assert version.status == PENDING
    auth.logout()
    auth.login(user=make_user("manager"))
    assert client.post(f"/templates/versions/{version.id}/approve", data={}).status_code == 302
    db.session.refresh(version)
    assert version.status == "approved"


def test_an_invalid_draft_is_not_submitted(client, draft_page):
    draft = _draft()
    _edit(client, draft, "edit_question", question="q2", weight="lots")
    page = client.get(draft_page).text
    r = client.post(
        f"/templates/drafts/{draft.id}/submit", data={"op": "submit", "lock_version": _lock(page)}
    )
    assert r.status_code == 422 and "weight" in r.text


def test_clone_and_edit_from_a_version_page(client, auth):
    auth.login("manager")
    version = store_version(template())
    assert "Edit in the composer" in client.get(f"/templates/versions/{version.id}").text
    r = client.post(f"/templates/drafts/from-version/{version.id}", data={})
    assert r.status_code == 303
    assert _draft().source_version_id == version.id and _draft().yaml_text == version.yaml_text


def _queries(app, client, url) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_draft_list_does_not_query_per_draft(app, client, auth):
    """Drafts edited by different managers cost no extra query each."""
    auth.login("manager")
    for n in range(2):
        drafts.create_empty(f"first-{n}", "First", "incident", make_user("manager"))
    few = _queries(app, client, "/templates/drafts/")
    for n in range(6):
        drafts.create_empty(f"more-{n}", "More", "incident", make_user("manager"))
    assert _queries(app, client, "/templates/drafts/") == few
