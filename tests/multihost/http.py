"""Talking to a served host over HTTP as a browser would: cookies, CSRF tokens, forms."""

from __future__ import annotations

import re

import requests

TIMEOUT = 60


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def version_of(html: str) -> int:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version field on the page"
    return int(match.group(1))


def browser() -> requests.Session:
    return requests.Session()


def sign_in(session: requests.Session, host: str, email: str, password: str) -> None:
    page = session.get(f"{host}/login", timeout=TIMEOUT)
    answer = session.post(
        f"{host}/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302, answer.text[:500]


def post_form(
    session: requests.Session, host: str, page_path: str, action_path: str, data: dict, **kw
) -> requests.Response:
    """Read a page for its CSRF token, then post a form to `action_path`."""
    page = session.get(f"{host}{page_path}", timeout=TIMEOUT)
    assert page.status_code == 200, page.text[:500]
    return session.post(
        f"{host}{action_path}",
        data={**data, "csrf_token": csrf_of(page.text)},
        allow_redirects=False,
        timeout=TIMEOUT,
        **kw,
    )


def save_section(
    session: requests.Session, host: str, aid: int, index: int, fields: dict, files=None
) -> requests.Response:
    """Save a portal section as the page's form does (its version and CSRF token)."""
    path = f"/portal/a/{aid}/s/{index}"
    page = session.get(f"{host}{path}", timeout=TIMEOUT)
    assert page.status_code == 200, page.text[:500]
    data = {
        **fields,
        "version": str(version_of(page.text)),
        "action": "stay",
        "csrf_token": csrf_of(page.text),
    }
    return session.post(
        f"{host}{path}", data=data, files=files, allow_redirects=False, timeout=TIMEOUT
    )
