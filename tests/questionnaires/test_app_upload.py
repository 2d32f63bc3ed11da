"""Uploading template YAML (file or editor), the validator's errors beside the text, and the
four-eyes approval of every uploaded version. The malformed-template corpus, limits included,
goes through the upload in test_malformed_templates.py."""

from __future__ import annotations

import io

import pytest
from helpers_app import COMPLETE, SHIPPED, audit_actions, count, store_version, tags
from helpers_questionnaires import template
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import make_user
from vendorrisk.extensions import db
from vendorrisk.questionnaires import services
from vendorrisk.questionnaires.models import (
    APPROVED,
    PENDING,
    REJECTED,
    SOURCE_FILE,
    SOURCE_UPLOAD,
    Template,
    TemplateVersion,
)

MINE = template().replace("id: t\n", "id: my-template\n").replace("title: T\n", "title: Mine\n")


def _upload(
    client,
    text: str | None = None,
    *,
    file: bytes | None = None,
    url: str = "/templates/upload",
    name: str = "mine.yaml",
):
    data: dict = {"yaml_text": text or ""}
    if file is not None:
        data["yaml_file"] = (io.BytesIO(file), name)
    if len(text or "") + len(file or b"") < 400 * 1024:
        return client.post(url, data=data, content_type="multipart/form-data")
    # The test client spools big bodies to a temporary file it never closes; encode in memory.
    data["csrf_token"] = client.csrf_token()
    if file is not None:
        data["yaml_file"] = FileStorage(io.BytesIO(file), filename=name)
    boundary, body = encode_multipart(data)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _version(slug: str, number: int = 1) -> TemplateVersion:
    return db.session.scalar(
        select(TemplateVersion)
        .join(Template)
        .where(Template.slug == slug, TemplateVersion.number == number)
    )


def _log_in_as(client, auth, user):
    auth.logout()
    auth.login(user=user)


def test_a_valid_upload_makes_a_pending_template_that_cannot_be_used_yet(client, auth):
    uploader = auth.login("manager")
    response = _upload(client, MINE)
    assert response.status_code == 302
    version = _version("my-template")
    assert response.location.endswith(f"/templates/versions/{version.id}")
    t = version.template
    assert (t.source, t.title, t.kind) == (SOURCE_UPLOAD, "Mine", "baseline")
    assert (version.status, version.created_by_id, version.yaml_text) == (
        PENDING,
        uploader.id,
        MINE,
    )
    assert services.current_version(t) is None
    actions = [(e.action, e.actor_id) for e in audit_actions("template")]
    assert actions == [("template.create", uploader.id), ("template_version.upload", uploader.id)]
    page = client.get(response.location).text
    assert "You uploaded this version, so you cannot approve it." in page
    assert f'action="/templates/versions/{version.id}/approve"' not in page


def test_a_file_can_be_uploaded_instead_of_typed(client, auth):
    auth.login("manager")
    response = _upload(client, "", file=MINE.encode())
    assert response.status_code == 302
    assert _version("my-template").yaml_text == MINE


def test_errors_are_listed_as_file_line_reason_and_the_text_is_kept(client, auth):
    auth.login("manager")
    broken = MINE.replace("        remediation: Fix it.\n", "        remedation: Fix it.\n")
    response = _upload(client, broken)
    assert response.status_code == 422
    line = broken.splitlines().index("        remedation: Fix it.") + 1
    assert f"template.yaml:{line}: question q_a: unknown key &#39;remedation&#39;" in response.text
    (editor,) = tags(response.text, "textarea", name="yaml_text")
    assert broken.split("\n", 1)[0] in response.text.split('name="yaml_text"', 1)[1][:200]
    assert "is-invalid" in editor["class"]
    assert count(Template) == 0 and audit_actions() == []


def test_a_bad_file_shows_its_own_name_and_its_text_in_the_editor(client, auth):
    auth.login("manager")
    response = _upload(client, "", file=b"id: x\nkind: [\n", name="draft.yaml")
    assert response.status_code == 422
    assert "draft.yaml:" in response.text
    assert "kind: [" in response.text.split('name="yaml_text"', 1)[1][:300]


def test_an_empty_submission_asks_for_a_template(client, auth):
    auth.login("manager")
    response = _upload(client, "   ")
    assert response.status_code == 400
    assert "Choose a YAML file or write the template here." in response.text


