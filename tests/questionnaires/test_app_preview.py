"""The preview shows a version exactly as a vendor sees it (and nothing internal); the "try it"
scorer gives the engine's own numbers and stores nothing."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from decimal import Decimal

import pytest
from helpers_app import (
    SHIPPED,
    audit_actions,
    complete_version,
    count,
    element,
    is_hidden,
    questionnaire_part,
    store_version,
    tags,
)
from helpers_app import all_tags as HTMLParser_tags

from vendorrisk.questionnaires import services
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.formfactory import field_names
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.scoring import score_response
from vendorrisk.scoring.result import round_display
from vendorrisk.scoring.rules import number_text


def n(question_id: str) -> str:
    return field_names(question_id).value


def _preview(client, version):
    response = client.get(f"/templates/versions/{version.id}/preview")
    assert response.status_code == 200
    return response.text


def test_preview_renders_every_question_type(client, auth):
    auth.login("compliance")
    html = _preview(client, complete_version())

    def one(tag, name, **attrs):
        (found,) = tags(html, tag, name=name, **attrs)
        return found

    assert len(tags(html, "input", name=n("q_uses_product"), type="radio")) == 3  # yes_no
    assert len(tags(html, "input", name=n("q_log_review"), type="radio")) == 3  # single_choice
    assert len(tags(html, "input", name=n("q_environments"), type="checkbox")) == 3
    one("input", n("q_rotation_date"), type="date")
    assert one("input", n("q_detect_hours"), type="number")["step"] == "any"
    assert one("input", n("q_contact"), type="text")["maxlength"] == "200"
    assert one("textarea", n("q_notes"))["maxlength"] == "4000"
    assert "multiple" in one("input", n("q_report"), type="file")
    assert "multiple" in one("input", field_names("q_cert_rotated").files, type="file")
    one("input", field_names("q_detect_hours").na, type="checkbox")  # N/A where allowed
    assert "Answer &#34;no&#34; only if no tenant of yours ever used it." in html  # help
    question = html[html.index('id="question-q_contact"') : html.index('id="question-q_report"')]
    assert 'title="required"' in question  # required marker
    notes = html[html.index('id="question-q_notes"') : html.index('id="question-q_contact"')]
    assert "(optional)" in notes and 'title="required"' not in notes
    for title in ("Exposure", "Rotation", "Readiness"):
        assert f">{title}</h2>" in html
    assert 'src="/static/js/questionnaire.js"' in html and "<script>" not in html


def test_a_show_if_question_is_hidden_until_its_trigger_is_answered(client, auth):
    """Visibility is decided on the server; the script only repeats it live."""
    auth.login("manager")
    version = complete_version()
    html = _preview(client, version)
    assert is_hidden(html, "question-q_environments")
    assert " disabled" in html[html.index('id="question-q_environments"') :][:400]
    assert not is_hidden(html, "question-q_uses_product")
    assert 'data-show-if=\'{"in": ["yes", "unsure"], "question": "q_uses_product"}\'' in (
        element(html, "question-q_environments")
    )

    response = client.post(
        f"/templates/versions/{version.id}/preview", data={n("q_uses_product"): "yes"}
    )
    assert not is_hidden(response.text, "question-q_environments")
    response = client.post(
        f"/templates/versions/{version.id}/preview", data={n("q_uses_product"): "no"}
    )
    assert is_hidden(response.text, "question-q_environments")
    assert is_hidden(response.text, "section-rotation")  # a section's condition too


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_vendor_view_leaks_no_weights_scores_or_remediation(client, auth, path):
    """Remediation, frameworks, finding texts, weights, scores, severities and critical flags
    stay internal: not in the text, the markup or the conditions the script reads."""
    auth.login("manager")
    version = store_version(path.read_text(encoding="utf-8"))
    parsed = services.parsed_version(version)
    page = _preview(client, version)
    html = questionnaire_part(page)
    secrets = set()
    for q in parsed.questions():
        secrets.update(filter(None, [q.remediation, q.finding_title, *q.frameworks]))
        secrets.update(o.finding for o in q.options if o.finding)
    assert [s for s in secrets if s in page or s.replace('"', "&#34;") in page] == []
    internal = (
        "weight",
        "score",
        "critical",
        "severity",
        "remediation",
        "framework",
        "impact",
        "exposed",
        "finding",
        "category",
    )
    for tag in HTMLParser_tags(html):
        for name, value in tag.items():
            markup = f"{name}={value or ''}".lower()
            if name not in ID_ATTRIBUTES:  # ids are the author's words, e.g. remediation_path
                assert not any(word in markup for word in internal), markup
    for raw in re.findall(r"data-show-if='([^']*)'", html):
        keys = set(re.findall(r'"(\w+)":', raw))
        assert keys <= {"question", "in", "all", "any", "not"}, raw


ID_ATTRIBUTES = frozenset(
    {
        "id",
        "for",
        "name",
        "value",
        "title",
        "data-question",
        "data-section",
        "data-show-if",
        "aria-labelledby",
        "aria-describedby",
    }
)


def _engine(version, answers, refs=None):
    parsed = services.parsed_version(version)
    return score_response(parsed, answers, refs)


def _overall(html: str) -> str:
    return re.search(r'data-testid="overall">([^<]+)<', html).group(1)


def test_try_it_shows_the_engines_numbers(client, auth):
    auth.login("manager")
    version = complete_version()
    posted = {
        n("q_uses_product"): "yes",
        n("q_environments"): "production",
        n("q_cert_rotated"): "yes",
        n("q_rotation_date"): "2021-01-21",
        n("q_detect_hours"): "48",
        n("q_log_review"): "less",
        n("q_contact"): "Jo Bloggs",
        "ref-compromise_date": "2021-01-12",
    }
    response = client.post(f"/templates/versions/{version.id}/preview", data=posted)
    assert response.status_code == 200
    html = response.text
    expected = _engine(
        version,
        {
            "q_uses_product": Answer("yes"),
            "q_environments": Answer(["production"]),
            "q_cert_rotated": Answer("yes"),
            "q_rotation_date": Answer(datetime.date(2021, 1, 21)),
            "q_detect_hours": Answer(Decimal("48")),
            "q_log_review": Answer("less"),
            "q_contact": Answer("Jo Bloggs"),
        },
    )
    assert _overall(html) == expected.overall_display
    assert f'data-testid="band">{expected.band} · {expected.band_label}<' in html
    for cat in expected.categories:
        row = html[html.index(f'data-category="{cat.id}"') :][:600]
        assert f"{number_text(cat.earned)} / {number_text(cat.possible)}" in row
        assert round_display(cat.score) in row
    assert expected.findings
    for finding in expected.findings:
        assert finding.summary.replace('"', "&#34;") in html
        if finding.remediation:
            assert finding.remediation in html
    for entry in expected.trace:
        row = html[html.index(f'data-trace="{entry.question_id}"') :][:800]
        assert f"{number_text(entry.earned)} / {number_text(entry.possible)}" in row
        assert entry.reason.replace('"', "&#34;") in row
    assert "Impact signals" in html  # "yes" on q_uses_product is an impact signal


def test_try_it_uses_the_reference_dates_entered(client, auth):
    auth.login("manager")
    version = complete_version()
    base = {
        n("q_uses_product"): "yes",
        n("q_cert_rotated"): "yes",
        n("q_rotation_date"): "2021-01-21",
    }
    scores = {}
    for day in ("2021-01-12", "2021-01-20"):
        html = client.post(
            f"/templates/versions/{version.id}/preview", data={**base, "ref-compromise_date": day}
        ).text
        scores[day] = _overall(html)
        expected = _engine(
            version,
            {
                "q_uses_product": Answer("yes"),
                "q_cert_rotated": Answer("yes"),
                "q_rotation_date": Answer(datetime.date(2021, 1, 21)),
            },
            {"compromise_date": datetime.date.fromisoformat(day)},
        )
        assert scores[day] == expected.overall_display
    assert scores["2021-01-12"] != scores["2021-01-20"]


def test_the_reference_dates_start_at_the_templates_defaults(client, auth):
    auth.login("manager")
    html = _preview(client, complete_version())
    (field,) = tags(html, "input", name="ref-compromise_date", type="date")
    assert field["value"] == "2021-01-12"


def test_a_file_chosen_in_the_preview_counts_as_evidence_and_is_not_stored(client, auth):
    auth.login("manager")
    version = complete_version()
    before = (count(TemplateVersion), len(audit_actions("")))
    content = b"%PDF-1.4 incident report"
    response = client.post(
        f"/templates/versions/{version.id}/preview",
        data={n("q_uses_product"): "no", n("q_report"): (io.BytesIO(content), "report.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    expected = _engine(
        version,
        {
            "q_uses_product": Answer("no"),
            "q_report": Answer(None, evidence_hashes=(hashlib.sha256(content).hexdigest(),)),
        },
    )
    assert 'data-trace="q_report"' in response.text
    row = response.text[response.text.index('data-trace="q_report"') :][:600]
    assert "1 file" in row
    assert _overall(response.text) == (expected.overall_display or "–")
    assert (count(TemplateVersion), len(audit_actions(""))) == before


def test_invalid_answers_are_shown_again_with_errors_and_no_score(client, auth):
    auth.login("manager")
    version = complete_version()
    response = client.post(
        f"/templates/versions/{version.id}/preview",
        data={
            n("q_uses_product"): "yes",
            n("q_cert_rotated"): "yes",
            n("q_rotation_date"): "soon",
        },
    )
    assert response.status_code == 400
    assert "Correct the marked answers (2.2) or dates" in response.text
    assert "Not a valid date value." in response.text
    assert 'data-testid="overall"' not in response.text
    (kept,) = tags(response.text, "input", name=n("q_uses_product"), value="yes")
    assert "checked" in kept  # what was typed is kept


def test_compliance_can_preview_but_not_score(client, auth):
    auth.login("compliance")
    version = complete_version()
    html = _preview(client, version)
    assert "Score these answers</button>" not in html
    response = client.post(
        f"/templates/versions/{version.id}/preview", data={n("q_uses_product"): "yes"}
    )
    assert response.status_code == 403


def test_every_shipped_template_previews_and_scores_empty(client, auth):
    """No answers at all still gives the engine's result (everything unanswered)."""
    auth.login("admin")
    for path in sorted(SHIPPED.glob("*.yaml")):
        version = store_version(path.read_text(encoding="utf-8"))
        _preview(client, version)
        response = client.post(f"/templates/versions/{version.id}/preview", data={})
        assert response.status_code == 200, path.name
        assert _overall(response.text) == (_engine(version, {}).overall_display or "–")
