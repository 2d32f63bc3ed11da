"""Where the portal sends a vendor back to after acting on a question or a file."""

from pathlib import Path

from vendorrisk.portal.services import section_of
from vendorrisk.questionnaires.loader import load_template_path

MIMECAST = (
    Path(__file__).resolve().parents[2]
    / "questionnaires"
    / "mimecast-certificate-compromise-2021.yaml"
)


def test_a_question_is_found_in_its_own_section():
    template = load_template_path(MIMECAST)
    last = template.sections[-1]
    assert section_of(template, last.questions[0].id) == len(template.sections) - 1


def test_an_id_the_template_does_not_hold_opens_the_first_section():
    template = load_template_path(MIMECAST)
    assert section_of(template, "not-a-question-of-this-template") == 0
