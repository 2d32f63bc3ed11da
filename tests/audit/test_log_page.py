"""The audit-log page: filters, the CSV export and who may read it."""

import csv
import io
from datetime import UTC, datetime

import pytest

from vendorrisk.audit import services as audit
from vendorrisk.extensions import db


def _entry(action, object_id, *, outcome="success", at=None, **kwargs):
    entry = audit.record(action, "thing", object_id, outcome=outcome, actor_type="system", **kwargs)
    if at is not None:
        entry.at = at
    db.session.flush()
    return entry


@pytest.fixture
def entries(db_session):
    return {
        "ok-old": _entry("widget.made", "mark-ok-old", at=datetime(2031, 1, 10, 9, 0, tzinfo=UTC)),
        "ok-new": _entry(
            "widget.made", "mark-ok-new", at=datetime(2031, 2, 20, 23, 59, tzinfo=UTC)
        ),
        "fail": _entry(
            "widget.broken",
            "mark-fail",
            outcome="failure",
            at=datetime(2031, 2, 20, 8, 0, tzinfo=UTC),
        ),
        "denied": _entry(
            "widget.peek",
            "mark-denied",
            outcome="denied",
            at=datetime(2031, 3, 1, 0, 0, tzinfo=UTC),
        ),
    }


def _shown(page: str) -> set[str]:
    return {name for name in ("ok-old", "ok-new", "fail", "denied") if f"#mark-{name}" in page}


def test_compliance_reads_the_audit_log(client, auth, entries):
    auth.login("compliance")
    response = client.get("/audit/")
    assert response.status_code == 200
    assert _shown(response.text) == {"ok-old", "ok-new", "fail", "denied"}
    assert "Times in UTC." in response.text


def test_admins_read_the_audit_log(client, auth, entries):
    auth.login("admin")
    assert client.get("/audit/").status_code == 200


def test_a_manager_gets_403_for_the_log_and_the_export(client, auth, entries):
    auth.login("manager")
    page = client.get("/audit/")
    assert page.status_code == 403
    assert "You do not have access to this page" in page.text
    export = client.get("/audit/export.csv")
    assert export.status_code == 403
    assert "mark-ok-old" not in export.text


def test_signed_out_visitors_are_sent_to_sign_in(client, entries):
    response = client.get("/audit/export.csv")
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=widget.made", {"ok-old", "ok-new"}),
        ("action=widget.", {"ok-old", "ok-new", "fail", "denied"}),  # a prefix matches
        ("outcome=failure", {"fail"}),
        ("outcome=denied", {"denied"}),
        ("action=widget.made&outcome=failure", set()),
        ("since=2031-02-01&until=2031-02-28", {"ok-new", "fail"}),
        ("until=2031-02-20", {"ok-old", "ok-new", "fail"}),  # the whole last day counts
        ("since=2031-02-21", {"denied"}),
        ("object_type=thing&object_id=mark-fail", {"fail"}),
    ],
)
def test_the_audit_page_filters_by_action_outcome_and_date(client, auth, entries, query, expected):
    auth.login("compliance")
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    assert _shown(response.text) == expected


def test_the_audit_page_filters_by_actor(client, auth, entries):
    officer = auth.login("compliance")
    page = client.get(f"/audit/?actor={officer.email.upper()}").text
    assert _shown(page) == set()
    assert "<code>login</code>" in page


def test_an_invalid_date_is_shown_as_a_field_error_not_a_crash(client, auth, entries):
    auth.login("compliance")
    response = client.get("/audit/?since=yesterday")
    assert response.status_code == 200
    assert "Not a valid date value." in response.text


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_csv_export_is_a_download_of_the_filtered_rows(client, auth, entries):
    auth.login("compliance")
    response = client.get("/audit/export.csv?action=widget.made")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="audit-log-') and disposition.endswith(
        '.csv"'
    )
    rows = _csv(response)
    assert [r["object_id"] for r in rows] == ["mark-ok-new", "mark-ok-old"]
    assert rows[0]["at_utc"] == "2031-02-20 23:59:00"
    assert rows[0]["action"] == "widget.made" and rows[0]["outcome"] == "success"
    assert list(rows[0]) == [
        "id",
        "at_utc",
        "actor_type",
        "actor",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "ip",
        "details",
    ]


def test_the_csv_export_names_the_actor_by_email(client, auth, entries):
    officer = auth.login("compliance")
    rows = _csv(client.get("/audit/export.csv?action=login"))
    assert rows and rows[0]["actor"] == officer.email


@pytest.mark.parametrize(
    "payload",
    ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"],
)
def test_a_cell_that_could_be_a_formula_is_written_as_text(client, auth, db_session, payload):
    _entry("formula.check", payload[:64], actor_ref=payload[:64])
    auth.login("compliance")
    rows = _csv(client.get("/audit/export.csv?action=formula.check"))
    assert len(rows) == 1
    assert rows[0]["object_id"] == "'" + payload[:64]
    assert rows[0]["actor"] == "'" + payload[:64]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_date_no_one_means_is_a_message_beside_the_filter_not_an_error(client, auth, entries):
    """The day after 9999-12-31 does not exist: it was a 500 before the range was checked."""
    auth.login("compliance")
    for query in ("until=9999-12-31", "since=0001-01-01"):
        response = client.get(f"/audit/?{query}")
        assert response.status_code == 200, query
        assert "Enter a date between 01 January 1900 and 31 December 2199." in response.text
    assert client.get("/audit/export.csv?until=9999-12-31").status_code == 200


def test_each_entrys_details_are_folded_to_one_line_until_opened(client, auth, db_session):
    long_text = "x" * 3000
    _entry("widget.noted", "mark-folded", details={"note": long_text, "fields": "a, b"})
    auth.login("compliance")
    page = client.get("/audit/").text
    row = page[page.index("#mark-folded") :]
    row = row[: row.index("</tr>")]
    assert "<details>" in row and "<details open" not in row
    summary = row[row.index("<summary") : row.index("</summary>")]
    assert "note" in summary and "fields" in summary and long_text not in summary
    assert long_text in row  # still there once opened
