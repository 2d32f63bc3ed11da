"""The section page reads a fixed handful of rows, however many answers and files it shows."""

from __future__ import annotations

import re

from sqlalchemy import event

from tests.portal.helpers import (
    COMPLETE,
    PDF,
    answer_everything,
    draft_of,
    n,
    open_portal,
    save,
    section_url,
    upload_evidence,
)
from tests.portal.reuse_scene import second_round
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


def test_a_date_answer_from_the_year_1_is_shown_again_with_a_message(
    vendor_client, assignment, recipient
):
    aid = open_portal(vendor_client, recipient)
    assert save(vendor_client, aid, 0, COMPLETE[0]).status_code == 302  # shows the section
    response = save(vendor_client, aid, 1, {n("rotated"): "yes", n("rotated_on"): "0001-01-01"})
    assert response.status_code == 400
    assert "Enter a date between 01 January 1900 and 31 December 2199." in response.text
    assert 'value="0001-01-01"' in response.text  # what was typed stays in the field
    assert "rotated_on" not in draft_of(assignment)


def _selects(app, client, url: str) -> list[str]:
    statements = []

    def record(conn, cursor, statement, *args):
        if statement.startswith("SELECT"):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def test_the_section_page_reads_two_statements_and_never_the_template_content(
    app, vendor_client, aid
):
    """A section GET reads its rows in two statements (the assignment with its recipient, which
    also tells whether any earlier answer is offered for reuse, and the files attached) and,
    once the version is parsed, never the template's content again."""
    vendor_client.get(section_url(aid, 0))  # parses the version once in this process
    statements = _selects(app, vendor_client, section_url(aid, 2))
    assert len(statements) == 2
    assert "EXISTS" in statements[0] and "reused_answers" in statements[0]
    assert not any(re.search(r"template_versions\.content\b", s) for s in statements)


def test_the_offers_are_read_only_when_the_response_holds_some(app, first_round, baseline, vendor):
    """A vendor with answers offered for reuse pays for reading them (once), and sees them."""
    later = second_round(baseline, vendor)
    client = app.test_client()
    aid = open_portal(client, later.recipients[0])
    client.get(section_url(aid, 0))  # parses the version once in this process
    statements = _selects(app, client, section_url(aid, 0))
    assert sum(s.startswith("SELECT reused_answers.") for s in statements) == 1
    assert "EXISTS" in statements[0]
    page = client.get(section_url(aid, 0)).text
    assert "From your answer of" in page
