"""Answers reused from earlier rounds: offered, confirmed, counted only once confirmed."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.portal.helpers import (
    draft_of,
    n,
    open_portal,
    save,
    section_url,
    submit,
)
from tests.portal.reuse_scene import (
    BASELINE,
    INCIDENT,
    confirm,
    confirm_url,
    offers_of,
    progress_of,
    second_round,
)
from tests.support.factories import approved_version, create_campaign
from vendorrisk.campaigns.models import Evidence, Response, ReusedAnswer
from vendorrisk.extensions import db
from vendorrisk.portal import services


def test_a_second_campaign_pre_fills_exactly_the_matching_questions(first_round, baseline, vendor):
    later = second_round(baseline, vendor)
    offers = offers_of(later)
    # changes_this_year says reusable: false; everything else answered is offered.
    assert set(offers) == {
        "has_plan",
        "plan_reviewed",
        "plan_document",
        "security_owner",
        "notice_hours",
    }
    earlier = first_round.response.latest_submitted
    assert {row.source_revision_id for row in offers.values()} == {earlier.id}
    assert offers["has_plan"].answer["value"] == "yes"
    assert offers["notice_hours"].source_question_id == "notice_hours"
    assert draft_of(later) == {}  # nothing in the draft until confirmed


def test_another_vendor_gets_nothing_from_this_vendors_answers(first_round, baseline):
    from tests.support.factories import make_vendor

    other = make_vendor("Other Vendor Ltd")
    assert offers_of(second_round(baseline, other)) == {}


def test_an_unconfirmed_pre_fill_counts_for_nothing(first_round, baseline, vendor, app):
    later = second_round(baseline, vendor)
    client = app.test_client()
    aid = open_portal(client, later.recipients[0])
    page = client.get(section_url(aid, 0)).text
    assert "From your answer of" in page
    assert re.search(r"Confirm all 3 earlier answers in this section", page)
    progress = progress_of(later)
    assert progress.answered == 0
    template = services.template_of(later)
    gaps = services.gaps(template, services.draft_answers(later.response), {})
    assert {g.question_id for g in gaps} >= {"has_plan", "plan_reviewed", "plan_document"}
    response = submit(client, aid)
    assert response.status_code != 302
    assert "need attention before you can submit" in response.text
    db.session.expire_all()
    assert not later.is_submitted


def test_confirming_one_answer_counts_it_and_only_it(first_round, baseline, vendor, app):
    later = second_round(baseline, vendor)
    client = app.test_client()
    aid = open_portal(client, later.recipients[0])
    response = confirm(client, aid, 0, "has_plan")
    assert response.status_code == 302
    assert set(draft_of(later)) == {"has_plan"}
    assert progress_of(later).answered == 1
    page = client.get(section_url(aid, 0)).text
    assert 'id="reused-has_plan"' not in page
    assert 'id="reused-plan_reviewed"' in page


def test_confirm_all_confirms_every_offer_of_that_section_only(first_round, baseline, vendor, app):
    later = second_round(baseline, vendor)
    client = app.test_client()
    aid = open_portal(client, later.recipients[0])
    assert confirm(client, aid, 1).status_code == 302
    assert set(draft_of(later)) == {"security_owner", "notice_hours"}
    assert progress_of(later).answered == 2
    offers = offers_of(later)
    assert offers["security_owner"].confirmed_at is not None
    assert offers["has_plan"].confirmed_at is None


def test_confirm_needs_the_csrf_token(first_round, baseline, vendor, app):
    later = second_round(baseline, vendor)
    client = app.test_client()
    aid = open_portal(client, later.recipients[0])
    response = client.post(confirm_url(aid, 0), data={}, csrf=False)
    assert response.status_code in (302, 400)
    assert draft_of(later) == {}


def test_another_answer_replaces_the_offer(first_round, baseline, vendor, app):
    later = second_round(baseline, vendor)
    client = app.test_client()
    aid = open_portal(client, later.recipients[0])
    save(client, aid, 0, {n("has_plan"): "no"})
    page = client.get(section_url(aid, 0)).text
    assert 'id="reused-has_plan"' not in page
    assert confirm(client, aid, 0, "has_plan").status_code == 302
    assert draft_of(later)["has_plan"]["value"] == "no"  # the vendor's own answer stays


def test_evidence_is_carried_by_hash_not_copied(first_round, baseline, vendor, app):
    earlier_file = db.session.scalar(
        select(Evidence).where(Evidence.response_id == first_round.response.id)
    )
    before = (earlier_file.id, earlier_file.sha256, earlier_file.first_submitted_revision)
    files_before = db.session.scalar(select(func.count()).select_from(Evidence))
    later = second_round(baseline, vendor)
    client = app.test_client()
    aid = open_portal(client, later.recipients[0])
    page = client.get(section_url(aid, 0)).text
    assert f"SHA-256 {earlier_file.sha256[:12]}" in page
    assert confirm(client, aid, 0).status_code == 302
    assert confirm(client, aid, 1).status_code == 302
    # The browser posts the section as shown: the confirmed answers, and the one typed now.
    shown = {n("security_owner"): "Dana Chief", n("notice_hours"): "24"}
    save(client, aid, 1, {**shown, n("changes_this_year"): "Nothing changed."})
    assert submit(client, aid).status_code == 302
    db.session.expire_all()
    revision = db.session.get(Response, later.response.id).latest_submitted
    assert revision is not None
    assert [(e["id"], e["sha256"]) for e in revision.evidence_index] == [
        (earlier_file.id, earlier_file.sha256)
    ]
    assert revision.answers["plan_document"]["evidence_hashes"] == [earlier_file.sha256]
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == files_before
    again = db.session.get(Evidence, earlier_file.id)
    assert (again.id, again.sha256, again.first_submitted_revision) == before
    assert again.response_id == first_round.response.id


def test_the_reviewer_sees_which_answers_were_confirmed_from_reuse(
    first_round, baseline, vendor, app, auth
):
    later = second_round(baseline, vendor)
    client = app.test_client()
    aid = open_portal(client, later.recipients[0])
    confirm(client, aid, 0)
    confirm(client, aid, 1)
    save(
        client,
        aid,
        1,
        {
            n("security_owner"): "Eve New",
            n("notice_hours"): "24",
            n("changes_this_year"): "Nothing changed.",
        },
    )
    assert submit(client, aid).status_code == 302
    db.session.expire_all()
    revision = db.session.get(Response, later.response.id).latest_submitted
    frozen = {
        row.question_id
        for row in db.session.scalars(
            select(ReusedAnswer).where(ReusedAnswer.revision_id == revision.id)
        )
    }
    # security_owner was changed after confirming: the submitted answer is the vendor's own.
    assert frozen == {"has_plan", "plan_reviewed", "plan_document", "notice_hours"}
    auth.login("manager")
    page = auth.client.get(f"/review/assignments/{later.id}").text
    assert page.count("Confirmed from reuse") == 4


def test_incident_specific_questions_are_never_pre_filled(first_round, vendor):
    incident = approved_version(INCIDENT)
    later = create_campaign(incident, [vendor]).assignments[0]
    offers = offers_of(later)
    # has_plan shares the baseline's id but is about this breach; notify_hours shares a key.
    assert set(offers) == {"notify_hours"}
    assert offers["notify_hours"].source_question_id == "notice_hours"


def test_an_answer_that_no_longer_fits_is_not_offered(first_round, vendor):
    changed = BASELINE.replace(
        "      - id: plan_reviewed\n        type: date",
        "      - id: plan_reviewed\n        type: text",
    )
    assert changed != BASELINE
    later = create_campaign(approved_version(changed), [vendor]).assignments[0]
    assert "plan_reviewed" not in offers_of(later)
    assert "has_plan" in offers_of(later)
