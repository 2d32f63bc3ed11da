"""The template pages: the list, a template's version history, a version, and the differences
between any two versions."""

from __future__ import annotations

import pytest
from helpers_app import COMPLETE, copy_shipped, store_version, sync
from helpers_questionnaires import template

from vendorrisk.extensions import db
from vendorrisk.questionnaires import services
from vendorrisk.questionnaires.loader import load_template_text
from vendorrisk.questionnaires.models import APPROVED, PENDING, SOURCE_FILE, SOURCE_UPLOAD
from vendorrisk.questionnaires.models import Template as TemplateRow
from vendorrisk.questionnaires.schema import STORED, Template

MIMECAST = "mimecast-certificate-compromise-2021"


@pytest.fixture
def shipped_dir(tmp_path):
    """A copy of the shipped templates the test may change."""
    return copy_shipped(tmp_path)


def test_the_list_shows_each_template_with_its_current_version_and_pending_count(
    client, auth, runner, shipped_dir
):
    sync(runner, shipped_dir)
    store_version(
        template().replace("id: t", "id: mine").replace("title: T", "title: Mine"), status=PENDING
    )
    auth.login("compliance")
    html = client.get("/templates/").text
    assert "Mimecast certificate compromise (January 2021): vendor follow-up" in html
    shipped = len(list(shipped_dir.glob("*.yaml")))
    assert html.count(">Version 1</a>") == shipped and html.count("In use") == shipped
    mine = html[html.index(">Mine</a>") :]
    assert "Not yet approved" in mine[:1500] and "1 waiting" in mine[:1500]
    assert "Shipped file" in html and "Uploaded" in html
    assert "Incident" in html and "Baseline (periodic)" in html
    assert "Upload a template" not in html  # compliance officers read only


def test_a_template_page_lists_every_version_with_its_status(client, auth, runner, shipped_dir):
    sync(runner, shipped_dir)
    path = shipped_dir / f"{MIMECAST}.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Did your organization use any", "Did your company use any"
        ),
        "utf-8",
    )
    sync(runner, shipped_dir)
    auth.login("manager")
    t = services.template_by_slug(MIMECAST)
    page = client.get(f"/templates/{t.id}").text
    assert "Version 2" in page and "Version 1" in page and page.count("Approved") >= 2
    assert "Current" in page and "System (file sync)" in page
    assert f"questionnaires/{MIMECAST}.yaml" in page


def test_the_differences_between_two_versions_name_questions_added_removed_and_changed(
    client, auth
):
    base = COMPLETE.read_text(encoding="utf-8")
    v1 = store_version(base, slug_source=SOURCE_FILE)
    changed = (
        base.replace(
            "How far back did you review access logs?", "How far back did you review sign-in logs?"
        ).replace(
            "      - id: q_contact\n        text: Who leads your response?\n"
            "        type: text\n        max_length: 200\n",
            "",
        )
        + "      - id: q_new\n        text: A new question?\n        type: text\n"
    )
    v2 = store_version(changed, slug_source=SOURCE_FILE)
    auth.login("compliance")
    html = client.get(f"/templates/{v1.template_id}/diff?old=1&new=2").text
    added = html[html.index("Questions added") : html.index("Questions removed")]
    assert "q_new" in added and "A new question?" in added
    removed = html[html.index("Questions removed") : html.index("Questions changed")]
    assert "q_contact" in removed and "Who leads your response?" in removed
    changes = html[html.index("Questions changed") :]
    assert "q_log_review" in changes and "<code>text</code>" in changes
    assert "-        text: How far back did you review access logs?" in html
    assert "+        text: How far back did you review sign-in logs?" in html
    version_page = client.get(f"/templates/versions/{v2.id}").text
    assert "Changes since version 1" in version_page and "q_new" in version_page


def test_comparing_a_version_with_itself_is_refused_politely(client, auth):
    v1 = store_version(COMPLETE.read_text(encoding="utf-8"))
    auth.login("manager")
    response = client.get(f"/templates/{v1.template_id}/diff?old=1&new=1", follow_redirects=True)
    assert "Choose two different versions to compare." in response.text


def test_a_version_page_shows_its_yaml_and_offers_it_for_download(client, auth):
    version = store_version(COMPLETE.read_text(encoding="utf-8"))
    auth.login("compliance")
    page = client.get(f"/templates/versions/{version.id}").text
    assert "id: cert-compromise-example" in page and version.content_hash in page
    response = client.get(f"/templates/versions/{version.id}/yaml")
    assert response.status_code == 200
    assert response.text == version.yaml_text
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="cert-compromise-example-v1.yaml"'
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "url", ["/templates/versions/999999", "/templates/999999", "/templates/versions/999999/preview"]
)
def test_unknown_ids_are_not_found(client, auth, url):
    auth.login("manager")
    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/templates/")
    assert response.status_code == 302 and "/login" in response.location


def test_the_navigation_offers_templates_to_every_staff_role(client, auth):
    auth.login("compliance")
    assert 'href="/templates/"' in client.get("/").text


def test_a_version_stored_before_the_weight_bound_still_opens(client, auth):
    """Stored versions are read back under the rules of their day: weight 5000 (now above the
    bound for new templates) still previews, and its content hash still matches."""
    text = template().replace(
        "        category: security\n", "        category: security\n        weight: 5000\n", 1
    )
    data = services.stored_content(load_template_text(template()))
    data["sections"][0]["questions"][0]["weight"] = 5000
    parsed = Template.model_validate(data, context=STORED)
    row = TemplateRow(slug="older", title="Older", kind="baseline", source=SOURCE_UPLOAD)
    db.session.add(row)
    db.session.flush()
    version = services.add_version(row, text, parsed, created_by=None, status=APPROVED)
    services.clear_parsed_cache()
    assert services.parsed_version(version).question("q_a").weight == 5000
    auth.login("manager")
    assert client.get(f"/templates/versions/{version.id}/preview").status_code == 200
