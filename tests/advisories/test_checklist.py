"""The firm's own checklist ("1 of 2 done") and the vendor actions confirmed from answers."""

import datetime

import pytest
from sqlalchemy import select

from tests.advisories.conftest import login
from tests.advisories.helpers import advisory_campaign, make_advisory
from tests.conftest import make_user
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import make_vendor
from vendorrisk.advisories import checklist, exposure
from vendorrisk.advisories.models import DONE, NOT_APPLICABLE, RULED_OUT
from vendorrisk.advisories.services import effective
from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer

STRONG = {
    **WEAK_ANSWERS,
    "rotated": Answer("yes"),
    "rotated_on": Answer(datetime.date(2021, 1, 14)),
}


def _action(advisory, key):
    return next(a for a in effective(advisory).actions if a.id == key)


def test_the_firm_tracks_its_own_actions(db_session):
    advisory = make_advisory()
    owner, actor = make_user("manager"), make_user("manager")
    assert (
        checklist.firm_checklist(advisory, effective(advisory)).done,
        checklist.firm_checklist(advisory, effective(advisory)).total,
    ) == (0, 2)
    checklist.set_progress(
        advisory,
        _action(advisory, "rotate"),
        state=DONE,
        owner_id=owner.id,
        on_date=datetime.date(2021, 1, 13),
        note="Done by infra.",
        actor=actor,
    )
    firm = checklist.firm_checklist(advisory, effective(advisory))
    assert (firm.done, firm.total) == (1, 2)
    item = firm.items[0]
    assert item.progress.owner_id == owner.id and item.progress.note == "Done by infra."
    checklist.set_progress(
        advisory,
        _action(advisory, "review-logs"),
        state=NOT_APPLICABLE,
        owner_id=None,
        on_date=None,
        note="No such logs.",
        actor=actor,
    )
    firm = checklist.firm_checklist(advisory, effective(advisory))
    assert (firm.done, firm.total) == (1, 1)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "advisory.action_progress")
    ).all()
    assert len(entries) == 2 and entries[0].actor_id == actor.id


def test_done_needs_a_date_and_vendor_actions_are_not_tracked_by_hand(db_session):
    advisory = make_advisory()
    actor = make_user("manager")
    with pytest.raises(checklist.ChecklistError, match="date"):
        checklist.set_progress(
            advisory,
            _action(advisory, "rotate"),
            state=DONE,
            owner_id=None,
            on_date=None,
            note=None,
            actor=actor,
        )
    with pytest.raises(checklist.ChecklistError):
        checklist.set_progress(
            advisory,
            _action(advisory, "vendors-rotate"),
            state=DONE,
            owner_id=None,
            on_date=datetime.date(2021, 1, 1),
            note=None,
            actor=actor,
        )


def test_the_checklist_page_shows_progress_and_managers_update_it(app, db_session):
    advisory = make_advisory()
    client, user = login(app, "manager")
    response = client.post(
        f"/advisories/{advisory.slug}/actions/rotate",
        data={"state": "done", "owner": str(user.id), "on_date": "2021-01-13", "note": "Rotated."},
    )
    assert response.status_code == 302
    page = client.get(f"/advisories/{advisory.slug}").text
    assert '<strong id="firm-progress">1 of 2 done</strong>' in page
    assert "Rotated." in page
    assert client.get(f"/advisories/{advisory.slug}/actions/vendors-rotate").status_code == 404


def test_a_vendor_confirms_an_action_when_its_linked_answers_score_100(db_session, small_version):
    advisory = make_advisory()
    strong, weak, silent, out = (make_vendor(n) for n in ("Strong", "Weak", "Silent", "Out"))
    campaign = advisory_campaign(small_version, [strong, weak, silent, out], advisory)
    by_vendor = {a.vendor_id: a for a in campaign.assignments}
    submit(by_vendor[strong.id], STRONG)
    submit(by_vendor[weak.id], WEAK_ANSWERS)
    submit(by_vendor[out.id], STRONG)
    exposure.set_exposure(
        advisory, out, RULED_OUT, "Never used the connector.", make_user("manager")
    )
    rows = exposure.vendor_rows(advisory)
    [item] = checklist.vendor_checklist(effective(advisory), rows)
    states = {c.row.vendor.name: c.state for c in item.checks}
    assert states == {
        "Strong": checklist.CONFIRMED,
        "Weak": checklist.NOT_CONFIRMED,
        "Silent": checklist.NO_ANSWER,
    }
    assert (item.confirmed, item.total) == (1, 3)


def test_the_page_says_how_many_vendors_confirmed(app, db_session, small_version):
    advisory = make_advisory()
    vendors = [make_vendor(f"V{i}") for i in range(3)]
    campaign = advisory_campaign(small_version, vendors, advisory)
    submit(campaign.assignments[0], STRONG)
    submit(campaign.assignments[1], STRONG)
    client, _ = login(app, "compliance")
    page = client.get(f"/advisories/{advisory.slug}").text
    assert "2 of 3 confirmed" in page
