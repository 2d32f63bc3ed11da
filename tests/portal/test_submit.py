"""Submitting: every gap is listed with a link to its section and nothing is submitted until
none is left; the submitted questionnaire is read-only."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.portal.helpers import (
    COMPLETE,
    answer_everything,
    f,
    n,
    open_portal,
    review_version,
    save,
    section_url,
    submit,
)
from vendorrisk.campaigns.models import IN_PROGRESS, Response, Revision
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer, encode_answer


def _revisions() -> int:
    return db.session.scalar(select(func.count()).select_from(Revision))


def _gap_links(html: str) -> dict[str, str]:
    """Return {question id: link} for each gap listed on the review page."""
    return dict(
        (qid, href) for href, qid in re.findall(r'<a href="([^"]+#question-([a-z0-9_]+))"', html)
    )


def test_submitting_with_gaps_lists_each_with_a_link_to_its_section_and_submits_nothing(
    vendor_client, recipient, assignment
):
    aid = open_portal(vendor_client, recipient)
    save(vendor_client, aid, 0, {n("uses_connector"): "yes", n("data_accessed"): "no"})
    save(vendor_client, aid, 1, {n("rotated"): "no", n("credentials_reset"): "all"})
    # An N/A without its reason can only come from an older draft: saving one is refused.
    refused = save(vendor_client, aid, 2, {f("notify_hours").na: "y"})
    assert refused.status_code == 400 and "Say why this question does not apply." in refused.text
    db.session.expire_all()
    response = db.session.get(Response, assignment.response.id)
    response.draft = {**response.draft, "notify_hours": encode_answer(Answer(value=None, na=True))}
    db.session.flush()

    page = vendor_client.get(f"/portal/a/{aid}/submit").text
    assert "3 answers need attention before you can submit" in page
    links = _gap_links(page)
    assert links == {
        "credentials_reset": f"{section_url(aid, 1)}#question-credentials_reset",
        "notify_hours": f"{section_url(aid, 2)}#question-notify_hours",
        "soc2_report": f"{section_url(aid, 2)}#question-soc2_report",
    }
    assert "Attach the evidence asked for, or say why you cannot." in page
    assert "Say why this does not apply." in page
    assert re.search(r'<button class="btn btn-primary" type="submit" disabled>', page)

    posted = vendor_client.post(
        f"/portal/a/{aid}/submit",
        data={"version": review_version(page), "name": "Sam", "title": "CISO", "confirm": "y"},
    )
    assert posted.status_code == 200
    assert "3 answers need attention" in posted.text
    assert _revisions() == 0
    db.session.expire_all()
    assert assignment.response_state == IN_PROGRESS


def test_a_reason_stands_in_for_required_evidence(vendor_client, recipient):
    aid = open_portal(vendor_client, recipient)
    answer_everything(
        vendor_client,
        aid,
        [
            COMPLETE[0],
            {**COMPLETE[1], n("credentials_reset"): "all"},
            COMPLETE[2],
        ],
    )
    gaps = _gap_links(vendor_client.get(f"/portal/a/{aid}/submit").text)
    assert list(gaps) == ["credentials_reset"]
    save(
        vendor_client,
        aid,
        1,
        {
            **COMPLETE[1],
            n("credentials_reset"): "all",
            f("credentials_reset").reason: "The reset log is confidential.",
        },
    )
    assert _gap_links(vendor_client.get(f"/portal/a/{aid}/submit").text) == {}
    assert submit(vendor_client, aid).status_code == 302
    revision = db.session.scalar(select(Revision))
    reason = revision.answers["credentials_reset"]["evidence_reason"]
    assert reason == "The reset log is confidential."


def test_the_attestation_needs_a_name_a_title_and_the_box_ticked(vendor_client, recipient):
    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    page = vendor_client.get(f"/portal/a/{aid}/submit").text
    posted = vendor_client.post(
        f"/portal/a/{aid}/submit",
        data={"version": review_version(page), "name": "Sam Vendor", "title": ""},
    )
    assert posted.status_code == 200
    assert "Tick the box to confirm." in posted.text and 'value="Sam Vendor"' in posted.text
    assert _revisions() == 0


def test_a_submission_based_on_a_stale_review_is_refused_until_checked_again(
    app, vendor_client, recipient
):
    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    stale = review_version(vendor_client.get(f"/portal/a/{aid}/submit").text)
    save(vendor_client, aid, 2, {**COMPLETE[2], n("notify_hours"): "100"})
    posted = vendor_client.post(
        f"/portal/a/{aid}/submit",
        data={"version": stale, "name": "Sam", "title": "CISO", "confirm": "y"},
    )
    assert posted.status_code == 200 and "Someone else saved answers a moment ago" in posted.text
    assert _revisions() == 0
    assert submit(vendor_client, aid).status_code == 302
    assert _revisions() == 1


def test_after_submitting_the_questionnaire_opens_on_the_receipt_and_takes_no_changes(
    vendor_client, recipient
):
    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    assert submit(vendor_client, aid).status_code == 302
    assert vendor_client.get(f"/portal/a/{aid}/").location.endswith(f"/portal/a/{aid}/receipt")
    assert vendor_client.get(f"/portal/a/{aid}/submit").location.endswith("/receipt")
    page = vendor_client.get(section_url(aid, 0)).text
    assert "Save draft" not in page and "Save and continue" not in page
    again = vendor_client.post(
        f"/portal/a/{aid}/submit",
        data={"version": "3", "name": "Sam", "title": "CISO", "confirm": "y"},
    )
    assert again.status_code == 302 and again.location.endswith("/receipt")
    assert _revisions() == 1


def test_an_attestation_posted_without_a_valid_csrf_token_is_shown_again_not_lost(
    vendor_client, recipient
):
    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    page = vendor_client.get(f"/portal/a/{aid}/submit").text
    posted = vendor_client.post(
        f"/portal/a/{aid}/submit",
        data={
            "version": review_version(page),
            "name": "Sam Vendor",
            "title": "Chief Risk Officer",
            "confirm": "y",
        },
        csrf=False,
    )
    assert posted.status_code == 200
    assert "This page was open for a long time" in posted.text
    assert 'value="Sam Vendor"' in posted.text and 'value="Chief Risk Officer"' in posted.text
    assert _revisions() == 0
    assert submit(vendor_client, aid).status_code == 302


def test_a_save_that_lands_while_submitting_makes_the_submission_wait_instead_of_dropping_it(
    vendor_client, recipient, monkeypatch
):
    from sqlalchemy import text

    from vendorrisk.portal import services

    aid = open_portal(vendor_client, recipient)
    answer_everything(vendor_client, aid)
    original = services.score_response

    def racing(*args, **kwargs):
        # A colleague's save commits between the version check and the submission's write.
        with db.session.no_autoflush:
            db.session.execute(text("UPDATE responses SET version = version + 1"))
        monkeypatch.setattr(services, "score_response", original)
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "score_response", racing)
    posted = submit(vendor_client, aid)
    assert posted.status_code == 200
    assert "Someone else saved answers a moment ago" in posted.text
    assert _revisions() == 0
    assert submit(vendor_client, aid).status_code == 302
    assert _revisions() == 1
