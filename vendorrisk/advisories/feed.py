"""The Atom feed (RFC 4287) of advisories and their updates.

Staff read it signed in at /advisories/feed.atom; a feed reader, which has no session, uses the
personal link from the profile page (/advisories/feed/<token>.atom, see feed_tokens.py).
One entry per advisory and one per update, newest first. Content is the HTML each advisory and
update was rendered to when saved (type "html"): building the feed renders nothing. Nothing
about vendors, exposure or campaigns is ever in the feed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - we only build XML here, never parse it
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.core.urls import external_url
from vendorrisk.extensions import db
from vendorrisk.intake.publishing import draft_ids

from .models import Advisory, AdvisoryUpdate

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 100


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    author: str
    html: str
    category: str


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(value) -> datetime:
    return datetime.combine(value, time(0, 0), tzinfo=UTC)


def _advisory_entry(advisory: Advisory, url: str) -> Entry:
    html = advisory.summary_html + advisory.body_html
    return Entry(
        url,
        advisory.title,
        url,
        _day(advisory.published_on),
        max(advisory.updated_at, _day(advisory.published_on)),
        advisory.publisher,
        html,
        "advisory",
    )


def _update_entry(advisory: Advisory, update: AdvisoryUpdate, url: str) -> Entry:
    anchor = f"{url}#update-{update.number}"
    html = update.body_html or "<p>(No text.)</p>"
    return Entry(
        anchor,
        f"{advisory.title}: {update.title}",
        anchor,
        _day(update.published_on),
        max(update.created_at, _day(update.published_on)),
        advisory.publisher,
        html,
        "update",
    )


def entries() -> list[Entry]:
    """Return the newest feed entries: advisories and updates together."""
    advisories = db.session.scalars(
        select(Advisory)
        .where(Advisory.id.not_in(draft_ids()))  # drafts wait for a second person
        .options(selectinload(Advisory.updates))
    ).all()
    found = []
    for advisory in advisories:
        url = external_url("advisories.show", slug=advisory.slug)
        found.append(_advisory_entry(advisory, url))
        found.extend(_update_entry(advisory, u, url) for u in advisory.updates)
    found.sort(key=lambda e: (e.updated, e.id), reverse=True)
    return found[:MAX_ENTRIES]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


@dataclass(frozen=True)
class Document:
    """The feed's bytes and the time of its newest entry (its Last-Modified)."""

    body: bytes
    updated: datetime


def atom() -> Document:
    """Return the feed document."""
    items = entries()
    # Plain names under an xmlns attribute: Atom is the default namespace and no "ns0:" prefix
    # can appear, whatever prefixes other code registered with ElementTree.
    feed = ET.Element("feed", xmlns=ATOM)
    self_url = external_url("advisories.feed")
    _sub(feed, "id", self_url)
    _sub(feed, "title", "VendorRisk advisories")
    _sub(feed, "subtitle", "Guidance on supplier-side breaches, with dated updates.")
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=external_url("advisories.index"))
    newest = max((e.updated for e in items), default=datetime(2020, 1, 1, tzinfo=UTC))
    _sub(feed, "updated", _stamp(newest))
    author = _sub(feed, "author")
    _sub(author, "name", "VendorRisk")
    _sub(feed, "generator", "VendorRisk")
    for item in items:
        entry = _sub(feed, "entry")
        _sub(entry, "id", item.id)
        _sub(entry, "title", item.title)
        _sub(entry, "link", rel="alternate", type="text/html", href=item.link)
        _sub(entry, "published", _stamp(item.published))
        _sub(entry, "updated", _stamp(item.updated))
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", item.author)
        _sub(entry, "category", term=item.category)
        _sub(entry, "content", item.html, type="html")
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Document(body, newest)
