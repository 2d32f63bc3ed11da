"""Many vendors autosaving and submitting at once through gunicorn (bench/load.py, short): no 5xx,
no "database is locked", and every acknowledged save is in the database. And the race behind
that last promise, made certain: a colleague's save landing between our commit and our reply."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from tests.conftest import BACKEND
from tests.faults.conftest import migrated_app
from tests.portal.helpers import n, page_version, section_url
from tests.support import load
from tests.support.factories import approved_version, create_campaign, make_vendor, portal_path
from vendorrisk.extensions import db


@pytest.mark.slow
def test_ten_vendors_autosaving_and_submitting_lose_nothing(scratch_url, tmp_path):
    report = load.run(scratch_url, tmp_path, backend=BACKEND, vendors=10, workers=3, seconds=8)

    print("\n".join(report.lines()))
    assert report.stats.server_errors == 0, report.problems()
    assert report.log_problems == [], report.problems()
    assert report.stats.errors == [], report.problems()
    assert report.lost == [], report.problems()
    assert len(report.stats.acks) >= 10  # it really did the work


def test_an_autosave_reply_carries_its_own_version_even_when_a_colleague_saves_right_after(
    scratch_url,
):
    app = migrated_app(scratch_url)
    with app.app_context():
        campaign = create_campaign(approved_version(), [make_vendor("Race vendor")])
        recipient = campaign.assignments[0].recipients[0]
        link, aid = portal_path(recipient), recipient.assignment_id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    vendor = app.test_client()
    assert vendor.post(link, data={}).status_code == 302
    version = page_version(vendor.get(section_url(aid, 2)).text)

    colleague = create_engine(scratch_url)
    armed = [True]

    def colleague_saves(session) -> None:  # another worker's save commits just after ours
        if armed[0]:
            armed[0] = False
            with colleague.begin() as conn:
                conn.execute(
                    text("UPDATE responses SET version = version + 1 WHERE assignment_id = :a"),
                    {"a": aid},
                )

    event.listen(Session, "after_commit", colleague_saves)
    try:
        reply = vendor.post(
            section_url(aid, 2),
            data={"version": str(version), "action": "stay", n("notes"): "Mine"},
            headers={"X-Autosave": "1"},
            content_type="multipart/form-data",
        )
    finally:
        event.remove(Session, "after_commit", colleague_saves)
        colleague.dispose()
    assert reply.status_code == 200 and not armed[0]
    assert reply.json["version"] == version + 1  # ours, not the colleague's
    # So the next autosave is told that someone else saved meanwhile, instead of overwriting.
    again = vendor.post(
        section_url(aid, 2),
        data={"version": str(reply.json["version"]), "action": "stay", n("notes"): "Mine again"},
        headers={"X-Autosave": "1"},
        content_type="multipart/form-data",
    )
    assert again.status_code == 409
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