def test_a_file_that_is_not_utf8_gets_the_line_and_stays_in_the_editor(client, auth):
    auth.login("manager")
    response = _upload(client, "", file="id: x\ntitle: Café\n".encode("latin-1"))
    assert response.status_code == 422
    assert "mine.yaml:2: the file is not UTF-8 text: byte 0xE9 in column 11" in response.text
    assert "title: Caf\ufffd" in response.text.split('name="yaml_text"', 1)[1][:300]


def test_text_over_512_kib_in_the_editor_is_refused_like_a_file(client, auth):
    auth.login("manager")
    response = _upload(client, MINE + "#" + "x" * (512 * 1024) + "\n")
    assert response.status_code == 422
    assert "template.yaml: the file is larger than 512 KiB, the most it may be" in response.text
    assert count(Template) == 0


def test_a_request_body_over_the_limit_gets_a_413_that_says_why(client, auth):
    auth.login("manager")
    response = _upload(client, "", file=b"#" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert "Templates may be at most 512 KiB" in response.text


def test_an_id_of_a_shipped_template_is_refused(client, auth):
    store_version(template().replace("id: t\n", "id: shipped\n"), slug_source=SOURCE_FILE)
    auth.login("manager")
    response = _upload(client, template().replace("id: t\n", "id: shipped\n"))
    assert response.status_code == 422
    assert "shipped templates change through code review" in response.text
    assert "template.yaml:1:" in response.text


# --- approval ------------------------------------------------------------------------------------


def _uploaded(client, auth) -> tuple[TemplateVersion, object]:
    uploader = auth.login("manager")
    _upload(client, MINE)
    return _version("my-template"), uploader


def test_the_uploader_cannot_approve_their_own_version(client, auth):
    version, uploader = _uploaded(client, auth)
    response = client.post(
        f"/templates/versions/{version.id}/approve", data={}, follow_redirects=True
    )
    assert "You uploaded this version, so you cannot approve it." in response.text
    db.session.refresh(version)
    assert version.status == PENDING and version.reviewed_by_id is None
    (denied,) = [e for e in audit_actions("template_version.approve")]
    assert (denied.outcome, denied.actor_id) == ("denied", uploader.id)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_another_manager_or_an_admin_approves_and_the_version_becomes_current(client, auth, role):
    version, uploader = _uploaded(client, auth)
    approver = make_user(role)
    _log_in_as(client, auth, approver)
    page = client.get(f"/templates/versions/{version.id}").text
    assert "Approve version 1" in page
    response = client.post(
        f"/templates/versions/{version.id}/approve", data={}, follow_redirects=True
    )
    assert "Version 1 is approved" in response.text
    db.session.refresh(version)
    assert (version.status, version.reviewed_by_id) == (APPROVED, approver.id)
    assert version.approved_by == approver and version.approved_at is not None
    assert services.current_version(version.template) == version
    entry = audit_actions("template_version.approve")[-1]
    assert (entry.outcome, entry.actor_id, entry.details["uploaded_by"]) == (
        "success",
        approver.id,
        uploader.id,
    )


def test_a_decided_version_cannot_be_decided_again(client, auth):
    version, _ = _uploaded(client, auth)
    _log_in_as(client, auth, make_user("admin"))
    client.post(f"/templates/versions/{version.id}/approve", data={})
    response = client.post(
        f"/templates/versions/{version.id}/reject",
        data={"reason": "too late"},
        follow_redirects=True,
    )
    assert "Version 1 is already approved." in response.text
    db.session.refresh(version)
    assert version.status == APPROVED and version.rejected_reason is None


def test_a_version_is_rejected_with_a_reason_and_never_used(client, auth):
    version, _ = _uploaded(client, auth)
    reviewer = make_user("manager")
    _log_in_as(client, auth, reviewer)
    response = client.post(
        f"/templates/versions/{version.id}/reject", data={"reason": " "}, follow_redirects=True
    )
    assert "Say why the version is rejected." in response.text
    db.session.refresh(version)
    assert version.status == PENDING
    response = client.post(
        f"/templates/versions/{version.id}/reject",
        data={"reason": "Scores for q_a are inverted."},
        follow_redirects=True,
    )
    assert "Version 1 is rejected." in response.text
    db.session.refresh(version)
    assert (version.status, version.reviewed_by_id, version.rejected_reason) == (
        REJECTED,
        reviewer.id,
        "Scores for q_a are inverted.",
    )
    assert version.approved_by is None
    assert services.current_version(version.template) is None
    assert "Scores for q_a are inverted." in client.get(f"/templates/{version.template_id}").text
    assert audit_actions("template_version.reject")[-1].actor_id == reviewer.id


def test_a_new_version_of_an_uploaded_template_waits_for_approval(client, auth):
    version, uploader = _uploaded(client, auth)
    _log_in_as(client, auth, make_user("admin"))
    client.post(f"/templates/versions/{version.id}/approve", data={})
    _log_in_as(client, auth, uploader)
    page = client.get(f"/templates/{version.template_id}/new-version")
    assert "id: my-template" in page.text  # the editor starts from the latest version
    changed = MINE.replace("text: A?", "text: A, really?")
    response = _upload(client, changed, url=f"/templates/{version.template_id}/new-version")
    assert response.status_code == 302
    second = _version("my-template", 2)
    assert second.status == PENDING
    assert services.current_version(second.template) == version  # still version 1
    detail = client.get(f"/templates/{version.template_id}").text
    assert "Version 2" in detail and "Awaiting approval" in detail
    index = client.get("/templates/").text
    assert "1 waiting" in index


def test_only_one_version_waits_at_a_time_and_an_unchanged_one_is_refused(client, auth):
    version, _ = _uploaded(client, auth)
    response = _upload(client, MINE.replace("text: A?", "text: B?"))
    assert response.status_code == 422
    assert "version 1 of &#39;my-template&#39; is waiting for approval" in response.text
    _log_in_as(client, auth, make_user("admin"))
    client.post(f"/templates/versions/{version.id}/approve", data={})
    reformatted = MINE.replace("title: Mine", "title: 'Mine'  # same content")
    response = _upload(client, reformatted)
    assert response.status_code == 422
    assert "nothing changed: this is the content of version 1" in response.text


def test_a_new_version_must_keep_the_templates_id(client, auth):
    version, _ = _uploaded(client, auth)
    other = MINE.replace("id: my-template", "id: another")
    response = _upload(client, other, url=f"/templates/{version.template_id}/new-version")
    assert response.status_code == 422
    assert "the id must stay &#39;my-template&#39;" in response.text


def test_a_shipped_template_is_cloned_under_a_new_id(client, auth):
    text = (SHIPPED / "incident-readiness-baseline.yaml").read_text(encoding="utf-8")
    shipped = store_version(text, slug_source=SOURCE_FILE)
    auth.login("manager")
    page = client.get(f"/templates/versions/{shipped.id}/clone").text
    assert "id: incident-readiness-baseline" in page
    assert _upload(client, text, url=f"/templates/versions/{shipped.id}/clone").status_code == 422
    copy = text.replace("id: incident-readiness-baseline", "id: our-readiness-baseline", 1)
    response = _upload(client, copy, url=f"/templates/versions/{shipped.id}/clone")
    assert response.status_code == 302
    clone = _version("our-readiness-baseline")
    assert clone.status == PENDING and clone.template.source == SOURCE_UPLOAD
    assert shipped.template.versions == [shipped]


def test_shipped_templates_get_no_new_version_page(client, auth):
    shipped = store_version(COMPLETE.read_text(encoding="utf-8"), slug_source=SOURCE_FILE)
    auth.login("manager")
    response = client.get(f"/templates/{shipped.template_id}/new-version", follow_redirects=True)
    assert "Shipped templates change through their file" in response.text


def test_compliance_officers_can_neither_upload_nor_decide(client, auth):
    version = store_version(MINE, status=PENDING)
    auth.login("compliance")
    for method, url in [
        ("get", "/templates/upload"),
        ("post", "/templates/upload"),
        ("post", f"/templates/versions/{version.id}/approve"),
        ("post", f"/templates/versions/{version.id}/reject"),
        ("get", f"/templates/versions/{version.id}/clone"),
        ("get", f"/templates/{version.template_id}/new-version"),
    ]:
        data = {"yaml_text": MINE, "reason": "no"} if method == "post" else None
        assert getattr(client, method)(url, data=data).status_code == 403, url
    db.session.refresh(version)
    assert version.status == PENDING and count(Template) == 1
    page = client.get(f"/templates/versions/{version.id}").text
    assert "Approve version" not in page and "Clone and edit" not in page


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("reviewed: 2021-13-45\n", "is not a valid date or time"),
        ("description: A\x00B\n", "control character U+0000"),
    ],
)
def test_an_impossible_date_or_a_control_character_is_an_error_beside_the_text(
    client, auth, bad, reason
):
    auth.login("manager")
    text = MINE.replace("title: Mine\n", "title: Mine\n" + bad)
    response = _upload(client, text)
    assert response.status_code == 422
    line = text.splitlines().index(bad.rstrip("\n")) + 1
    assert f"template.yaml:{line}: " in response.text and reason in response.text
    assert count(Template) == 0
