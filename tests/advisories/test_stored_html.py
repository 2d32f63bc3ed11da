"""Issue 20 item 1: Markdown is rendered once, when saved, on a budget; pages and the feed
read the stored HTML and never render on a request."""

import markdown
import pytest
from sqlalchemy import select

from tests.advisories.conftest import login
from tests.advisories.helpers import (
    MIMECAST,
    add_update,
    feed_path,
    make_advisory,
    sync_shipped,
)
from tests.advisories.test_views import NEW
from vendorrisk.advisories import markup, services, sync
from vendorrisk.advisories.models import Advisory, AdvisoryUpdate
from vendorrisk.extensions import db

# What the issue saw: seconds to minutes of CPU for one body of at most 50,000 characters.
PATHOLOGICAL = {
    "open brackets": "[" * 8000,
    "more open brackets": "[" * 20000,
    "unclosed links": "[a](" * 10000,
    "unclosed images": "![a](" * 8000,
    "unclosed autolinks": "<http://a" * 5000,
    "unclosed tags": "<a" * 20000,
    "abbreviations": "*[a]: b\n" * 6000,
}


def _no_rendering(monkeypatch):
    def refuse(self, source):
        raise AssertionError("Markdown rendered during a request")

    monkeypatch.setattr(markdown.Markdown, "convert", refuse)


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_a_body_too_costly_to_render_is_refused_when_checked(db_session, name):
    """Each pathological body is refused by the same check the form, the sync and updates use."""
    doc = services.document_from_data(
        {
            "slug": "costly",
            "title": "Costly",
            "publisher": "Us",
            "published": "2021-01-01",
            "severity": "low",
            "status": "active",
            "summary": "Short.",
            "body": PATHOLOGICAL[name],
        }
    )[0]
    with pytest.raises(services.AdvisoryError) as refused:
        services.check_document(doc, templates={})
    assert refused.value.fields == {"body": markup.TOO_COSTLY}


def test_the_form_shows_the_refusal_beside_the_body_and_saves_nothing(
    app, db_session, small_version
):
    """The message sits under the body field, not in the box above the form."""
    client, _ = login(app, "manager")
    data = {**NEW, "body": "[a](" * 10000}
    response = client.post("/advisories/new", data=data)
    assert response.status_code == 400
    body_field = response.text.split('name="body"', 1)[1].split("</textarea>", 1)[1]
    assert "too costly to display" in body_field.split('id="body-help"', 1)[0]
    assert db.session.scalar(select(Advisory)) is None


def test_an_update_too_costly_to_render_is_refused_beside_its_body(app, db_session):
    advisory = make_advisory()
    client, _ = login(app, "manager")
    response = client.post(
        f"/advisories/{advisory.slug}/updates/new",
        data={"date": "2021-02-01", "title": "Costly", "body": "[" * 20000},
    )
    assert response.status_code == 400
    assert '<div class="invalid-feedback">This Markdown is too costly' in response.text
    assert db.session.scalar(select(AdvisoryUpdate)) is None


def test_a_costly_file_is_refused_by_the_sync(tmp_path, db_session):
    folder = tmp_path / "advisories"
    folder.mkdir()
    text = (sync.default_directory() / f"{MIMECAST}.md").read_text()
    (folder / f"{MIMECAST}.md").write_text(text + "\n\n" + "[a](" * 5000 + "\n")
    with pytest.raises(sync.SyncError) as refused:
        sync.sync_directory(folder)
    assert any("too costly" in str(e) for e in refused.value.errors)


def test_saving_stores_the_cleaned_html_of_the_summary_body_and_updates(db_session):
    advisory = make_advisory(summary="A *short* summary.", body="Some **bold** <script>x</script>")
    update = add_update(advisory, body="[read](https://example.com/x) more")
    assert advisory.summary_html == "<p>A <em>short</em> summary.</p>"
    assert "<strong>bold</strong>" in advisory.body_html and "<script" not in advisory.body_html
    assert 'href="https://example.com/x"' in update.body_html


def test_pages_and_the_feed_render_no_markdown(app, db_session, monkeypatch):
    """Once saved, a GET of the list, the page or the feed renders nothing."""
    sync_shipped(MIMECAST)
    path = feed_path()
    client, _ = login(app, "compliance")
    _no_rendering(monkeypatch)
    page = client.get(f"/advisories/{MIMECAST}")
    assert page.status_code == 200 and "<h2" in page.text.split('id="body"', 1)[-1]
    assert client.get("/advisories/").status_code == 200
    feed = client.get(path)
    assert feed.status_code == 200 and b"&lt;p&gt;" in feed.data


def test_editing_the_body_renders_it_again(db_session):
    advisory = make_advisory(body="Old text.")
    doc = services.document_of(advisory).model_copy(update={"body": "New *text*."})
    services.save_document(advisory, doc, [], source="app")
    assert advisory.body_html == "<p>New <em>text</em>.</p>"


def test_the_budget_charges_ordinary_text_in_proportion_to_its_length():
    """The meter is deterministic: four times the prose costs about four times as much."""

    def charged(text: str) -> int:
        meter = markup._Meter(10**12)
        meter.charge(markup._tag_scan_cost(text))
        markup._metered_parser(meter).convert(text)
        return 10**12 - meter.left

    paragraph = "Rotate the [certificate](https://example.com/c) and *review* `logs`.\n\n"
    small, large = charged(paragraph * 100), charged(paragraph * 400)
    assert large <= 5 * small
    assert charged(paragraph * 700) < markup.RENDER_BUDGET  # ~50,000 characters of advisory


def test_the_same_text_is_always_refused_or_always_accepted():
    markup._render.cache_clear()
    for _ in range(2):
        with pytest.raises(markup.MarkdownTooCostly):
            markup.render("[a](" * 3000)
        markup._render.cache_clear()
    assert markup.render("[a](https://example.com)") == (
        '<p><a href="https://example.com" rel="noopener noreferrer nofollow">a</a></p>'
    )


def test_text_too_costly_to_render_is_kept_as_escaped_text_for_old_rows():
    """The migration's back-fill shows a costly old body as plain text rather than failing."""
    assert markup.render_or_escape("<b>" + "[a](" * 3000) == (
        "<p>&lt;b&gt;" + "[a](" * 3000 + "</p>"
    )
