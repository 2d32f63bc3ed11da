"""Full-text search over advisories: titles, summaries, bodies, updates and product names.

Each advisory has one search document (`advisories.search_document`), rewritten by the services
whenever the advisory or its timeline changes. PostgreSQL searches it through a GIN index on
`to_tsvector('english', search_document)`; SQLite through the FTS5 table `advisory_search`,
whose row id is the advisory's id. Both were created by hand in migration 0006.

A query is split into words; every word must match, as a word or the start of one, so
"certif mimecast" finds the Mimecast certificate advisory on both databases.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import text

from vendorrisk.extensions import db

from .markup import html_text

if TYPE_CHECKING:
    from .models import Advisory

MAX_TERMS = 12
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

SQLITE_SEARCH = (
    "SELECT rowid AS id FROM advisory_search WHERE advisory_search MATCH :query "
    "ORDER BY bm25(advisory_search, 5.0, 1.0), rowid"
)
POSTGRES_SEARCH = (
    "SELECT id FROM advisories "
    "WHERE to_tsvector('english', search_document) @@ to_tsquery('english', :query) "
    "ORDER BY ts_rank(to_tsvector('english', search_document), to_tsquery('english', :query)) "
    "DESC, id"
)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def document_text(advisory: Advisory) -> str:
    """Return the plain text search reads for an advisory."""
    parts = [
        advisory.title,
        advisory.publisher,
        html_text(advisory.summary_html),
        html_text(advisory.body_html),
    ]
    for row in advisory.products:
        parts.append(f"{row.product.supplier} {row.product.name}")
        parts.extend(row.product.alias_names)
    for action in advisory.actions:
        parts.append(action["text"])
    for update in advisory.updates:
        parts.append(update.title)
        parts.append(html_text(update.body_html))
        parts.extend(a["text"] for a in update.actions)
    return "\n".join(p for p in parts if p)


def refresh(advisory: Advisory) -> None:
    """Rewrite an advisory's search document (and its FTS5 row on SQLite)."""
    advisory.search_document = document_text(advisory)
    db.session.flush()
    if _dialect() == "sqlite":
        db.session.execute(
            text("DELETE FROM advisory_search WHERE rowid = :id"), {"id": advisory.id}
        )
        db.session.execute(
            text(
                "INSERT INTO advisory_search (rowid, title, document) "
                "VALUES (:id, :title, :document)"
            ),
            {"id": advisory.id, "title": advisory.title, "document": advisory.search_document},
        )


def terms(query: str | None) -> list[str]:
    """Return the words of a search query (operators and punctuation are ignored)."""
    return _WORD.findall(query or "")[:MAX_TERMS]


def compiled_query(query: str | None) -> tuple[str, str] | None:
    """Return the SQL and the search expression for a query, or None when it has no words."""
    words = terms(query)
    if not words:
        return None
    if _dialect() == "postgresql":
        return POSTGRES_SEARCH, " & ".join(f"{w}:*" for w in words)
    return SQLITE_SEARCH, " ".join('"' + w.replace('"', "") + '"*' for w in words)


def ranked_ids(query: str | None) -> list[int] | None:
    """Return the ids of matching advisories, best match first (None: no words to search)."""
    compiled = compiled_query(query)
    if compiled is None:
        return None
    sql, expression = compiled
    return list(db.session.execute(text(sql), {"query": expression}).scalars())
