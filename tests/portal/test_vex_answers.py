"""A vendor's VEX statement answers the exposure questions of a campaign sent for the advisory:
the exposure state comes from it, the vendor sees the answer filled in (and may change it), and
the reviewer sees which submitted answers came from VEX, with the justification."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.advisories.conftest import login
from tests.intake.helpers import CSAF, VEX_CSAF, loaded
from tests.portal.helpers import draft_of, n, open_portal, save, submit
from tests.portal.vex_scene import exposure_campaign, hand_in, vex_saying
from vendorrisk.advisories import exposure
from vendorrisk.extensions import db
from vendorrisk.intake.csaf_import import import_csaf
from vendorrisk.intake.models import VexAnswer
from vendorrisk.intake.vex import upload_vex
from vendorrisk.portal.vex_answers import exposure_answer
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.schema import Question

NOTE = "answered by your VEX statement of"


@pytest.fixture
def advisory(db_session):
    return import_csaf(loaded(CSAF)).advisory


@pytest.fixture
def sent(vendor, advisory):
    """The exposure questionnaire's assignment (not yet opened by the vendor)."""
    return exposure_campaign(vendor, advisory).assignments[0]


@pytest.fixture
def vaid(vendor_client, sent):
    return open_portal(vendor_client, sent.recipients[0])


def value_of(assignment, qid: str):
    answer = draft_of(assignment).get(qid)
    return answer and answer["value"]


def test_the_exposure_result_comes_from_the_vendors_portal_vex(
    vendor_client, vaid, vendor, advisory
):
    raw = vex_saying("not_affected", "code_not_reachable")
    assert hand_in(vendor_client, vaid, "vex", raw, "vex.json").status_code == 302
    [row] = [r for r in exposure.vendor_rows(advisory) if r.vendor.id == vendor.id]
    assert (row.result.outcome, row.result.rule_label) == ("not_affected", "VEX")
    assert row.result.justification == "code_not_reachable"
    assert row.state == "ruled_out" and row.how == "vex"


def test_not_affected_answers_the_exposure_question_and_the_vendor_sees_it(
    vendor_client, vaid, sent
):
    raw = vex_saying("not_affected", "code_not_reachable")
    hand_in(vendor_client, vaid, "vex", raw, "vex.json")
    assert value_of(sent, "runs_widget") == "no"
    page = vendor_client.get(f"/portal/a/{vaid}/s/0").text
    assert NOTE in page and "code_not_reachable" in page and "You can still change it" in page
    [chosen] = [t for t in re.findall(r"<input[^>]*>", page) if " checked" in t]
    assert f'name="{n("runs_widget")}"' in chosen and 'value="no"' in chosen
    files = vendor_client.get(f"/portal/a/{vaid}/files").text
    assert NOTE in files and "See or change it" in files


def test_affected_answers_yes_but_leaves_the_choice_of_several_to_the_vendor(
    vendor_client, vaid, sent
):
    hand_in(vendor_client, vaid, "vex", vex_saying("exploitable"), "vex.json")
    assert value_of(sent, "runs_widget") == "yes"
    assert value_of(sent, "where") is None  # two options say exposed: the vendor says which


def test_a_csaf_vex_saying_affected_answers_yes(vendor_client, vaid, sent):
    hand_in(vendor_client, vaid, "vex", VEX_CSAF.read_bytes(), "northwind.json")
    assert value_of(sent, "runs_widget") == "yes"


def test_under_investigation_answers_nothing(vendor_client, vaid, sent):
    hand_in(vendor_client, vaid, "vex", vex_saying("in_triage"), "vex.json")
    assert value_of(sent, "runs_widget") is None
    assert NOTE not in vendor_client.get(f"/portal/a/{vaid}/s/0").text


def test_the_vendors_own_answer_is_never_overwritten(vendor_client, vaid, sent):
    assert save(vendor_client, vaid, 0, {n("runs_widget"): "yes"}).status_code == 302
    hand_in(vendor_client, vaid, "vex", vex_saying("not_affected"), "vex.json")
    assert value_of(sent, "runs_widget") == "yes"
    assert NOTE not in vendor_client.get(f"/portal/a/{vaid}/s/0").text


def test_a_changed_answer_is_the_vendors_and_a_later_statement_leaves_it(vendor_client, vaid, sent):
    hand_in(vendor_client, vaid, "vex", vex_saying("not_affected"), "vex.json")
    save(vendor_client, vaid, 0, {n("runs_widget"): "yes", n("where"): "cloud"})
    assert NOTE not in vendor_client.get(f"/portal/a/{vaid}/s/0").text
    hand_in(vendor_client, vaid, "vex", vex_saying("resolved"), "vex2.json")
    assert value_of(sent, "runs_widget") == "yes"


