"""During a clarification round the section page marks the questions asked about, with the
reviewer's comment, and shows the others locked; saving keeps the locked answers."""

from __future__ import annotations

from tests.portal.helpers import draft_of, n, open_portal, save, section_url
from vendorrisk.extensions import db
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review import services

QUESTION = "Has the certificate been replaced since?"


def _block(html: str, question_id: str) -> str:
    start = html.index(f'id="question-{question_id}"')
    end = html.find('<div class="vr-question', start + 1)
    return html[start : end if end > 0 else html.index("</section>", start)]


def test_the_questions_asked_about_are_marked_and_the_others_locked(client, submitted):
    reviewer = submitted.campaign.created_by
    template = parsed_version(submitted.campaign.template_version)
    services.request_clarification(submitted, reviewer, {"rotated": QUESTION}, template)
    db.session.flush()
    aid = open_portal(client, submitted.recipients[0])

    page = client.get(section_url(aid, 1)).text
    asked = _block(page, "rotated")
    assert "For review" in asked and f"Our comment: {QUESTION}" in asked
    assert 'aria-describedby="question-rotated-asked"' in asked
    assert "vr-locked" not in asked
    locked = _block(page, "credentials_reset")
    assert '<fieldset class="vr-locked" disabled>' in locked and "not open for change" in locked
    assert "Replacing the certificate</a>" in page  # the notice links to the section

    # The locked inputs are disabled, so nothing is posted for them: their answers stay.
    saved = save(client, aid, 1, {n("rotated"): "yes", n("rotated_on"): "2021-01-15"})
    assert saved.status_code == 302, saved.text[:500]
    draft = draft_of(submitted)
    assert draft["rotated"]["value"] == "yes"
    assert draft["credentials_reset"]["value"] == "some"
