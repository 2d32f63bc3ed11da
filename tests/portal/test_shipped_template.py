"""The shipped Mimecast questionnaire, answered over HTTP section by section, is submitted and
scored exactly as the scoring engine scores the same answers."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sqlalchemy import select

from tests.portal.helpers import f, n, open_portal, save, submit
from tests.support.factories import create_campaign, shipped_version
from vendorrisk.campaigns.models import Revision
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import Answer, decode_answer
from vendorrisk.questionnaires.conditions import visible_questions
from vendorrisk.questionnaires.formfactory import evidence_required_for
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.scoring import score_response

REASON = "Shared with the review team on request."


def _pick(question) -> tuple[Answer, dict]:
    """Choose a plausible answer to a question and the form fields that give it."""
    names = f(question.id)
    fields: dict = {}
    if question.type in ("yes_no", "single_choice"):
        value = question.options[0].value
        fields[names.value] = value
    elif question.type == "multi_choice":
        value = [question.options[0].value]
        fields[names.value] = value
    elif question.type == "date":
        value = datetime.date(2021, 1, 20)
        fields[names.value] = value.isoformat()
    elif question.type == "number":
        value = Decimal("12")
        fields[names.value] = "12"
    elif question.type in ("text", "long_text"):
        value = "Answered in the test."
        fields[names.value] = value
    else:
        value = None
    answer = Answer(value=value)
    if question.type == "evidence" or evidence_required_for(question, answer):
        fields[names.reason] = REASON
        answer = Answer(value=value, evidence_reason=REASON)
    return answer, fields


def test_the_shipped_mimecast_questionnaire_can_be_answered_submitted_and_scored(
    vendor_client, vendor
):
    version = shipped_version()
    template = parsed_version(version)
    campaign = create_campaign(version, [vendor])
    recipient = campaign.assignments[0].recipients[0]
    aid = open_portal(vendor_client, recipient)

    answers: dict[str, Answer] = {}
    posted: dict[str, dict] = {}
    while True:
        todo = [
            q
            for q in visible_questions(template, answers)
            if q.id not in answers and (q.required or q.type != "evidence")
        ]
        if not todo:
            break
        for question in todo:
            answers[question.id], posted[question.id] = _pick(question)
    assert len(answers) > 20

    for index, section in enumerate(template.sections):
        data = {}
        for question in section.questions:
            data.update(posted.get(question.id, {}))
        if data:
            response = save(vendor_client, aid, index, data)
            assert response.status_code == 302, (section.id, response.text[:3000])

    review = vendor_client.get(f"/portal/a/{aid}/submit").text
    assert "attention before you can submit" not in review, review
    assert submit(vendor_client, aid).status_code == 302

    revision = db.session.scalar(select(Revision))
    stored = {qid: decode_answer(a) for qid, a in revision.answers.items()}
    assert set(stored) == set(answers)
    references = {k: datetime.date.fromisoformat(v) for k, v in campaign.reference_dates.items()}
    assert references["compromise_date"] == datetime.date(2021, 1, 12)
    assert revision.score == score_response(template, stored, references).to_dict()
    assert revision.score["overall"] is not None
    assert vendor_client.get(f"/portal/a/{aid}/receipt").status_code == 200
    assert n("mimecast_customer") in vendor_client.get(f"/portal/a/{aid}/s/0").text
