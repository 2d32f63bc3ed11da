""" "Draft a questionnaire from this advisory": the button opens the drafted YAML in the composer;
submitted from there it becomes a pending template version, through the upload path, for a second
manager to approve."""

from sqlalchemy import select

from tests.advisories.conftest import login
from tests.advisories.helpers import make_advisory, make_product
from vendorrisk.advisories.drafting import create_draft_from_advisory, draft_yaml
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.questionnaires import drafts
from vendorrisk.questionnaires.models import (
    APPROVED,
    PENDING,
    SOURCE_UPLOAD,
    TemplateDraft,
    TemplateVersion,
)
from vendorrisk.questionnaires.services import UploadRejected, parsed_version

BUTTON = "Draft a questionnaire from this advisory"


def widget_advisory(**fields):
    product = make_product("Widget Gateway", supplier="Acme")
    return make_advisory([(product, ["4.1"], ["4.2.1"])], **fields)


def draft_url(advisory) -> str:
    return f"/advisories/{advisory.slug}/draft-questionnaire"


def test_a_manager_drafts_edits_in_the_composer_and_another_manager_approves(app, db_session):
    advisory = widget_advisory()
    author, author_user = login(app, "manager")
    assert BUTTON in author.get(f"/advisories/{advisory.slug}").text

    response = author.post(draft_url(advisory), data={})
    assert response.status_code == 302
    draft = db.session.scalar(select(TemplateDraft))
    assert response.location.endswith(f"/templates/drafts/{draft.id}")
    assert db.session.scalar(select(TemplateVersion)) is None  # nothing pending until submitted
    assert draft.slug == f"{advisory.slug}-followup" and draft.messages == []
    assert draft.yaml_text.startswith(f"# Drafted from advisory {advisory.slug}")
    page = author.get(response.location).text
    assert "drafted from this advisory" in page and "Widget Gateway 4.2.1" in page

    version = drafts.submit(draft, draft.lock_version, author_user)
    db.session.commit()
    assert version.status == PENDING and version.created_by_id == author_user.id
    assert version.template.source == SOURCE_UPLOAD
    parsed = parsed_version(version)
    questions = {q.id: q for q in parsed.questions()}
    assert "(Widget Gateway 4.2.1, or later)" in questions["fixed_version_status"].text
    assert [(r.name, r.default.isoformat()) for r in parsed.reference_dates] == [
        ("compromise_date", "2021-01-12")
    ]

    # The author may not approve their own draft.
    author.post(f"/templates/versions/{version.id}/approve", data={})
    db.session.refresh(version)
    assert version.status == PENDING

    reviewer, reviewer_user = login(app, "manager")
    reviewer.post(f"/templates/versions/{version.id}/approve", data={})
    db.session.refresh(version)
    assert version.status == APPROVED and version.reviewed_by_id == reviewer_user.id
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "advisory.questionnaire_drafted")
    ).details == {"slug": advisory.slug, "template": draft.slug, "draft_id": draft.id}


def test_an_advisory_without_products_gets_a_message_not_an_error(app, db_session):
    advisory = make_advisory()
    client, _ = login(app, "manager")
    response = client.post(draft_url(advisory), data={}, follow_redirects=True)
    assert response.status_code == 200
    assert "The advisory names no affected product. Add the affected product" in response.text
    assert db.session.scalar(select(TemplateVersion)) is None


def test_an_advisory_without_key_dates_gets_a_message_not_an_error(app, db_session):
    advisory = widget_advisory(key_dates=[])
    client, _ = login(app, "manager")
    response = client.post(draft_url(advisory), data={}, follow_redirects=True)
    assert response.status_code == 200
    assert "The advisory has no key dates. Add the day the flaw" in response.text
    assert db.session.scalar(select(TemplateVersion)) is None


def test_only_managers_see_and_use_the_button(app, db_session):
    advisory = widget_advisory()
    client, _ = login(app, "compliance")
    assert BUTTON not in client.get(f"/advisories/{advisory.slug}").text
    assert client.post(draft_url(advisory), data={}).status_code == 403
    assert db.session.scalar(select(TemplateVersion)) is None


def test_the_post_needs_its_csrf_token(app, db_session):
    advisory = widget_advisory()
    client, _ = login(app, "manager")
    assert client.post(draft_url(advisory), data={}, csrf=False).status_code == 400


def test_the_service_refuses_an_unchanged_draft_after_approval(app, db_session, manager):
    advisory = widget_advisory()
    version = create_draft_from_advisory(advisory, manager)
    version.status = APPROVED
    db.session.flush()
    _, text = draft_yaml(advisory)
    assert text == version.yaml_text
    try:
        create_draft_from_advisory(advisory, manager)
    except UploadRejected as exc:
        assert "nothing changed" in str(exc)
    else:
        raise AssertionError("an unchanged draft was stored again")
