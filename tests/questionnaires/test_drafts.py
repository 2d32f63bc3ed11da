"""Template drafts: each edit operation, invalid edits kept with their messages, conflicts
between two managers, and submission through the upload's four-eyes path."""

from __future__ import annotations

import pytest
from helpers_app import SHIPPED, store_version
from helpers_questionnaires import template

from tests.conftest import make_user
from vendorrisk.questionnaires import draft_edits, drafts, services
from vendorrisk.questionnaires.models import PENDING, TemplateDraft


@pytest.fixture
def manager(db_session):
    return make_user("manager")


@pytest.fixture
def draft(manager) -> TemplateDraft:
    return drafts.create_empty("acme-breach-2026", "Acme breach", "incident", manager)


def _edit(draft, manager, op, **form):
    return drafts.apply_edit(draft, draft.lock_version, op, form, manager)


def _ids(draft) -> list[str]:
    return [q.id for q in drafts.parsed_draft(draft).questions()]


def test_an_empty_incident_draft_is_valid_at_once(draft):
    assert draft.valid, draft.messages
    assert _ids(draft) == ["q1", "q2"]
    assert draft.slug == "acme-breach-2026" and draft.lock_version == 1


def test_a_draft_needs_a_slug_and_a_title(manager):
    with pytest.raises(draft_edits.EditRefused) as exc:
        drafts.create_empty("Bad Slug", "", "incident", manager)
    assert set(exc.value.errors) == {"slug", "title"}


def test_clone_and_edit_starts_from_a_versions_yaml(manager):
    version = store_version(template())
    cloned = drafts.create_from_version(version, manager)
    assert cloned.yaml_text == version.yaml_text and cloned.source_version_id == version.id
    assert cloned.valid


def test_a_draft_from_invalid_text_is_kept_with_its_messages(manager):
    kept = drafts.create_from_text("id: x\nkind: nonsense\n", manager)
    assert kept.id is not None and not kept.valid
    assert any("kind" in m.reason or "sections" in m.reason for m in drafts.messages_of(kept))


def test_moving_a_question_down_and_a_section(draft, manager):
    _edit(draft, manager, "move_question", question="q1", direction="down")
    assert _ids(draft) == ["q2", "q1"]
    _edit(draft, manager, "move_section", section="response", direction="up")
    assert _ids(draft) == ["q2", "q1"]  # already first: nothing moves


def test_reordering_a_section_by_the_whole_order(draft, manager):
    _edit(draft, manager, "reorder", section="response", order="q2, q1")
    assert _ids(draft) == ["q2", "q1"]
    with pytest.raises(draft_edits.EditRefused):
        _edit(draft, manager, "reorder", section="response", order="q2")


def test_adding_a_question_of_a_built_in_type(draft, manager):
    _edit(
        draft, manager, "add_question", section="response", type="date", new_id="when", text="When?"
    )
    assert draft.valid, draft.messages
    assert drafts.parsed_draft(draft).question("when").type == "date"
    with pytest.raises(draft_edits.EditRefused) as exc:
        _edit(draft, manager, "add_question", section="response", type="date", new_id="Bad")
    assert set(exc.value.errors) == {"new_id", "text"}


def test_adding_and_deleting_a_question(draft, manager):
    _edit(
        draft,
        manager,
        "add_question",
        section="response",
        type="yes_no",
        new_id="q3",
        text="C?",
        finding_title="C not done",
    )
    assert _ids(draft) == ["q1", "q2", "q3"] and draft.valid
    assert drafts.parsed_draft(draft).question("q3").finding_title == "C not done"
    _edit(draft, manager, "delete_question", question="q3")
    assert _ids(draft) == ["q1", "q2"]


def test_a_new_scored_question_asks_for_its_finding_title_and_an_unscored_one_does_not(
    draft, manager
):
    for kind in draft_edits.SCORED_KINDS:
        with pytest.raises(draft_edits.EditRefused) as exc:
            _edit(
                draft,
                manager,
                "add_question",
                section="response",
                type=kind,
                new_id="q3",
                text="C?",
            )
        assert set(exc.value.errors) == {"finding_title"}
        assert "finding title" in exc.value.errors["finding_title"]
    with pytest.raises(draft_edits.EditRefused) as exc:
        _edit(
            draft,
            manager,
            "add_question",
            section="response",
            type="yes_no",
            new_id="q3",
            text="C?",
            finding_title="x" * 81,
        )
    assert "80 characters" in exc.value.errors["finding_title"]
    assert _ids(draft) == ["q1", "q2"]  # nothing was saved
    _edit(draft, manager, "add_question", section="response", type="text", new_id="q3", text="C?")
    assert draft.valid, draft.messages
    assert drafts.parsed_draft(draft).question("q3").finding_title is None


def test_a_scored_question_without_a_finding_title_is_kept_with_the_message_on_that_field(
    draft, manager
):
    messages = _edit(draft, manager, "edit_question", question="q2", finding_title="")
    assert not draft.valid and "finding_title" not in draft.yaml_text.split("id: q2", 1)[1]
    assert [(m.question_id, m.field) for m in messages] == [("q2", "finding_title")]
    assert messages[0].reason.startswith("a scored question needs a finding_title")
    assert messages[0].line is not None
    _edit(draft, manager, "edit_question", question="q2", finding_title="Keys not rotated")
    assert draft.valid, draft.messages


