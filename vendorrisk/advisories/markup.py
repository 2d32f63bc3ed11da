"""Markdown for advisories: rendered by python-markdown, then cleaned by nh3.

Whatever the Markdown holds (raw HTML, scripts, event handlers, javascript: links), the HTML
that leaves here has only the tags and attributes below, links only to http, https and mailto
addresses, and every link carries rel="noopener noreferrer nofollow".

Rendering is done once, when an advisory or update is saved or synced; pages and the feed read
the stored HTML. Some Markdown costs the parser far more than its length (an unclosed link
opened thousands of times in one paragraph is scanned to the end each time), so every render
runs on a budget: each block test and each inline match is charged the length of the text it
may scan, and a text whose charges pass RENDER_BUDGET is refused. The charges depend only on
the text, so the same text is always accepted or always refused, on any machine.
"""

import html
import re
from functools import lru_cache

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
# Characters the parser may scan, summed over every block test and inline match. Ordinary
# advisories use well under a tenth of it; 50,000 characters of prose in one paragraph with a
# link every few lines fit too.
RENDER_BUDGET = 3_000_000
TOO_COSTLY = (
    "This Markdown is too costly to display (too many brackets, links or nested blocks in one "
    "paragraph). Split long paragraphs, close every [ and (, and nest lists and quotes less."
)


class MarkdownTooCostly(ValueError):
    """The text would cost the Markdown parser more than its budget."""

    def __init__(self) -> None:
        super().__init__(TOO_COSTLY)


class _Meter:
    """Counts what the parser scans; raises once the budget is spent."""

    def __init__(self, budget: int) -> None:
        self.left = budget

    def charge(self, amount: int) -> None:
        self.left -= amount
        if self.left < 0:
            raise MarkdownTooCostly()


def _tag_scan_cost(text: str) -> int:
    """Return what finding the end of every "<" costs the HTML parser: up to the next ">"."""
    cost, next_close = 0, len(text)
    for position in range(len(text) - 1, -1, -1):
        char = text[position]
        if char == ">":
            next_close = position
        elif char == "<":
            cost += next_close - position
    return cost


def _metered_parser(meter: _Meter) -> markdown.Markdown:
    md = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    for processor in md.parser.blockprocessors:
        test, run = processor.test, processor.run

        def metered_test(parent, block, _test=test):
            meter.charge(len(block))
            return _test(parent, block)

        def metered_run(parent, blocks, _run=run):
            meter.charge(len(blocks[0]) if blocks else 1)
            return _run(parent, blocks)

        processor.test, processor.run = metered_test, metered_run
    for pattern in md.inlinePatterns:
        handle = pattern.handleMatch

        def metered_match(m, data=None, _handle=handle):
            # A handler may scan from its match to the end of the text (links do).
            meter.charge(len(data) - m.start(0) if data is not None else len(m.string))
            return _handle(m) if data is None else _handle(m, data)

        pattern.handleMatch = metered_match
    return md


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


@lru_cache(maxsize=32)
def _render(text: str, budget: int) -> str:
    try:
        meter = _Meter(budget)
        # Raw HTML is found by Python's HTML parser before any Markdown rule runs.
        meter.charge(_tag_scan_cost(text))
        converted = _metered_parser(meter).convert(text)
    except RecursionError:  # nesting deep enough to exhaust the stack costs too much as well
        raise MarkdownTooCostly() from None
    return clean_html(converted)


def render(text: str | None, budget: int = RENDER_BUDGET) -> str:
    """Render Markdown to clean HTML; raise MarkdownTooCostly past the budget."""
    return _render(text or "", budget) if text else ""


def render_or_escape(text: str | None) -> str:
    """Render Markdown, or show a text too costly to render as escaped plain text."""
    try:
        return render(text)
    except MarkdownTooCostly:
        return f"<p>{html.escape(text or '')}</p>"


def stored(fragment: str | None) -> Markup:
    """Mark HTML that `render` produced and the database kept as safe for templates."""
    # Safe: the stored HTML came out of `render`, i.e. nh3 with the allow-lists above.
    return Markup(fragment or "")  # noqa: S704  # nosec B704


def html_text(fragment: str | None) -> str:
    """Return the words of some rendered HTML without any markup (for search)."""
    return " ".join(html.unescape(nh3.clean(fragment or "", tags=set())).split())


def plain_text(text: str | None) -> str:
    """Return the words of some Markdown without any markup (for search)."""
    return html_text(render_or_escape(text))
