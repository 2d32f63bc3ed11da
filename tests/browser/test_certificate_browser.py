"""In a real Chromium, a vendor attaching a private key instead of the rotated certificate is
told next to the question to treat the key as exposed; the certificate itself is accepted."""

from __future__ import annotations

import datetime
import re

from tests.browser.test_exclusive_browser import _open, _seed_mimecast
from tests.browser.test_portal_browser import _link_for
from tests.support.certs import make_certificate, pem, private_key_pem

FILES = "#a-new_connection_date-files"
QUESTION = "#question-new_connection_date"


def _to_rotation_section(page) -> None:
    page.locator("#a-mimecast_customer-0").check()
    page.locator("#a-affected_products-0").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r".*/portal/a/\d+/s/1$"))
    page.locator("#a-connection_recreated-0").check()
    page.locator("#a-new_connection_date").fill("2021-01-14")


def test_a_private_key_is_refused_and_the_certificate_accepted(
    page, page_problems, seed, live_server, shoot
):
    page_problems.allow("status of 400")  # the refused save answers 400 on purpose
    link = _link_for(live_server, _seed_mimecast(live_server, seed, "Certificate Vendor"))
    _open(page, link)
    _to_rotation_section(page)
    key = {"name": "new.pem", "mimeType": "application/x-pem-file", "buffer": private_key_pem()}
    page.locator(FILES).set_input_files(key)
    page.get_by_role("button", name="Save draft").click()
    question = page.locator(QUESTION)
    question.get_by_text(re.compile("Treat that key as exposed")).wait_for()
    shoot("private-key-refused")
    assert "new.pem" not in question.inner_text()

    cert = make_certificate(datetime.date(2021, 1, 13), datetime.date(2023, 1, 13))
    page.locator("#a-connection_recreated-0").check()
    page.locator("#a-new_connection_date").fill("2021-01-14")
    upload = {"name": "replacement.crt", "mimeType": "application/pkix-cert", "buffer": pem(cert)}
    page.locator(FILES).set_input_files(upload)
    page.get_by_role("button", name="Save draft").click()
    page.locator(QUESTION).get_by_text(re.compile(r"^replacement\.crt \(")).wait_for()
    shoot("certificate-attached")
