"""Advisory files: the validator's file:line errors, the CLI, and a sync that is idempotent,
creates missing catalogue products and keeps updates append-only."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.advisories.helpers import LOG4SHELL, MIMECAST, SHIPPED, SOLARWINDS, sync_shipped
from vendorrisk.advisories import sync
from vendorrisk.advisories.models import Advisory, AdvisoryUpdate, AppendOnlyError
from vendorrisk.advisories.services import effective, timeline
from vendorrisk.advisories.validator import parse_text
from vendorrisk.extensions import db
from vendorrisk.vendors.matching import find_products
from vendorrisk.vendors.models import Product

GOOD = """\
---
slug: sample-advisory
title: Sample
publisher: Acme
published: 2021-01-12
severity: high
summary: Something happened.
---
Body.
"""


def errors_of(text: str, **kwargs) -> list[str]:
    doc, errors = parse_text(text, "advisories/sample-advisory.md", **kwargs)
    assert doc is None
    return [str(e) for e in errors]


def test_the_shipped_advisories_are_valid(app, db_session):
    files, errors = sync.load_files(sync.advisory_files(SHIPPED))
    assert [str(e) for e in errors] == []
    assert {f.document.slug for f in files} >= {MIMECAST, SOLARWINDS, LOG4SHELL}


def test_a_valid_file_parses_with_its_body(app):
    doc, errors = parse_text(GOOD, "sample-advisory.md", expected_slug="sample-advisory")
    assert errors == [] and doc.body == "Body." and doc.status == "active"


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            ("severity: high", "severity: urgent"),
            "advisories/sample-advisory.md:6: severity must be one of 'critical', 'high', 'medium' or "
            "'low' (got 'urgent')",
        ),
        (
            ("published: 2021-01-12", "published: 12/01/2021"),
            "advisories/sample-advisory.md:5: published must be a date like 2021-01-12",
        ),
        (
            ("summary: Something happened.\n", "summary: Something happened.\ncolour: red\n"),
            "advisories/sample-advisory.md:8: unknown key 'colour' in the advisory",
        ),
        (("title: Sample\n", ""), "advisories/sample-advisory.md:2: missing required key 'title'"),
        (
            (
                "summary: Something happened.\n",
                "summary: Something happened.\nreferences:\n  - title: X\n    url: javascript:alert(1)\n",
            ),
            "advisories/sample-advisory.md:10: references[0].url: 'javascript:alert(1)' is not a valid "
            "link",
        ),
        (
            (
                "summary: Something happened.\n",
                "summary: Something happened.\nstatus: superseded\n",
            ),
            "advisories/sample-advisory.md:8: a superseded advisory names the advisory that replaces it",
        ),
        (
            (
                "summary: Something happened.\n",
                "summary: Something happened.\nactions:\n  - id: a\n    for: firm\n    text: x\n"
                "    questions: [nope/q1]\n",
            ),
            "advisories/sample-advisory.md:12: no template 'nope' (in nope/q1)",
        ),
        (
            (
                "summary: Something happened.\n",
                "summary: Something happened.\nupdates:\n  - date: 2020-01-01\n    title: Early\n",
            ),
            "advisories/sample-advisory.md:9: update dated 2020-01-01 comes before 2021-01-12",
        ),
        (
            ("severity: high\n", "severity: high\n  bad: indent\n"),
            "advisories/sample-advisory.md:7: YAML syntax error",
        ),
        (
            ("published: 2021-01-12", "published: 2021-13-45"),
            "advisories/sample-advisory.md:5: '2021-13-45' is not a valid date or time",
        ),
        (
            ("summary: Something happened.", "summary: Something\x00 happened."),
            "advisories/sample-advisory.md:7: YAML cannot hold the control character U+0000",
        ),
    ],
)
def test_each_problem_is_reported_as_file_line_reason(change, expected):
    old, new = change
    assert old in GOOD
    found = errors_of(GOOD.replace(old, new, 1), templates={"small": frozenset({"q1"})})
    assert any(e.startswith(expected) for e in found), found


def test_a_file_without_front_matter_is_refused_at_line_1():
    assert errors_of("# Just Markdown\n") == [
        "advisories/sample-advisory.md:1: an advisory file starts with a '---' line, then YAML "
        "front matter, then a closing '---' line and the Markdown body"
    ]


def test_every_error_of_a_file_is_reported_at_once():
    broken = GOOD.replace("severity: high", "severity: urgent").replace(
        "published: 2021-01-12", "published: soon"
    )
    assert len(errors_of(broken)) == 2


def _folder(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "advisories"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(SHIPPED / f"{name}.md", folder / f"{name}.md")
    return folder


def test_validate_prints_file_line_reason_and_exits_1(runner, tmp_path):
    folder = _folder(tmp_path)
    bad = folder / "sample-advisory.md"
    bad.write_text(GOOD.replace("severity: high", "severity: urgent"), encoding="utf-8")
    result = runner.invoke(args=["advisories", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:6: severity must be one of" in result.output


def test_validate_accepts_the_shipped_files(runner):
    result = runner.invoke(args=["advisories", "validate"])
    assert result.exit_code == 0, result.output
    assert f"{len(sync.advisory_files(SHIPPED))} files valid" in result.output


def test_sync_refuses_invalid_files_and_changes_nothing(runner, tmp_path):
    folder = _folder(tmp_path, SOLARWINDS)
    (folder / "sample-advisory.md").write_text(
        GOOD.replace("title: Sample\n", ""), encoding="utf-8"
    )
    result = runner.invoke(args=["advisories", "sync", "--dir", str(folder)])
    assert result.exit_code == 1
    assert "sample-advisory.md:2: missing required key 'title'" in result.output
    assert db.session.scalar(select(func.count()).select_from(Advisory)) == 0


def test_sync_loads_the_shipped_advisories_and_is_idempotent(runner, tmp_path):
    folder = _folder(tmp_path, MIMECAST, SOLARWINDS, LOG4SHELL)
    first = runner.invoke(args=["advisories", "sync", "--dir", str(folder)])
    assert first.exit_code == 0, first.output
    assert "3 created" in first.output and "10 update(s) added" in first.output
    counts = (
        db.session.scalar(select(func.count()).select_from(Advisory)),
        db.session.scalar(select(func.count()).select_from(AdvisoryUpdate)),
        db.session.scalar(select(func.count()).select_from(Product)),
    )
    second = runner.invoke(args=["advisories", "sync", "--dir", str(folder)])
    assert second.exit_code == 0
    assert "0 created, 0 changed, 0 update(s) added, 3 unchanged" in second.output
    assert counts == (
        db.session.scalar(select(func.count()).select_from(Advisory)),
        db.session.scalar(select(func.count()).select_from(AdvisoryUpdate)),
        db.session.scalar(select(func.count()).select_from(Product)),
    )


def test_sync_creates_the_catalogue_products_it_needs_once(db_session):
    report = sync_shipped(MIMECAST)
    assert sorted(report.products) == [
        "Mimecast Continuity Monitor",
        "Mimecast Internal Email Protect",
        "Mimecast Sync and Recover",
    ]
    [product] = find_products("Mimecast S&R")  # found by its alias
    assert product.supplier == "Mimecast" and product.name == "Mimecast Sync and Recover"
    assert sync_shipped(MIMECAST).products == []


def test_the_mimecast_advisory_has_its_three_updates_and_dates(db_session):
    sync_shipped(MIMECAST)
    advisory = db.session.scalar(select(Advisory).where(Advisory.slug == MIMECAST))
    assert [(u.published_on.isoformat(), u.number) for u in advisory.updates] == [
        ("2021-01-18", 1),
        ("2021-01-26", 2),
        ("2021-03-16", 3),
        ("2026-12-06", 4),
    ]
    assert advisory.templates == [MIMECAST]
    assert effective(advisory).frozen_dates() == {
        "compromise_date": "2021-01-12",
        "disclosed_date": "2021-01-12",
        "blocked_date": "2021-01-18",
        "credential_reset_date": "2021-01-26",
        "final_report_date": "2021-03-16",
    }


def test_a_changed_file_changes_its_advisory_and_appends_new_updates(db_session, tmp_path):
    folder = _folder(tmp_path, LOG4SHELL)
    sync.sync_directory(folder)
    path = folder / f"{LOG4SHELL}.md"
    text_ = path.read_text(encoding="utf-8")
    text_ = text_.replace("status: monitoring", "status: resolved").replace(
        "\n---\n## The fix chain",
        "\n  - date: 2022-01-05\n    title: Closing note\n---\n## The fix chain",
    )
    path.write_text(text_, encoding="utf-8")
    report = sync.sync_directory(folder)
    assert report.changed == [(LOG4SHELL, ["status"])]
    assert report.updates == [(LOG4SHELL, 4)]


def test_a_published_update_in_a_file_cannot_change(db_session, tmp_path):
    folder = _folder(tmp_path, SOLARWINDS)
    sync.sync_directory(folder)
    path = folder / f"{SOLARWINDS}.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("US government attributes", "Officials attribute"),
        encoding="utf-8",
    )
    with pytest.raises(sync.SyncError) as raised:
        sync.sync_directory(folder)
    assert (
        "update 2 ('US government attributes the attack to Russia's SVR', 2021-04-15) was "
        "published and cannot change" in str(raised.value.errors[0])
    )


OKTA = "okta-support-system-2023"
RCA = "  - date: 2023-11-03\n"


def test_an_update_published_before_a_loaded_one_is_added_at_its_date(db_session, tmp_path):
    """A file keeps its updates in date order: the root-cause report of 3 November, added after
    the 29 November update was loaded, is appended by the sync and read in date order."""
    folder = _folder(tmp_path, OKTA)
    path = folder / f"{OKTA}.md"
    current = path.read_text(encoding="utf-8")
    start = current.index(RCA)
    before_rca = current[:start] + current[current.index("  - date: 2023-11-29\n") :]
    path.write_text(before_rca, encoding="utf-8")
    sync.sync_directory(folder)
    path.write_text(current, encoding="utf-8")
    report = sync.sync_directory(folder)
    assert report.updates == [(OKTA, 2)] and report.unchanged == []
    advisory = db.session.scalar(select(Advisory).where(Advisory.slug == OKTA))
    assert [(u.number, u.published_on.isoformat()) for u in timeline(advisory)] == [
        (2, "2023-11-03"),
        (1, "2023-11-29"),
    ]
    assert effective(advisory).frozen_dates()["rca_date"] == "2023-11-03"
    assert sync.sync_directory(folder).unchanged == [OKTA]
    # Taking a loaded update out again is refused, whatever its place.
    path.write_text(before_rca, encoding="utf-8")
    with pytest.raises(sync.SyncError) as raised:
        sync.sync_directory(folder)
    assert [str(e) for e in raised.value.errors] == [
        f"{path}: update 2 ('Root cause: a service account's password saved in a "
        "personal Google profile', 2023-11-03) was published and cannot change or be removed; "
        "updates are append-only: add a new update instead"
    ]


def test_updates_are_append_only_in_the_database(db_session):
    """The database refuses UPDATE and DELETE (triggers); the ORM says why before it gets there."""
    sync_shipped(SOLARWINDS)
    for statement in ("UPDATE advisory_updates SET title = 'x'", "DELETE FROM advisory_updates"):
        nested = db.session.begin_nested()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement))
        nested.rollback()
    update = db.session.scalar(select(AdvisoryUpdate))
    update.title = "Rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