def test_editing_a_questions_text_weight_options_and_flags(draft, manager):
    _edit(
        draft,
        manager,
        "edit_question",
        question="q2",
        text="Rotated keys?",
        help="Every key the product held.",
        weight="3",
        critical="y",
        finding_title="Keys not rotated",
        remediation="Rotate them.",
        category="certificate_rotation",
        options="yes | Yes, all | 100\nno | No | 0\nunsure | Not sure | 0",
    )
    assert draft.valid, draft.messages
    q = drafts.parsed_draft(draft).question("q2")
    assert (q.text, q.help, q.weight, q.critical) == (
        "Rotated keys?",
        "Every key the product held.",
        3,
        True,
    )
    assert (q.finding_title, q.remediation) == ("Keys not rotated", "Rotate them.")
    assert q.option("yes").label == "Yes, all"


def test_setting_and_clearing_a_condition_through_pick_lists(draft, manager):
    _edit(draft, manager, "set_show_if", question="q2", when="q1", operator="in", values="yes")
    cond = drafts.parsed_draft(draft).question("q2").show_if
    assert (cond.question, cond.values) == ("q1", ("yes",))
    _edit(draft, manager, "set_show_if", question="q2", when="q1", operator="not_in", values="no")
    assert draft_edits.show_if_of(drafts.draft_data(draft)["sections"][0]["questions"][1]) == (
        "not_in",
        "q1",
        ["no"],
    )
    _edit(draft, manager, "set_show_if", question="q2", operator="always")
    assert drafts.parsed_draft(draft).question("q2").show_if is None


def test_an_invalid_edit_is_saved_with_its_message_beside_the_question(draft, manager):
    messages = _edit(draft, manager, "edit_question", question="q2", weight="lots")
    assert not draft.valid and "weight: lots" in draft.yaml_text
    assert [m.question_id for m in messages] == ["q2"]
    assert "q2" in drafts.messages_by_question(draft)
    # A condition naming a later question is refused by the validator, and still kept.
    _edit(draft, manager, "edit_question", question="q2", weight="1")
    _edit(draft, manager, "set_show_if", question="q1", when="q2", operator="in", values="yes")
    assert "later question" in " ".join(m.reason for m in drafts.messages_of(draft))
    assert "show_if" in draft.yaml_text


def test_a_stale_editor_gets_a_conflict_not_an_overwrite(draft, manager):
    other = make_user("manager")
    seen = draft.lock_version
    drafts.apply_edit(draft, seen, "edit_question", {"question": "q1", "text": "Mine?"}, other)
    with pytest.raises(drafts.DraftConflict):
        drafts.apply_edit(
            draft, seen, "edit_question", {"question": "q1", "text": "Yours?"}, manager
        )
    assert drafts.parsed_draft(draft).question("q1").text == "Mine?"


def test_editing_the_yaml_text_directly(draft, manager):
    _edit(draft, manager, "edit_yaml", yaml_text="id: [\n")
    assert not draft.valid and draft.yaml_text == "id: [\n"
    with pytest.raises(draft_edits.EditRefused):
        _edit(draft, manager, "move_question", question="q1", direction="down")


def test_submitting_makes_a_pending_version_a_second_manager_approves(draft, manager):
    version = drafts.submit(draft, draft.lock_version, manager)
    assert version.status == PENDING and draft.submitted_version_id == version.id
    with pytest.raises(services.DecisionRefused):
        services.approve(version, manager)
    services.approve(version, make_user("manager"))
    assert version.template.slug == "acme-breach-2026"


def test_an_invalid_draft_cannot_be_submitted(draft, manager):
    _edit(draft, manager, "edit_question", question="q2", weight="lots")
    with pytest.raises(services.UploadRejected):
        drafts.submit(draft, draft.lock_version, manager)


def test_every_shipped_template_round_trips_through_an_edit(manager):
    """Writing a template back as YAML loses nothing the validator or scoring reads."""
    for path in sorted(SHIPPED.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        cloned = drafts.create_from_text(text, manager)
        first = drafts.parsed_draft(cloned).questions()[0].id
        _edit(cloned, manager, "move_question", question=first, direction="up")
        assert cloned.valid, (path.name, cloned.messages)
        original = services.check_source(text, path.name).template
        assert drafts.parsed_draft(cloned) == original, path.name


def test_adding_a_block_of_the_question_bank(draft, manager):
    """A bank block arrives as a section with its category; unfilled parameters show their
    label in brackets, and a second copy of the block is refused."""
    _edit(draft, manager, "add_block", block="suppliers_checked")
    data = drafts.draft_data(draft)
    section = data["sections"][-1]
    assert section["id"] == "suppliers_checked" and section["questions"]
    assert "{" not in drafts.dump(section)
    with pytest.raises(draft_edits.EditRefused):
        _edit(draft, manager, "add_block", block="suppliers_checked")
    with pytest.raises(draft_edits.EditRefused):
        _edit(draft, manager, "add_block", block="no_such_block")


def test_every_block_of_the_bank_adds_to_a_valid_draft(manager):
    """Each block brings its category, reference dates and conditions into a sound draft."""
    for key in draft_edits.bank_blocks():
        fresh = drafts.create_empty("acme-breach-2026", "Acme", "incident", manager)
        _edit(fresh, manager, "add_block", block=key)
        assert fresh.valid, (key, fresh.messages)
