"""Re-asking what changed: after an update marks questions as affected, "Ask again" opens a new
revision in which only those questions can change, and e-mails each vendor its link."""

from sqlalchemy import select

from tests.advisories.conftest import login
from tests.advisories.helpers import SMALL, add_update, advisory_campaign, make_advisory
from tests.conftest import links_in
from tests.portal.helpers import save
from tests.portal.helpers import submit as portal_submit
from tests.review.conftest import WEAK_ANSWERS, submit
from tests.support.factories import make_vendor
from tests.support.smtp import SMTPServer
from vendorrisk.advisories import followup
from vendorrisk.advisories.exposure import advisory_assignments
from vendorrisk.advisories.models import Reask
from vendorrisk.extensions import db
from vendorrisk.mail import services as outbox


def test_ask_again_end_to_end_over_smtp(app, db_session, small_version, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    monkeypatch.setattr(app.extensions["mail"], "port", smtp_server.port)
    advisory = make_advisory()
    vendor = make_vendor("Answered Early Ltd")
    campaign = advisory_campaign(small_version, [vendor], advisory)
    assignment = campaign.assignments[0]
    first = submit(assignment, WEAK_ANSWERS)
    first_hash, first_answers = first.attestation_hash, dict(first.answers)
    outbox.send_pending()  # the invitation and submission notices, out of the way

    manager, _ = login(app, "manager")
    added = manager.post(
        f"/advisories/{advisory.slug}/updates/new",
        data={
            "date": "2021-01-20",
            "title": "Replacement certificate was also exposed",
            "body": "Rotate **again**.",
            "affected_questions": [f"{SMALL}/rotated", f"{SMALL}/rotated_on"],
        },
    )
    assert added.status_code == 302, added.text[:1000]
    page = manager.get(f"/advisories/{advisory.slug}").text
    assert "1 vendor answered before this update" in page and "Answered Early Ltd" in page

    asked = manager.post(f"/advisories/{advisory.slug}/updates/1/ask-again", data={})
    assert asked.status_code == 302
    reask = db.session.scalar(select(Reask))
    assert reask.assignment_id == assignment.id
    assert reask.question_ids == ["rotated", "rotated_on"]
    db.session.expire_all()
    revisions = assignment.response.revisions
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].kind == "follow_up"
    assert revisions[1].reason == "Replacement certificate was also exposed"
    assert revisions[1].editable_questions == ["rotated", "rotated_on"]

    outbox.send_pending()
    message = smtp_server.wait_for(lambda m: "Please review your answers" in m["Subject"])
    body = SMTPServer.text_of(message)
    assert "Replacement certificate was also exposed" in body
    assert "Have you replaced the compromised certificate?" in body
    assert "Reset every credential" not in body  # nothing internal
    link = next(u for u in links_in(body) if "/p/" in u)

    vendor_client = app.test_client()
    path = "/" + link.split("/", 3)[3]
    assert vendor_client.get(path).status_code == 200
    vendor_client.post(path, data={})
    # Only the affected answers can change: the changed credentials answer is ignored.
    saved = save(
        vendor_client,
        assignment.id,
        1,
        {"a-rotated": "yes", "a-rotated_on": "2021-01-21", "a-credentials_reset": "none"},
    )
    assert saved.status_code == 302, saved.text[:500]
    done = portal_submit(vendor_client, assignment.id)
    assert done.status_code == 302, done.text[:500]

    db.session.expire_all()
    revisions = assignment.response.revisions
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[0].attestation_hash == first_hash and revisions[0].answers == first_answers
    assert revisions[1].submitted_at is not None
    assert revisions[1].answers["rotated"]["value"] == "yes"
    assert revisions[1].answers["rotated_on"]["value"] == {"date": "2021-01-21"}
    assert revisions[1].answers["credentials_reset"] == first_answers["credentials_reset"]
    assert revisions[1].attestation_hash != first_hash

    page = manager.get(f"/advisories/{advisory.slug}").text
    assert "answered before this update" not in page
    assert "Asked again: Answered Early Ltd" in page


def test_only_vendors_that_answered_before_the_update_are_asked(db_session, small_version):
    from tests.conftest import make_user

    advisory = make_advisory()
    early, late, silent = make_vendor("Early"), make_vendor("Late"), make_vendor("Silent")
    campaign = advisory_campaign(small_version, [early, late, silent], advisory)
    by_vendor = {a.vendor_id: a for a in campaign.assignments}
    submit(by_vendor[early.id], WEAK_ANSWERS)
    update = add_update(advisory, affected_questions=[f"{SMALL}/rotated"])
    submit(by_vendor[late.id], WEAK_ANSWERS)
    pending = followup.answered_before(update, advisory_assignments(advisory))
    assert [(p.assignment.vendor_id, p.question_ids) for p in pending] == [(early.id, ("rotated",))]
    actor = make_user("manager")
    followup.ask_again(advisory, update, advisory_assignments(advisory), actor)
    assert (
        followup.answered_before(
            update, advisory_assignments(advisory), followup.reasks([update])[update.id]
        )
        == []
    )
    import pytest

    with pytest.raises(followup.FollowUpError):
        followup.ask_again(advisory, update, advisory_assignments(advisory), actor)


def test_an_update_without_affected_questions_asks_nobody(db_session, small_version):
    from tests.conftest import make_user

    advisory = make_advisory()
    campaign = advisory_campaign(small_version, [make_vendor()], advisory)
    submit(campaign.assignments[0], WEAK_ANSWERS)
    update = add_update(advisory)
    assert followup.answered_before(update, advisory_assignments(advisory)) == []
    import pytest

    with pytest.raises(followup.FollowUpError, match="marks no question"):
        followup.ask_again(advisory, update, advisory_assignments(advisory), make_user("manager"))
