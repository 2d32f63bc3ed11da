"""Cross-site scripting payloads for the XSS sweep (issue 12), and helpers to spread them.

Every script payload, if it ever ran, would leave a mark a test can see: payload `n` either
calls `alert(n)` (a dialog) or sets `window.__xss = n`. The template-syntax payloads cannot run
script; a page that evaluated them would show `49` instead of `{{7*7}}`, so the sweep checks
that they are shown literally.

`pack(limit)` groups the payloads into strings no longer than a field's length limit, so that a
field of that size, filled with `pack(limit)[i % len(pack(limit))]` on the i-th seeded row,
carries every payload across the rows.
"""

from __future__ import annotations

import re
from functools import cache

_RAW = [
    # Script elements, plain, mixed case, in SVG and after breaking out of text containers.
    "<script>alert({n})</script>",
    "<ScRiPt>window.__xss={n}</sCrIpT>",
    "<svg><script>alert({n})</script></svg>",
    "</textarea><script>alert({n})</script>",
    "</title><script>alert({n})</script>",
    "</script><script>alert({n})</script>",
    "</style><script>window.__xss={n}</script>",
    "<scr<script>ipt>alert({n})</scr</script>ipt>",
    # Event handlers.
    "<img src=x onerror=alert({n})>",
    '<img src=x onerror="window.__xss={n}">',
    "<svg onload=alert({n})>",
    "<svg/onload=window.__xss={n}>",
    "<body onload=alert({n})>",
    "<details open ontoggle=alert({n})>",
    "<input autofocus onfocus=alert({n})>",
    "<video><source onerror=alert({n})></video>",
    "<marquee onstart=window.__xss={n}>x</marquee>",
    '<iframe srcdoc="<script>parent.__xss={n}</script>"></iframe>',
    # javascript: and data: URLs, as text and inside markup.
    "javascript:alert({n})",
    " JaVaScRiPt:window.__xss={n}",
    '<a href="javascript:alert({n})">click {n}</a>',
    '<iframe src="javascript:alert({n})"></iframe>',
    "<form><button formaction=javascript:alert({n})>go {n}</button></form>",
    '<svg><a href="javascript:alert({n})"><text y="20">svg {n}</text></a></svg>',
    "data:text/html,<script>alert({n})</script>",
    '<object data="javascript:alert({n})"></object>',
    '<base href="javascript:alert({n})//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert({n})">',
    # Attribute breakouts.
    '"><script>alert({n})</script>',
    "'><img src=x onerror=alert({n})>",
    '" autofocus onfocus="alert({n})',
    "' autofocus onfocus='window.__xss={n}' x='",
    '" onmouseover="alert({n})" data-x="',
    # Broken and unclosed markup, comments, pre-escaped text.
    '<img src=x onerror="alert({n})"',
    '<!--<img src="--><img src=x onerror=alert({n})//">',
    "&lt;script&gt;alert({n})&lt;/script&gt;",
    '<div style="background:url(javascript:alert({n}))">s{n}',
    # Markdown links and images with javascript: targets.
    "[click {n}](javascript:alert({n}))",
    "![image {n}](javascript:alert({n}))",
    "<javascript:alert({n})>",
    # Template syntax (Jinja, JavaScript template literals, Ruby/Pug interpolation).
    "{{7*7}}",
    "{% raw %}{{7*7}}{% endraw %}",
    "${7*7}",
    "#{7*7}",
    "{{ config }}{{ self.__init__ }}",
]

PAYLOADS: list[str] = [p.replace("{n}", str(i + 1)) for i, p in enumerate(_RAW)]
SEPARATOR = " ¦ "
ALL = SEPARATOR.join(PAYLOADS)

# Valid e-mail local parts (dot-atom characters only) that look like template syntax or
# attribute breakouts: the address checker accepts them, so pages must escape them.
EMAIL_LOCAL_PARTS = [
    "{{7*7}}",
    "${7*7}",
    "#{7*7}",
    "'onmouseover='x",
    "x'/onfocus='y",
    "{%raw%}",
    "`alert`",
    "a=alert|b",
]

# Values for URL fields that pass the "website or domain" check but carry a breakout in the
# path or query; and ones the check must refuse.
GOOD_URL_PAYLOADS = [
    'https://vendor.example/"><script>alert(901)</script>',
    "https://vendor.example/?q='onmouseover='alert(902)",
    'vendor.example/" autofocus onfocus="alert(903)',
    "https://vendor.example/{{7*7}}/${7*7}",
]
BAD_URL_PAYLOADS = [
    "javascript:alert(904)",
    "JavaScript://vendor.example/%0Aalert(905)",
    "data:text/html,<script>alert(906)</script>",
    "vbscript:msgbox(907)",
]

# Links that pass the advisory reference check (no quotes, brackets or spaces) but carry script
# lookalikes in the query and fragment.
LINK_URL_PAYLOADS = [
    "https://vendor.example/?next=javascript:alert(908)&t={{7*7}}",
    "https://vendor.example/#${7*7}/onmouseover=alert(909)",
]

_MARKERS = re.compile(r"alert\((\d+)\)|__xss=(\d+)")


def normalise(text: str) -> str:
    """Fold runs of whitespace into one space (how names and PDFs treat whitespace)."""
    return " ".join(text.split())


def squash(text: str) -> str:
    """Remove all whitespace (for PDF text, where wrapping may break inside a token)."""
    return re.sub(r"\s+", "", text)


@cache
def pack(limit: int, reserve: int = 8) -> tuple[str, ...]:
    """Group the payloads into strings of at most `limit - reserve` characters."""
    room = limit - reserve
    chunks: list[str] = []
    current = ""
    for payload in PAYLOADS:
        candidate = f"{current}{SEPARATOR}{payload}" if current else payload
        if len(candidate) <= room:
            current = candidate
        else:
            if current:
                chunks.append(current)
            assert len(payload) <= room, (payload, limit)
            current = payload
    if current:
        chunks.append(current)
    return tuple(chunks)


def spread(limit: int, row: int, tag: str = "") -> str:
    """Return the payload group for row `row` of a field of length `limit` (unique by tag)."""
    chunks = pack(limit)
    text = chunks[row % len(chunks)]
    return f"{text} {tag}".strip() if tag else text


def rows_needed(*limits: int) -> int:
    """Return how many rows carry every payload in each of fields of these lengths."""
    return max(len(pack(limit)) for limit in limits)


def payloads_in(text: str) -> list[str]:
    """Return the payloads a string contains."""
    return [p for p in PAYLOADS if p in text]


def markers(text: str) -> set[int]:
    """Return the marker numbers mentioned in a string."""
    return {int(a or b) for a, b in _MARKERS.findall(text)}
