"""Staff enter a workbook the vendor e-mailed back: checked by cell as in the portal, the file
kept as evidence, attested as received from a named person, the record saying so."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tests.portal.delegation_helpers import audit_actions
from tests.portal.helpers import draft_of
from tests.portal.test_workbook import EXPOSURE, FILLED, ROTATION, fill
from vendorrisk.campaigns.models import Revision
from vendorrisk.core import storage
from vendorrisk.extensions import db
from vendorrisk.portal.delegation_models import AnswerAuthor, RevisionAuthor, StaffEntry


def _download(client, assignment) -> bytes:
    response = client.get(
        f"/campaigns/{assignment.campaign_id}/assignments/{assignment.id}/workbook.xlsx"
    )
    assert response.status_code == 200
    return response.data


def _upload(client, assignment, data: bytes, name: str = "from-vendor.xlsx"):
    return client.post(
        f"/campaigns/assignments/{assignment.id}/entry",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _attest(client, assignment, received_from="Sam Vendor", channel="email", **extra):
    page = client.get(f"/campaigns/assignments/{assignment.id}/entry").text
    version = page.split('name="version" type="hidden" value="', 1)[1].split('"', 1)[0]
    data = {"version": version, "received_from": received_from, "channel": channel}
    data.update({"confirm": "y", **extra})
    return client.post(f"/campaigns/assignments/{assignment.id}/entry/submit", data=data)


def _entry() -> StaffEntry:
    db.session.expire_all()
    return db.session.scalar(select(StaffEntry).order_by(StaffEntry.id.desc()).limit(1))


def test_staff_enter_a_received_workbook_and_submit_it_on_the_vendors_behalf(
    client, auth, assignment, uploads
):
    manager = auth.login("manager")
    data = fill(_download(client, assignment), FILLED)
    response = _upload(client, assignment, data)
    assert response.status_code == 302, response.text[:2000]
    entry = _entry()
    assert entry.sha256 == hashlib.sha256(data).hexdigest() and entry.size == len(data)
    assert storage.path_of(entry.stored_name).read_bytes() == data  # the file is evidence
    assert draft_of(assignment)["uses_connector"]
    author = db.session.scalar(
        select(AnswerAuthor).where(AnswerAuthor.question_id == "uses_connector")
    )
    assert author.user_id == manager.id and author.recipient_id is None
    assert audit_actions("assignment.workbook_entered")[-1].details["sha256"] == entry.sha256

    page = client.get(f"/campaigns/assignments/{assignment.id}/entry").text
    assert "Entered answers" in page and entry.sha256 in page
    submitted = _attest(client, assignment)
    assert submitted.status_code == 302, submitted.text[:2000]
    db.session.expire_all()
    revision = db.session.scalar(select(Revision).order_by(Revision.id.desc()).limit(1))
    assert revision.submitted_by_recipient_id is None
    assert revision.attestation_name == manager.name
    assert revision.attestation_title == "received from Sam Vendor by e-mail"
    entry = _entry()
    assert entry.revision_id == revision.id
    assert entry.attestation == (
        f"Received from Sam Vendor by e-mail; entered by {manager.name} on the vendor's behalf."
    )
    frozen = db.session.scalars(
        select(RevisionAuthor).where(RevisionAuthor.revision_id == revision.id)
    ).all()
    assert frozen and all(r.user_id == manager.id for r in frozen)
    audit = audit_actions("response.submitted")[-1]
    assert audit.actor_type == "user" and audit.actor_id == manager.id
    assert audit.details["on_behalf"] == {
        "staff_entry": entry.id,
        "received_via": "email",
        "sha256": entry.sha256,
    }
    review = client.get(f"/review/assignments/{assignment.id}").text
    assert "Entered by staff on the vendor's behalf." in review
    assert "Received from Sam Vendor by e-mail" in review
    assert f"Answered by {manager.name} (staff, on the vendor&#39;s behalf)" in review
    kept = client.get(f"/campaigns/entries/{entry.id}/file")
    assert kept.status_code == 200 and kept.data == data
    assert kept.headers["Content-Disposition"].startswith("attachment")
    kept.close()
    assert audit_actions("staff_entry.downloaded")[-1].object_id == str(entry.id)


def test_bad_cells_are_listed_by_cell_reference_and_nothing_is_kept(
    client, auth, assignment, uploads
):
    auth.login("manager")
    filled = {
        EXPOSURE: {"uses_connector": {"C": "Yes"}, "data_accessed": {"C": "Perhaps"}},
        ROTATION: {"rotated": {"C": "Yes"}},
    }
    response = _upload(client, assignment, fill(_download(client, assignment), filled))
    assert response.status_code == 400
    assert "1. Exposure!C3 (data_accessed): not one of the choices" in response.text
    assert "Nothing was saved" in response.text
    assert _entry() is None
    assert draft_of(assignment) in (None, {})
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_macro_workbook_is_refused_by_the_field(client, auth, assignment):
    auth.login("manager")
    response = _upload(client, assignment, b"PK\x03\x04junk", name="answers.xlsm")
    assert response.status_code == 400
    assert "invalid-feedback" in response.text
    assert _entry() is None


def test_the_attestation_needs_who_sent_it(client, auth, assignment, uploads):
    auth.login("manager")
    _upload(client, assignment, fill(_download(client, assignment), FILLED))
    response = _attest(client, assignment, received_from="")
    assert response.status_code == 400
    assert "Say who sent the workbook." in response.text
    assert _entry().revision_id is None


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [("manager", 200, 302), ("admin", 200, 302), ("compliance", 403, 403), (None, 302, 302)],
)
def test_only_managers_enter_a_workbook_on_the_vendors_behalf(
    client, auth, assignment, uploads, role, get, post
):
    if role:
        auth.login(role)
    page = client.get(f"/campaigns/assignments/{assignment.id}/entry")
    assert page.status_code == get
    if role in ("manager", "admin"):
        data = fill(_download(client, assignment), FILLED)
    else:
        data = b"PK\x03\x04"
    response = _upload(client, assignment, data)
    assert response.status_code == post
    if post != 302 or role is None:
        assert _entry() is None


def test_an_entry_whose_commit_fails_leaves_no_file_behind(
    client, auth, assignment, uploads, monkeypatch
):
    auth.login("manager")
    data = fill(_download(client, assignment), FILLED)

    def fail() -> None:
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(db.session, "commit", fail)
    response = _upload(client, assignment, data)
    monkeypatch.undo()
    assert response.status_code == 500 and "Traceback" not in response.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(StaffEntry)) == 0
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))
