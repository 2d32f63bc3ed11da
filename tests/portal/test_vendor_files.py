"""A vendor hands in a CycloneDX SBOM and a VEX statement in the portal: kept as hashed evidence
by the intake's own services, bad files refused next to the field by file and JSON path with
nothing kept, and only ever for the vendor's own assignment."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select

from tests.intake.helpers import CSAF, SBOM, VEX_CSAF, data, loaded
from tests.portal.helpers import open_portal
from tests.portal.vex_scene import exposure_campaign, hand_in, vex_saying
from tests.support.factories import make_vendor
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.intake.csaf_import import import_csaf
from vendorrisk.intake.jsonfile import MAX_BYTES
from vendorrisk.intake.models import Sbom, SbomComponent, VexDocument, VexStatement


@pytest.fixture
def advisory(db_session):
    return import_csaf(loaded(CSAF)).advisory


@pytest.fixture
def vaid(vendor_client, vendor, advisory):
    """The exposure questionnaire's assignment id, the vendor's browser through Continue."""
    campaign = exposure_campaign(vendor, advisory)
    return open_portal(vendor_client, campaign.assignments[0].recipients[0])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_good_sbom_is_kept_with_its_hash_and_the_contact_who_sent_it(vendor_client, vaid):
    raw = SBOM.read_bytes()
    answer = hand_in(vendor_client, vaid, "sbom", raw, "widget-app.json")
    assert answer.status_code == 302, answer.text[:500]
    sbom = db.session.scalar(select(Sbom))
    assert sbom.sha256 == hashlib.sha256(raw).hexdigest() and sbom.filename == "widget-app.json"
    assert sbom.uploaded_by_id is None and sbom.uploaded_by_recipient_id is not None
    assert sbom.component_count == count(SbomComponent) > 1
    page = vendor_client.get(answer.location).text
    assert "widget-app.json" in page and sbom.sha256 in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "sbom.uploaded"))
    assert entry.actor_type == "vendor"
    assert entry.actor_ref == f"recipient:{sbom.uploaded_by_recipient_id}"


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("not_affected", "not_affected"),
        ("exploitable", "affected"),
        ("resolved", "fixed"),
        ("in_triage", "under_investigation"),
    ],
)
def test_a_good_cyclonedx_vex_of_each_status_is_kept(vendor_client, vaid, state, status):
    raw = vex_saying(state, "code_not_reachable" if state == "not_affected" else None)
    answer = hand_in(vendor_client, vaid, "vex", raw, "vex.json")
    assert answer.status_code == 302, answer.text[:500]
    document = db.session.scalar(select(VexDocument))
    assert document.sha256 == hashlib.sha256(raw).hexdigest()
    assert document.content == raw.decode() and document.uploaded_by_recipient_id is not None
    assert {s.status for s in document.statements} == {status}


def test_a_good_csaf_vex_is_kept(vendor_client, vaid):
    answer = hand_in(vendor_client, vaid, "vex", VEX_CSAF.read_bytes(), "northwind.json")
    assert answer.status_code == 302
    document = db.session.scalar(select(VexDocument))
    assert document.format == "csaf" and document.statement_count == 4


def refusal(answer) -> str:
    """Return the messages shown next to the file field."""
    assert 'class="invalid-feedback"' in answer.text
    return " ".join(
        part.split("</div>")[0] for part in answer.text.split('class="invalid-feedback"')[1:]
    )


def nothing_kept():
    for model in (Sbom, SbomComponent, VexDocument, VexStatement):
        assert count(model) == 0, model


def test_malformed_json_is_refused_by_file_and_place(vendor_client, vaid):
    answer = hand_in(vendor_client, vaid, "vex", b'{"bomFormat": "CycloneDX",', "broken.json")
    assert answer.status_code == 422
    message = refusal(answer)
    assert "broken.json: $: not valid JSON" in message and "nothing was kept" in message
    nothing_kept()


def test_a_bad_purl_deep_in_an_sbom_is_named_by_its_path_and_nothing_is_kept(vendor_client, vaid):
    document = data(SBOM)
    document["components"][0]["components"][0]["purl"] = "pkg:npm/"
    answer = hand_in(vendor_client, vaid, "sbom", json.dumps(document).encode(), "sbom.json")
    assert answer.status_code == 422
    assert "sbom.json: $.components[0].components[0].purl:" in refusal(answer)
    nothing_kept()


def test_a_vex_with_a_wrong_state_is_refused_at_its_path(vendor_client, vaid):
    raw = vex_saying("exploitable").replace(b'"exploitable"', b'"shrug"')
    answer = hand_in(vendor_client, vaid, "vex", raw, "vex.json")
    assert answer.status_code == 422
    assert "vex.json: $.vulnerabilities[0].analysis.state" in refusal(answer)
    nothing_kept()


def test_deeply_nested_json_is_refused(vendor_client, vaid):
    raw = b'{"a": ' * 100 + b"1" + b"}" * 100
    answer = hand_in(vendor_client, vaid, "sbom", raw, "deep.json")
    assert answer.status_code == 422
    assert "deep.json: $.a.a" in refusal(answer) and "nested deeper than 64" in refusal(answer)
    nothing_kept()


def test_a_file_just_over_the_limit_is_refused_by_name(vendor_client, vaid):
    raw = b" " * (MAX_BYTES + 1)
    answer = hand_in(vendor_client, vaid, "vex", raw, "huge.json")
    assert answer.status_code == 422
    assert "huge.json: $: the file is 20.0 MiB; at most 20 MiB" in refusal(answer)
    nothing_kept()


def test_a_much_larger_file_is_refused_before_it_is_read(vendor_client, vaid, monkeypatch):
    from vendorrisk.portal import intake_views

    monkeypatch.setattr(intake_views, "BODY_LIMIT", 64 * 1024)  # a small body shows the rule
    raw = b" " * (100 * 1024)
    answer = hand_in(vendor_client, vaid, "sbom", raw, "bigger.json")
    assert answer.status_code == 413
    assert "larger than 20 MiB: nothing was kept" in refusal(answer)
    nothing_kept()


def test_a_vendor_cannot_upload_to_another_vendors_questionnaire(
    app, vendor_client, vaid, advisory
):
    other = exposure_campaign(make_vendor("Other Vendor Ltd"), advisory).assignments[0]
    answer = hand_in(vendor_client, other.id, "vex", vex_saying("exploitable"), "vex.json")
    assert answer.status_code == 404
    assert vendor_client.get(f"/portal/a/{other.id}/files").status_code == 404
    nothing_kept()


def test_staff_filed_documents_are_not_listed_to_the_vendor(vendor_client, vaid, vendor):
    from vendorrisk.intake.vex import upload_vex

    upload_vex(vendor, loaded(VEX_CSAF, "internal-notes.json"), None)
    page = vendor_client.get(f"/portal/a/{vaid}/files").text
    assert "internal-notes.json" not in page and "No VEX statement yet." in page


def test_staff_see_which_contact_handed_a_document_in(app, vendor_client, vaid, vendor):
    from tests.advisories.conftest import login

    hand_in(vendor_client, vaid, "vex", VEX_CSAF.read_bytes(), "northwind.json")
    document = db.session.scalar(select(VexDocument))
    contact = document.uploaded_by_recipient.contact
    client, _ = login(app, "compliance")
    page = client.get(f"/vendors/{vendor.id}/vex/{document.id}").text
    assert f"by {contact.display_name} in the vendor portal" in page
