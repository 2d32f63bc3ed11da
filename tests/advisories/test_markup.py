"""Advisory Markdown comes out as clean HTML whatever it holds."""

from vendorrisk.advisories.markup import render


def test_safe_markdown_keeps_its_structure_and_links_get_a_safe_rel():
    html = render(
        "## Steps\n\n1. **Rotate** the `cert`\n2. See [notice](https://a.example/n)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\nMail <security@a.example>."
    )
    assert "<h2>Steps</h2>" in html
    assert "<ol>" in html and "<strong>Rotate</strong>" in html and "<code>cert</code>" in html
    assert '<a href="https://a.example/n" rel="noopener noreferrer nofollow">notice</a>' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert 'href="mailto:security@a.example"' in html


def test_a_level_one_heading_becomes_level_two():
    """The page's title is its only h1."""
    assert render("# Title") == "<h2>Title</h2>"


def test_advisory_pages_show_cleaned_markdown(app, db_session):
    from tests.advisories.conftest import login
    from tests.advisories.helpers import make_advisory

    advisory = make_advisory(
        summary="Sum <script>alert(1)</script>",
        body="Body <img src=x onerror=alert(2)> [x](javascript:alert(3))",
    )
    client, _ = login(app, "compliance")
    page = client.get(f"/advisories/{advisory.slug}").text
    assert "alert(" not in page and "onerror" not in page and "javascript:" not in page
