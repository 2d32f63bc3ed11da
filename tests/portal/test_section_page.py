"""The section page reads a fixed handful of rows, however many answers and files it shows."""

from __future__ import annotations

from sqlalchemy import event

from tests.portal.helpers import PDF, answer_everything, section_url, upload_evidence
from vendorrisk.extensions import db


def _queries(app, client, url: str) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_query_count_does_not_grow_with_answers_or_files(app, vendor_client, aid):
    empty = _queries(app, vendor_client, section_url(aid, 2))
    answer_everything(vendor_client, aid)
    for i in range(4):
        upload = upload_evidence(
            vendor_client, aid, f"report-{i}.pdf", PDF + b"%" + bytes([65 + i])
        )
        assert upload.status_code == 302
    full = _queries(app, vendor_client, section_url(aid, 2))
    assert full == empty <= 4
