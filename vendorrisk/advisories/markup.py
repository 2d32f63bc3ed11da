"""Markdown for advisories: rendered by python-markdown, then cleaned by nh3.

Whatever the Markdown holds (raw HTML, scripts, event handlers, javascript: links), the HTML
that leaves here has only the tags and attributes below, links only to http, https and mailto
addresses, and every link carries rel="noopener noreferrer nofollow".
"""

import html
import re

import markdown
import nh3
from markupsafe import Markup

TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "dd",
        "del",
        "dl",
        "dt",
        "em",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
_ALLOWED_URL = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_HEADING = re.compile(r"<(/?)h1\b")


def _only_absolute_links(tag: str, attribute: str, value: str) -> str | None:
    # nh3 drops unknown schemes; this also drops relative and protocol-relative links, which
    # would point somewhere else in the Atom feed than on the page.
    if attribute == "href" and not _ALLOWED_URL.match(value.strip()):
        return None
    return value


def clean_html(fragment: str) -> str:
    """Keep only the allowed tags, attributes and link schemes of some HTML."""
    return nh3.clean(
        _HEADING.sub(r"<\1h2", fragment),  # the page's own title is the only h1
        tags=set(TAGS),
        attributes={tag: set(attrs) for tag, attrs in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        attribute_filter=_only_absolute_links,
        strip_comments=True,
    )


def render(text: str | None) -> str:
    """Render Markdown to clean HTML (a plain string, for the feed)."""
    return clean_html(
        markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    )


def render_markup(text: str | None) -> Markup:
    """Render Markdown to clean HTML that templates may insert as is."""
    # Safe: nh3 cleaned the HTML just above (allowed tags, attributes and link schemes only).
    return Markup(render(text))  # noqa: S704  # nosec B704


def plain_text(text: str | None) -> str:
    """Return the words of some Markdown without any markup (for search)."""
    return " ".join(html.unescape(nh3.clean(render(text), tags=set())).split())
