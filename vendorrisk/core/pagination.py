"""One page of a list: the rows asked for by the `page` query argument, and how many pages.

Lists are chosen by primary key first (`by_key`): the database filters, sorts and pages the
keys alone, then reads, joins and loads only the rows shown. Sorting a hundred thousand
whole rows (with their joined vendor and campaign) to show fifty cost several times more than
sorting their keys.
"""

from typing import Any, NamedTuple

from flask import request
from sqlalchemy import Select, func, select

from vendorrisk.extensions import db


class Window(NamedTuple):
    query: Select  # the list's query, limited to the page shown
    page: int
    pages: int
    total: int


def _entity(query: Select) -> Any:
    return query.column_descriptions[0]["entity"]


def by_key(query: Select, limit: int, offset: int = 0) -> Select:
    """Return `query` (one mapped entity with an `id` key, sorted) limited to `limit` rows from
    `offset`, the rows chosen by their key in a subquery."""
    entity = _entity(query)
    if getattr(entity, "id", None) is None:  # not an entity query: page it as it is
        return query.limit(limit).offset(offset)
    keys = query.with_only_columns(entity.id, maintain_column_froms=True)
    return query.where(entity.id.in_(keys.limit(limit).offset(offset)))


def first_rows(query: Select, limit: int) -> tuple[list, int]:
    """Return the first `limit` rows of `query` (as `by_key` takes it) and how many rows it
    has, in two queries whatever the number: the keys with the count, then those rows."""
    entity = _entity(query)
    ranked = db.session.execute(
        query.with_only_columns(entity.id, func.count().over(), maintain_column_froms=True).limit(
            limit
        )
    ).all()
    keys = [key for key, _ in ranked]
    # Run even with no keys, so that a page's number of queries does not depend on its data.
    found = {row.id: row for row in db.session.scalars(query.where(entity.id.in_(keys))).unique()}
    return [found[key] for key in keys if key in found], (ranked[0][1] if ranked else 0)


def window(query: Select, per_page: int) -> Window:
    """Count the query's rows and limit it to the page asked for, kept within 1..pages
    (a missing, malformed or out-of-range `page` shows the nearest page that exists)."""
    total = (
        db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )
    pages = max(1, -(-total // per_page))
    page = max(1, min(request.args.get("page", 1, type=int), pages))
    return Window(by_key(query, per_page, (page - 1) * per_page), page, pages, total)
