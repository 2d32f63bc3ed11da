"""Browsing: filters, full-text search over titles, summaries, bodies and updates (FTS5 on
SQLite, a GIN-indexed tsvector on PostgreSQL), and permanent links."""

import pytest
from sqlalchemy import text

from tests.advisories.conftest import login
from tests.advisories.helpers import add_update, make_advisory, make_product
from vendorrisk.advisories import pages, search
from vendorrisk.extensions import db


@pytest.fixture
def library(db_session):
    gateway = make_product("Mail Gateway")
    a = make_advisory(
        title="Connector certificate stolen",
        severity="high",
        summary="A signing certificate was taken.",
        body="Rotate everything.",
    )
    b = make_advisory(
        [(gateway, [], [])],
        title="Gateway outage",
        severity="low",
        status="monitoring",
        summary="Mail was delayed.",
        body="Nothing was compromised; **queues** drained by noon.",
    )
    c = make_advisory(
        title="Library flaw",
        severity="critical",
        summary="A logging library runs code from input.",
        body="Upgrade.",
    )
    add_update(c, title="Exploitation seen", body="Attackers scan for vulnerable servers.")
    return a, b, c


def slugs(advisories) -> list[str]:
    return [a.slug for a in advisories]


def test_search_finds_titles_summaries_bodies_and_updates(library):
    a, b, c = library
    assert slugs(pages.advisory_list("stolen", None, None, None)) == [a.slug]
    assert slugs(pages.advisory_list("delayed", None, None, None)) == [b.slug]
    assert slugs(pages.advisory_list("queues", None, None, None)) == [b.slug]
    assert slugs(pages.advisory_list("vulnerable servers", None, None, None)) == [c.slug]


def test_every_word_must_match_and_words_match_their_start(library):
    a, _, _ = library
    assert slugs(pages.advisory_list("signing certif", None, None, None)) == [a.slug]
    assert pages.advisory_list("signing outage", None, None, None) == []


def test_search_ignores_query_syntax(library):
    """Quotes, operators and column filters are read as words, never as FTS or tsquery syntax."""
    for query in [
        '"stolen',
        "stolen OR",
        "title:stolen",
        "stolen & | ! :*",
        "NEAR(stolen)",
        "'; DROP TABLE advisories; --",
    ]:
        found = pages.advisory_list(query, None, None, None)
        assert all(isinstance(x.slug, str) for x in found)
    assert db.session.execute(text("SELECT count(*) FROM advisories")).scalar() == 3


def test_filters_by_status_severity_and_product(library):
    a, b, c = library
    assert slugs(pages.advisory_list(None, "monitoring", None, None)) == [b.slug]
    assert slugs(pages.advisory_list(None, None, "critical", None)) == [c.slug]
    assert slugs(pages.advisory_list(None, None, None, b.products[0].product_id)) == [b.slug]
    assert set(slugs(pages.advisory_list(None, None, None, None))) == {a.slug, b.slug, c.slug}


def test_search_reflects_edits(library):
    from vendorrisk.advisories.models import SOURCE_APP
    from vendorrisk.advisories.services import document_of, save_document

    a, _, _ = library
    doc = document_of(a).model_copy(update={"title": "Connector key leaked"})
    save_document(a, doc, [], source=SOURCE_APP)
    assert slugs(pages.advisory_list("leaked", None, None, None)) == [a.slug]
    assert pages.advisory_list("stolen", None, None, None) == []


def test_the_search_is_backed_by_an_index(library):
    bind = db.session.get_bind()
    if bind.dialect.name == "sqlite":
        found = db.session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'advisory_search'")
        ).scalar()
        assert "USING fts5" in found
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        sql, expression = search.compiled_query("stolen")
        plan = "\n".join(
            db.session.execute(text("EXPLAIN " + sql), {"query": expression}).scalars()
        )
        assert "ix_advisories_search" in plan, plan


def test_the_list_page_searches_and_filters(app, library):
    a, b, _ = library
    client, _ = login(app, "compliance")
    page = client.get("/advisories/?q=stolen").text
    assert a.title in page and b.title not in page
    page = client.get("/advisories/?severity=low").text
    assert b.title in page and a.title not in page
    assert client.get("/advisories/?status=bogus").status_code == 200


def test_an_advisory_has_a_permanent_link_by_slug(app, library):
    a, _, _ = library
    client, _ = login(app, "compliance")
    page = client.get(f"/advisories/{a.slug}")
    assert page.status_code == 200 and a.title in page.text
    assert f"http://localhost/advisories/{a.slug}" in page.text
    assert client.get("/advisories/no-such-advisory").status_code == 404
