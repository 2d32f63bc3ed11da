"""The portal grant's idle clock moves at most once a minute, and a page in use keeps it alive."""

from __future__ import annotations

import time
from types import SimpleNamespace

from tests.portal.helpers import open_portal, section_url
from vendorrisk.portal import access


def _portal_cookie_sent(response) -> bool:
    return any(h.startswith(f"{access.COOKIE}=") for h in response.headers.getlist("Set-Cookie"))


def _at(monkeypatch, moment: float) -> None:
    monkeypatch.setattr(access, "time", SimpleNamespace(time=lambda: moment))


def test_the_cookie_is_signed_again_only_when_a_minute_has_passed(
    vendor_client, recipient, monkeypatch
):
    aid = open_portal(vendor_client, recipient)
    start = time.time()
    _at(monkeypatch, start + 5)
    first = vendor_client.get(section_url(aid, 0))
    assert first.status_code == 200 and not _portal_cookie_sent(first)
    _at(monkeypatch, start + access.TOUCH_SECONDS + 1)
    assert _portal_cookie_sent(vendor_client.get(section_url(aid, 0)))


def test_use_every_few_hours_keeps_access_beyond_the_idle_limit(
    vendor_client, recipient, monkeypatch
):
    aid = open_portal(vendor_client, recipient)
    start, step = time.time(), access.IDLE_SECONDS - 600
    for visit in range(1, 4):  # three visits, each just inside the idle limit of the one before
        _at(monkeypatch, start + visit * step)
        assert vendor_client.get(section_url(aid, 0)).status_code == 200
    _at(monkeypatch, start + 3 * step + access.IDLE_SECONDS + 1)
    assert vendor_client.get(section_url(aid, 0)).status_code == 404
