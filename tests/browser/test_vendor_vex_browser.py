"""A vendor answers "are you affected?" with its VEX statement, in a real Chromium: it opens its
link, hands in a CycloneDX VEX on the SBOM and VEX page, and finds the exposure question
answered by that statement, still open for change."""

from __future__ import annotations

import re

from tests.intake.helpers import CSAF, loaded
from tests.portal.vex_scene import exposure_campaign, vex_saying
from tests.support.factories import make_vendor, portal_path


def _seed():
    from vendorrisk.intake.csaf_import import import_csaf

    advisory = import_csaf(loaded(CSAF)).advisory
    campaign = exposure_campaign(make_vendor("Vexford Payroll"), advisory)
    return portal_path(campaign.assignments[0].recipients[0])


def test_a_vendor_uploads_a_vex_and_sees_the_exposure_question_answered(
    page, seed, tmp_path, shoot, accessible
):
    path = seed(_seed)
    statement = tmp_path / "payroll-vex.json"
    statement.write_bytes(vex_saying("not_affected", "code_not_reachable"))

    page.goto(path)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r".*/portal/a/\d+/s/0$"))
    page.get_by_role("link", name="SBOM and VEX statement").click()
    accessible("files")
    page.get_by_label("VEX document (CycloneDX or CSAF VEX, JSON)").set_input_files(str(statement))
    page.get_by_role("button", name="Upload VEX statement").click()
    page.wait_for_url(re.compile(r".*/portal/a/\d+/files$"))
    assert "payroll-vex.json is kept as evidence" in page.content()
    note = page.locator("#vex-answered")
    assert "answered by your VEX statement of" in note.inner_text()
    assert "payroll-vex.json" in page.locator("#portal-vex").inner_text()
    shoot("uploaded")

    note.get_by_role("link", name="See or change it").click()
    page.wait_for_url(re.compile(r".*/portal/a/\d+/s/0$"))
    assert "You can still change it" in page.locator("#vex-answered").inner_text()
    assert page.get_by_role("radio", name="No").is_checked()
    accessible("answered")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/portal/a/\d+/s/0$"))
    assert page.locator("#vex-answered").count() == 0  # now the vendor's own answer
    shoot("changed")
