"""A save that fails after its files were written leaves no file behind."""

from __future__ import annotations

import io

from tests.portal.helpers import PDF, n, page_version, save, section_url
from vendorrisk.campaigns.models import Evidence
from vendorrisk.extensions import db


def _files(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_an_upload_that_loses_an_edit_conflict_leaves_no_file(vendor_client, aid, uploads):
    stale = page_version(vendor_client.get(section_url(aid, 2)).text)
    assert save(vendor_client, aid, 2, {n("notify_hours"): "24"}).status_code == 302
    lost = save(
        vendor_client,
        aid,
        2,
        {n("soc2_report"): (io.BytesIO(PDF), "report.pdf"), n("notify_hours"): "48"},
        version=stale,
    )
    assert lost.status_code == 409
    assert 'value="48"' in lost.text  # what was typed is kept on screen
    assert db.session.query(Evidence).count() == 0
    assert _files(uploads) == []


def test_a_second_file_refused_takes_the_first_one_back_out(vendor_client, aid, uploads):
    refused = save(
        vendor_client,
        aid,
        2,
        {n("soc2_report"): [(io.BytesIO(PDF), "good.pdf"), (io.BytesIO(b"MZ\x90\x00"), "bad.exe")]},
    )
    assert refused.status_code == 400
    assert db.session.query(Evidence).count() == 0
    assert _files(uploads) == []