def test_a_newer_statement_refreshes_an_answer_still_as_filled_in(vendor_client, vaid, sent):
    hand_in(vendor_client, vaid, "vex", vex_saying("not_affected"), "vex.json")
    hand_in(vendor_client, vaid, "vex", vex_saying("exploitable"), "vex2.json")
    assert value_of(sent, "runs_widget") == "yes"
    hand_in(vendor_client, vaid, "vex", vex_saying("in_triage"), "vex3.json")
    assert value_of(sent, "runs_widget") is None  # not sure never means not exposed


def test_a_vex_filed_before_the_vendor_opens_the_link_answers_on_continue(
    vendor_client, vendor, sent
):
    upload_vex(vendor, loaded(VEX_CSAF), None)
    assert value_of(sent, "runs_widget") is None  # GET of the link changes nothing
    open_portal(vendor_client, sent.recipients[0])
    assert value_of(sent, "runs_widget") == "yes"


def test_a_staff_upload_answers_the_open_questionnaire(app, vendor, sent):
    client, _ = login(app, "manager")
    with VEX_CSAF.open("rb") as handle:
        client.post(
            f"/vendors/{vendor.id}/vex",
            data={"vex-file": (handle, "northwind-vex.json")},
            content_type="multipart/form-data",
        )
    assert value_of(sent, "runs_widget") == "yes"


def finish(client, aid):
    save(client, aid, 1, {n("lead"): "yes", n("patched"): "yes"})
    answer = submit(client, aid)
    assert answer.status_code == 302, answer.text[:1000]


def test_the_reviewer_sees_which_submitted_answers_came_from_vex(app, vendor_client, vaid, sent):
    hand_in(vendor_client, vaid, "vex", vex_saying("not_affected", "code_not_reachable"), "v.json")
    finish(vendor_client, vaid)
    db.session.expire_all()
    revision = sent.response.latest_submitted
    assert revision.answers["runs_widget"]["value"] == "no" and revision.not_exposed
    [frozen] = db.session.scalars(select(VexAnswer).where(VexAnswer.revision_id == revision.id))
    assert frozen.question_id == "runs_widget" and frozen.justification == "code_not_reachable"
    reviewer, _ = login(app, "manager")
    page = reviewer.get(f"/review/assignments/{sent.id}").text
    assert "From VEX" in page and "code_not_reachable" in page and "v.json" in page


def test_an_answer_the_vendor_changed_is_not_shown_as_from_vex(app, vendor_client, vaid, sent):
    hand_in(vendor_client, vaid, "vex", vex_saying("exploitable"), "v.json")
    save(vendor_client, vaid, 0, {n("runs_widget"): "no"})
    finish(vendor_client, vaid)
    db.session.expire_all()
    revision = sent.response.latest_submitted
    assert not db.session.scalars(
        select(VexAnswer).where(VexAnswer.revision_id == revision.id)
    ).all()
    reviewer, _ = login(app, "manager")
    assert "From VEX" not in reviewer.get(f"/review/assignments/{sent.id}").text


def question(**options) -> Question:
    return Question.model_validate(
        {
            "id": "q",
            "type": "multi_choice",
            "text": "Which?",
            "weight": 0,
            "options": [{"value": k, "label": k, **flags} for k, flags in options.items()],
        }
    )


def test_only_an_option_flagged_alone_for_the_outcome_is_chosen():
    q = question(a={"exposed": True}, none={"not_exposed": True, "exclusive": True}, unsure={})
    assert exposure_answer(q, "not_affected") == Answer(value=["none"])
    assert exposure_answer(q, "affected") == Answer(value=["a"])
    assert exposure_answer(q, "unknown") is None
    two = question(a={"exposed": True}, b={"exposed": True})
    assert exposure_answer(two, "affected") is None


def test_the_section_page_reads_vex_answers_without_extra_queries(app, vendor_client, vaid):
    from tests.portal.test_section_page import _queries

    before = _queries(app, vendor_client, f"/portal/a/{vaid}/s/0")
    hand_in(vendor_client, vaid, "vex", vex_saying("not_affected"), "vex.json")
    hand_in(vendor_client, vaid, "vex", vex_saying("resolved"), "vex2.json")
    assert NOTE in vendor_client.get(f"/portal/a/{vaid}/s/0").text
    assert _queries(app, vendor_client, f"/portal/a/{vaid}/s/0") == before
