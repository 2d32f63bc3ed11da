"""A colleague given sections confirms the earlier answers offered there, as the recipient does,
attributed to them; outside their sections they confirm nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.portal.delegation_helpers import audit_actions, delegate, delegate_recipient
from tests.portal.helpers import draft_of, n, open_portal, save, section_url, submit
from tests.portal.reuse_scene import confirm, confirm_url, offers_of, progress_of, second_round
from vendorrisk.campaigns.models import Response, ReusedAnswer
from vendorrisk.extensions import db
from vendorrisk.portal.delegation_models import AnswerAuthor, RevisionAuthor

# The baseline: 0 "Policies" (has_plan, plan_reviewed, plan_document offered), 1 "People and
# changes" (security_owner and notice_hours offered; changes_this_year is never reused).
POLICIES, PEOPLE = 0, 1


@pytest.fixture
def later(first_round, baseline, vendor):
    """A second baseline campaign to the vendor, with five earlier answers offered."""
    return second_round(baseline, vendor)


@pytest.fixture
def asker(app, later):
    """The browser of the person the second questionnaire was sent to."""
    client = app.test_client()
    open_portal(client, later.recipients[0])
    return client


@pytest.fixture
def colleague(app, later, asker):
    """The browser of a colleague given "People and changes" only."""
    assert delegate(asker, later.id, ["people"]).status_code == 302
    client = app.test_client()
    open_portal(client, delegate_recipient())
    return client


def _confirmed(assignment) -> dict[str, int | None]:
    rows = offers_of(assignment).items()
    return {qid: row.confirmed_by_recipient_id for qid, row in rows if row.confirmed_at}


def test_a_delegate_sees_their_sections_offers_and_opening_them_changes_nothing(later, colleague):
    page = colleague.get(section_url(later.id, PEOPLE)).text
    assert 'id="reused-security_owner"' in page and 'id="reused-notice_hours"' in page
    assert "Confirm all 2 earlier answers in this section" in page
    assert confirm_url(later.id, PEOPLE) in page
    assert colleague.get(confirm_url(later.id, PEOPLE)).status_code == 405
    assert _confirmed(later) == {} and draft_of(later) in (None, {})
    yours = colleague.get(f"/portal/a/{later.id}/yours").text
    row = re.search(r"People and changes</td>.*?</tr>", yours, re.S).group(0)
    assert "0 of 3" in row and "<td>2</td>" in row


def test_a_delegate_confirms_one_offer_attributed_to_them(later, colleague):
    person = delegate_recipient()
    response = confirm(colleague, later.id, PEOPLE, "security_owner")
    assert response.status_code == 302
    assert response.location.endswith(f"/portal/a/{later.id}/s/{PEOPLE}#question-security_owner")
    assert _confirmed(later) == {"security_owner": person.id}
    assert offers_of(later)["security_owner"].confirmed_via == "portal"
    assert draft_of(later)["security_owner"]["value"] == "Dana Chief"
    entry = audit_actions("response.reuse_confirmed")[-1]
    assert entry.actor_type == "vendor" and entry.actor_ref == f"recipient:{person.id}"
    assert entry.details == {"questions": ["security_owner"], "via": "portal"}
    author = db.session.scalar(
        select(AnswerAuthor).where(
            AnswerAuthor.response_id == later.response.id,
            AnswerAuthor.question_id == "security_owner",
        )
    )
    assert author.recipient_id == person.id
    assert progress_of(later).answered == 1


def test_a_delegate_confirms_all_of_a_section_and_the_recipient_sees_it_counted(
    later, colleague, asker
):
    person = delegate_recipient()
    assert confirm(colleague, later.id, PEOPLE).status_code == 302
    assert _confirmed(later) == {"security_owner": person.id, "notice_hours": person.id}
    page = asker.get(f"/portal/a/{later.id}/delegates").text
    people = re.search(r"People and changes</a>.*?</tr>", page, re.S).group(0)
    assert "2 of 3" in people and "<td>none</td>" in people and "Dana Delegate" in people
    policies = re.search(r"Policies</a>.*?</tr>", page, re.S).group(0)
    assert "0 of 3" in policies and "<td>3</td>" in policies


def test_outside_their_sections_a_delegate_confirms_nothing(later, colleague):
    # Another section's confirm, and a question of another section through their own: 404.
    assert confirm(colleague, later.id, POLICIES).status_code == 404
    assert confirm(colleague, later.id, POLICIES, "has_plan").status_code == 404
    assert confirm(colleague, later.id, PEOPLE, "has_plan").status_code == 404
    assert confirm(colleague, later.id, 9).status_code == 404
    assert _confirmed(later) == {}
    assert draft_of(later) in (None, {})
    assert audit_actions("response.reuse_confirmed") == []


def test_a_revoked_delegate_confirms_nothing(later, colleague, asker):
    from tests.portal.delegation_helpers import latest_delegation

    row = latest_delegation()
    assert asker.post(f"/portal/a/{later.id}/delegates/{row.id}/revoke", data={}).status_code == 302
    assert confirm(colleague, later.id, PEOPLE).status_code == 404
    assert _confirmed(later) == {}


def test_the_submitted_revision_names_the_delegate_who_confirmed(
    later, colleague, asker, auth, client
):
    person, recipient = delegate_recipient(), later.recipients[0]
    assert confirm(colleague, later.id, PEOPLE).status_code == 302
    assert confirm(asker, later.id, POLICIES).status_code == 302
    save(
        colleague,
        later.id,
        PEOPLE,
        {
            n("security_owner"): "Dana Chief",
            n("notice_hours"): "24",
            n("changes_this_year"): "Nothing changed.",
        },
    )
    assert submit(asker, later.id).status_code == 302
    db.session.expire_all()
    revision = db.session.get(Response, later.response.id).latest_submitted
    frozen = {
        row.question_id: row.confirmed_by_recipient_id
        for row in db.session.scalars(
            select(ReusedAnswer).where(ReusedAnswer.revision_id == revision.id)
        )
    }
    assert frozen == {
        "security_owner": person.id,
        "notice_hours": person.id,
        "has_plan": recipient.id,
        "plan_reviewed": recipient.id,
        "plan_document": recipient.id,
    }
    authors = {
        row.question_id: row.recipient_id
        for row in db.session.scalars(
            select(RevisionAuthor).where(RevisionAuthor.revision_id == revision.id)
        )
    }
    assert authors["notice_hours"] == person.id and authors["has_plan"] == recipient.id
    auth.login("manager")
    review = client.get(f"/review/assignments/{later.id}").text
    assert review.count("(Dana Delegate)") == 2
