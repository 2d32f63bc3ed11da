"""One page of a list: the rows asked for by the `page` query argument, and how many pages."""

from typing import NamedTuple

from flask import request
from sqlalchemy import Select, func, select

from vendorrisk.extensions import db


class Window(NamedTuple):
    query: Select  # the list's query, limited to the page shown
    page: int
    pages: int
    total: int


def window(query: Select, per_page: int) -> Window:
    """Count the query's rows and limit it to the page asked for, kept within 1..pages
    (a missing, malformed or out-of-range `page` shows the nearest page that exists)."""
    total = (
        db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )
    pages = max(1, -(-total // per_page))
    page = max(1, min(request.args.get("page", 1, type=int), pages))
    return Window(query.limit(per_page).offset((page - 1) * per_page), page, pages, total)
