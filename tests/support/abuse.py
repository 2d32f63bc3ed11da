"""The abuse corpus: long and pathological values for every text input, import and upload.

Each case sends one request whose payload grows with `size`. The sweep test
(tests/security/test_abuse_sweep.py) sends each case at two sizes, four times apart, and counts
the work: the Python lines executed (sys.settrace, the same for the same input on any machine)
and, as a check on work done in C, the CPU time (best of three, with generous factors). The
benchmark bench/abuse.py sends the large size and names the slowest request.
"""

from __future__ import annotations

import gc
import io
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape

SMALL = 12_500
LARGE = 4 * SMALL  # 50,000 characters: the longest Markdown body an advisory may hold

# Text payloads, each `size` characters (give or take one unit).
TEXTS: dict[str, Callable[[int], str]] = {
    "open brackets": lambda n: "[" * n,
    "unclosed links": lambda n: "[a](" * (n // 4),
    "unclosed tags": lambda n: "<a" * (n // 2),
    "plain": lambda n: "x" * n,
}

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_FIELD = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.I)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_OPTION = re.compile(r'<option\b[^>]*value="([^"]*)"', re.I)
_TEXT_TYPES = {"text", "email", "url", "search", "tel", "password", None}


def form_data(page: str, payload: str) -> tuple[str | None, dict[str, str]]:
    """Fill the first POST form of a page that has text fields: every text field gets the
    payload, every other field keeps its value (a select its first option)."""
    for form_attrs, body in _FORM.findall(page):
        attrs = dict(_ATTR.findall(form_attrs))
        if attrs.get("method", "get").lower() != "post":
            continue
        data: dict[str, str] = {}
        texts = 0
        for tag, field_attrs in _FIELD.findall(body):
            field = dict(_ATTR.findall(field_attrs))
            name = field.get("name")
            if not name or name == "csrf_token":
                continue
            kind = field.get("type")
            if tag.lower() == "textarea" or (tag.lower() == "input" and kind in _TEXT_TYPES):
                data[name] = payload
                texts += 1
            elif tag.lower() == "select":
                rest = body.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
                options = _OPTION.findall(rest)
                data[name] = unescape(
                    next((o for o in options if o), options[0] if options else "")
                )
            elif kind in ("checkbox", "radio"):
                data.setdefault(name, unescape(field.get("value", "y")))
            elif kind not in ("file", "submit", "button"):
                data[name] = unescape(field.get("value", ""))
        if texts:
            return attrs.get("action") or None, data
    return None, {}


@dataclass(frozen=True)
class Case:
    """One kind of request; `send(client, size, salt)` returns the response."""

    name: str
    send: Callable


def _form_case(name: str, path: str, text: str) -> Case:
    def send(client, size: int, salt: int):
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        action, data = form_data(page.text, f"{salt}" + TEXTS[text](size))
        assert data, f"no text fields on {path}"
        return client.post(action or path, data=data)

    return Case(f"{name} form, {text}", send)


def _upload(client, path: str, field: str, name: str, raw: bytes, **extra):
    return client.post(
        path,
        data={**extra, field: (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def _csv_header(client, size: int, salt: int):
    header = ",".join(["vendor"] * (size * 4 // 5) + [f"c{salt}"])
    return _upload(client, "/vendors/import", "file", "v.csv", (header + "\nvendor,X\n").encode())


def _csv_cells(client, size: int, salt: int):
    row = "vendor,X" + ",y" * (size * 4 // 5)
    raw = f"record_type,vendor\n{row}\nvendor,Y{salt}\n".encode()
    return _upload(client, "/vendors/import", "file", "v.csv", raw)


def _csv_long_cell(client, size: int, salt: int):
    raw = f'record_type,vendor,notes\nvendor,Z{salt},"{"[a](" * (size // 4)}"\n'.encode()
    return _upload(client, "/vendors/import", "file", "v.csv", raw)


def _yaml_flow(client, size: int, salt: int):
    text = f"# {salt}\nid: deep\nsections: " + "[" * (size // 25)
    return client.post("/templates/upload", data={"yaml_text": text, "yaml_file": ""})


def _yaml_block(client, size: int, salt: int):
    lines = "".join(f"{'  ' * i}k{i}:\n" for i in range(size // 250))
    return client.post("/templates/upload", data={"yaml_text": f"# {salt}\n{lines}"})


def _yaml_long(client, size: int, salt: int):
    text = f"id: t{salt}\ntitle: '{'x' * size}'\n"
    return client.post("/templates/upload", data={"yaml_text": text})


def _csaf_deep(client, size: int, salt: int):
    raw = ("[" * (size // 10) + str(salt) + "]" * (size // 10)).encode()
    return _upload(client, "/advisories/import", "file", "csaf.json", raw)


def _csaf_wide(client, size: int, salt: int):
    document = {"document": {"title": "x" * size, "tracking": {"id": str(salt)}}}
    document["vulnerabilities"] = [{"cve": f"CVE-2021-{i}"} for i in range(size // 10)]
    return _upload(client, "/advisories/import", "file", "csaf.json", json.dumps(document).encode())


def _api_json(client, size: int, salt: int, *, headers: dict):
    body = {"name": f"{salt}" + "[" * size, "services": "[a](" * (size // 4)}
    body["notes"] = [{"x": [i] * 3} for i in range(size // 20)]
    return client.post("/api/v1/vendors", json=body, headers=headers)


def _api_deep(client, size: int, salt: int, *, headers: dict):
    raw = "[" * (size // 10) + str(salt) + "]" * (size // 10)
    return client.post(
        "/api/v1/vendors", data=raw, headers={**headers, "Content-Type": "application/json"}
    )


ADVISORY_FIELDS = {
    "title": "Sweep",
    "slug": "",
    "publisher": "Us",
    "published": "2021-02-01",
    "severity": "high",
    "status": "active",
    "superseded_by": "",
}


def _advisory_body(text: str) -> Case:
    def send(client, size: int, salt: int):
        body = f"{salt} " + TEXTS[text](size)
        data = {**ADVISORY_FIELDS, "summary": "Short.", "body": body}
        return client.post("/advisories/new", data=data)

    return Case(f"advisory body alone, {text}", send)


def _update_body(path: str, text: str) -> Case:
    def send(client, size: int, salt: int):
        data = {"date": "2021-02-02", "title": "Sweep", "body": f"{salt} " + TEXTS[text](size)}
        return client.post(path, data=data)

    return Case(f"advisory update body alone, {text}", send)


def _search(path: str, text: str) -> Case:
    def send(client, size: int, salt: int):
        return client.get(path, query_string={"q": f"{salt} " + TEXTS[text](size)})

    return Case(f"search {path}, {text}", send)


FORM_PAGES = (
    ("write an advisory", "/advisories/new"),
    ("add an advisory update", "/advisories/{advisory}/updates/new"),
    ("record exposure", "/advisories/{advisory}/exposure"),
    ("new vendor", "/vendors/new"),
    ("edit vendor", "/vendors/{vendor}/edit"),
    ("new contact", "/vendors/{vendor}/contacts/new"),
    ("new product", "/products/new"),
    ("new user", "/admin/users/new"),
    ("template upload", "/templates/upload"),
)


def staff_cases(ids: dict[str, object], api_headers: dict) -> list[Case]:
    """The cases a signed-in administrator can send (ids fill the paths' placeholders)."""
    cases = [
        _form_case(name, path.format(**ids), text) for name, path in FORM_PAGES for text in TEXTS
    ]
    cases += [_advisory_body(t) for t in TEXTS]
    cases += [_update_body(f"/advisories/{ids['advisory']}/updates/new", t) for t in TEXTS]
    cases += [_search("/advisories/", t) for t in ("open brackets", "plain")]
    cases += [_search("/vendors/", t) for t in ("open brackets", "plain")]
    cases += [
        Case("vendor import, header columns", _csv_header),
        Case("vendor import, cells in a row", _csv_cells),
        Case("vendor import, one long cell", _csv_long_cell),
        Case("template upload, deep flow YAML", _yaml_flow),
        Case("template upload, deep block YAML", _yaml_block),
        Case("template upload, long YAML string", _yaml_long),
        Case("CSAF import, deep JSON", _csaf_deep),
        Case("CSAF import, wide JSON", _csaf_wide),
        Case("API, big JSON", lambda c, n, s: _api_json(c, n, s, headers=api_headers)),
        Case("API, deep JSON", lambda c, n, s: _api_deep(c, n, s, headers=api_headers)),
    ]
    return cases


def anonymous_cases() -> list[Case]:
    """The cases anyone can send without signing in."""
    return [
        _form_case("sign-in", "/login", "open brackets"),
        _form_case("sign-in", "/login", "plain"),
        _form_case("forgotten password", "/password/forgot", "plain"),
    ]


def portal_cases(section_paths: list[str]) -> list[Case]:
    """The cases a vendor's browser can send: every text answer of every section."""
    return [
        _form_case(f"portal section {i + 1}", path, text)
        for i, path in enumerate(section_paths)
        for text in ("open brackets", "unclosed links")
    ]


def lines_executed(request: Callable[[], object]) -> int:
    """Run a request and return how many Python lines it executed."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def on_call(frame, event, arg):
        return local

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        request()
    finally:
        sys.settrace(previous)
    return count


def cpu_seconds(request: Callable[[], object]) -> float:
    """Run a request with the garbage collector paused; return the CPU time it took.

    The test client runs the request in this thread, so this thread's CPU time is the request's
    own work; the process's time would also count other threads (a mail server, a report
    worker) that a busy machine happens to schedule during the request."""
    gc.collect()
    gc.disable()
    try:
        start = time.thread_time()
        request()
        return time.thread_time() - start
    finally:
        gc.enable()
