"""The template composer in a real Chromium: a manager drafts a questionnaire, edits two
questions and a condition through the forms, reorders with the buttons and by dragging, previews
and scores it, submits it; a second manager approves it. Every page of the composer is checked with axe."""

from __future__ import annotations

import re

from tests.browser.test_journeys import sign_in
from tests.conftest import make_user


def _seed():
    author = make_user("manager", name="Cora Composer")
    approver = make_user("manager", name="Abe Approver")
    return author.email, approver.email


def test_draft_edit_preview_submit_and_a_second_manager_approves(page, seed, shoot, accessible):
    author, approver = seed(_seed)

    sign_in(page, author)
    page.goto("/templates/")
    page.get_by_role("link", name="Compose in the browser").click()
    accessible("drafts")
    page.get_by_label("Identifier").fill("acme-sync-breach")
    page.get_by_label("Title", exact=True).fill("Acme Sync breach")
    page.get_by_role("button", name="Create draft", exact=True).click()
    page.wait_for_url(re.compile(r".*/templates/drafts/\d+$"))
    accessible("editor")

    q1 = page.locator("#q-q1")
    q1.locator("summary").click()
    q1.get_by_label("Question", exact=True).fill("Did you use Acme Sync in 2026?")
    q1.get_by_role("button", name="Save question q1").click()
    page.wait_for_url(re.compile(r".*q=q1.*"))
    assert "Did you use Acme Sync in 2026?" in page.locator("#q-q1").inner_text()

    q2 = page.locator("#q-q2")
    q2.locator("summary").click()
    q2.get_by_label("Question", exact=True).fill("Have you rotated the Acme keys?")
    q2.get_by_label("Weight").fill("3")
    q2.get_by_label("Critical (a failed answer caps the rating)").check()
    q2.get_by_role("button", name="Save question q2").click()
    page.wait_for_url(re.compile(r".*q=q2.*"))

    q2 = page.locator("#q-q2")
    q2.get_by_label("When", exact=True).select_option("in")
    q2.get_by_label("To the earlier question").select_option("q1")
    q2.get_by_label("q1: Yes").check()
    q2.get_by_role("button", name="Save condition of q2").click()
    page.wait_for_url(re.compile(r".*q=q2.*"))
    assert "shown when q1 is one of yes" in page.locator("#q-q2").inner_text()
    assert "no problems" in page.locator("#draft-state").inner_text()
    # The live preview (JavaScript) shows the vendor's view inside the editor.
    page.locator("[data-live-preview-body] .vr-questionnaire").wait_for()
    shoot("editor")
    accessible("editor after edits")

    # A wrong weight is kept, with the validator's message beside its question.
    page.locator("#q-q1 summary").click()
    page.locator("#q-q1").get_by_label("Weight").fill("lots")
    page.locator("#q-q1").get_by_role("button", name="Save question q1").click()
    page.wait_for_url(re.compile(r".*q=q1.*"))
    assert "weight" in page.locator("#q-q1 .alert-warning").inner_text()
    accessible("editor with a problem")
    page.locator("#q-q1").get_by_label("Weight").fill("1")
    page.locator("#q-q1").get_by_role("button", name="Save question q1").click()
    page.wait_for_url(re.compile(r".*q=q1.*"))
    assert "no problems" in page.locator("#draft-state").inner_text()

    # Reorder with the buttons (drag and drop fills the same form): q1 after q2 breaks q2's
    # condition, and the validator says so beside q2; moving it back repairs it.
    page.get_by_role("button", name="Move question q1 down").click()
    page.wait_for_function("() => document.querySelector('#order-response').value === 'q2, q1'")
    assert "later question" in page.locator("#q-q2 .alert-warning").inner_text()
    page.get_by_label("Order of the questions (ids, comma-separated)").fill("q1, q2")
    page.get_by_role("button", name="Reorder").click()
    page.wait_for_function("() => document.querySelector('#order-response').value === 'q1, q2'")
    assert "no problems" in page.locator("#draft-state").inner_text()

    # Drag and drop (JavaScript): q1 dropped below q2 submits the same reorder form.
    q1_item, q2_item = (
        page.locator('li[data-question="q1"]'),
        page.locator('li[data-question="q2"]'),
    )
    box = q2_item.bounding_box()
    assert box is not None
    q1_item.drag_to(q2_item, target_position={"x": 10, "y": box["height"] - 5})
    page.wait_for_function("() => document.querySelector('#order-response').value === 'q2, q1'")
    assert "later question" in page.locator("#q-q2 .alert-warning").inner_text()
    page.get_by_label("Order of the questions (ids, comma-separated)").fill("q1, q2")
    page.get_by_role("button", name="Reorder").click()
    page.wait_for_function("() => document.querySelector('#order-response').value === 'q1, q2'")

    page.get_by_role("link", name="Preview and try scoring").click()
    accessible("preview")
    page.locator('#question-q1 input[value="yes"]').check()
    page.locator('#question-q2 input[value="yes"]').check()
    page.get_by_role("button", name="Score these answers").click()
    assert page.get_by_test_id("band").inner_text().startswith("A")
    accessible("try scoring")
    page.get_by_role("link", name="Back to the editor").click()

    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_url(re.compile(r".*/templates/versions/\d+$"))
    assert "Awaiting approval" in page.content()
    version_url = page.url
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, approver)
    page.goto(version_url)
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(version_url)
    assert "is approved" in page.content()
    shoot("approved")
