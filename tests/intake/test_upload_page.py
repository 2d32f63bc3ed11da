"""The CSAF upload page: a bad document gets each problem's JSON path and reason beside the
form, nothing is kept, and a file over the size limit is refused before it is read."""

import json
from io import BytesIO

from sqlalchemy import func, select

from tests.advisories.conftest import login
from tests.intake.helpers import CSAF, data
from vendorrisk.advisories.models import Advisory
from vendorrisk.extensions import db


def post(client, raw: bytes, name="doc.json"):
    return client.post(
        "/advisories/import",
        data={"file": (BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def test_the_page_offers_the_upload_to_managers(app, db_session):
    client, _ = login(app, "manager")
    assert 'name="file"' in client.get("/advisories/import").text
    assert "/advisories/import" in client.get("/advisories/").text


def test_a_bad_document_shows_its_path_and_reason_and_keeps_nothing(app, db_session):
    client, _ = login(app, "manager")
    document = data(CSAF)
    document["document"]["tracking"]["current_release_date"] = 12
    answer = post(client, json.dumps(document).encode(), "vendor-notice.json")
    assert answer.status_code == 422
    assert (
        "<code>vendor-notice.json</code> at <code>$.document.tracking.current_release_date</code>"
        in answer.text
    )
    assert "is not of type" in answer.text
    assert db.session.scalar(select(func.count()).select_from(Advisory)) == 0


def test_malformed_json_is_a_message_not_a_500(app, db_session):
    client, _ = login(app, "manager")
    answer = post(client, b"{not json", "broken.json")
    assert answer.status_code == 422 and "not valid JSON" in answer.text


def test_no_file_is_a_message_beside_the_field(app, db_session):
    client, _ = login(app, "manager")
    answer = client.post("/advisories/import", data={}, content_type="multipart/form-data")
    assert answer.status_code == 400 and "Choose a CSAF JSON file." in answer.text


def test_a_file_over_the_limit_is_refused_with_413_and_a_clear_page(app, db_session, monkeypatch):
    from vendorrisk.intake import views

    monkeypatch.setattr(views, "UPLOAD_BODY_LIMIT", 64 * 1024)  # a small body shows the rule
    client, _ = login(app, "manager")
    answer = post(client, b" " * (100 * 1024), "huge.json")
    assert answer.status_code == 413 and "The file is too large" in answer.text


def test_importing_the_same_revision_twice_says_so(app, db_session):
    client, _ = login(app, "manager")
    raw = CSAF.read_bytes()
    post(client, raw)
    again = post(client, raw)
    assert again.status_code == 302
    page = client.get(again.location)
    assert "is already imported" in page.text
    assert db.session.scalar(select(func.count()).select_from(Advisory)) == 1
