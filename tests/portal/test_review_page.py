"""The review-and-submit page lists every shown answer; progress counts what is shown; a
submitted questionnaire offers nothing to edit; a bad link says what to do."""

from __future__ import annotations

import re
import secrets

from tests.portal.helpers import answer_everything, n, save, section_url, submit


def _progress(html: str) -> tuple[int, int]:
    match = re.search(r"<strong>(\d+) of (\d+)</strong>", html) or re.search(
        r"(\d+) of (\d+) questions? answered", html
    )
    assert match, "no progress count on the page"
    return int(match.group(1)), int(match.group(2))


def test_the_review_page_lists_every_shown_answer_by_section_and_links_the_unanswered(
    vendor_client, aid
):
    save(vendor_client, aid, 0, {n("uses_connector"): "no", n("data_accessed"): "no"})
    page = vendor_client.get(f"/portal/a/{aid}/submit").text
    # "Replacing the certificate" is hidden by "no": the next shown section is numbered 2.
    assert "1. Exposure" in page and "2. Your response plan" in page
    assert "Replacing the certificate" not in page
    answers = re.findall(r'<div class="portal-answer" id="answer-([a-z_]+)">', page)
    assert answers == ["uses_connector", "data_accessed", "notify_hours", "notes"]
    unanswered = re.findall(r'class="portal-unanswered" href="([^"]+)"', page)
    assert f"{section_url(aid, 2)}#question-notify_hours" in unanswered
    assert f"{section_url(aid, 2)}#question-uses_connector" not in unanswered


def test_the_section_page_and_the_review_page_give_the_same_count_of_shown_questions(
    vendor_client, aid
):
    first = _progress(vendor_client.get(section_url(aid, 0)).text)
    save(vendor_client, aid, 0, {n("uses_connector"): "yes", n("data_accessed"): "no"})
    section = _progress(vendor_client.get(section_url(aid, 1)).text)
    review = _progress(vendor_client.get(f"/portal/a/{aid}/submit").text)
    assert section == review
    assert section[0] == 2 and section[1] > first[1]  # the rotation questions are shown now
    assert "More may appear as you answer." in vendor_client.get(section_url(aid, 0)).text


def test_a_submitted_questionnaire_shows_every_question_locked_with_no_file_input(
    vendor_client, aid
):
    answer_everything(vendor_client, aid)
    assert submit(vendor_client, aid).status_code == 302
    for index in range(3):
        page = vendor_client.get(section_url(aid, index)).text
        assert 'type="file"' not in page, index
        assert "can no longer be changed" in page


def test_a_bad_link_is_a_404_that_says_whom_to_ask_for_a_new_one(client):
    response = client.get(f"/p/{secrets.token_urlsafe(32)}")
    assert response.status_code == 404
    assert "ask the person who sent you the questionnaire for a new link" in response.text
