"""One parse path, one set of limits: every malformed template in the corpus gets the same
errors, message and line, from `flask questionnaires validate`, `flask questionnaires sync` and
the upload page; and what one door accepts (aliases within the budget) the others accept too."""

from __future__ import annotations

import html
import io
import re

import pytest
from corpus_malformed import CORPUS, Case
from helpers_app import count, sync
from helpers_questionnaires import template
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from vendorrisk.questionnaires.models import Template, TemplateVersion

NAME = "case.yaml"


def _expected(prefix: str, case: Case) -> list[str]:
    return [
        f"{prefix}:{line}: {reason}" if line else f"{prefix}: {reason}"
        for line, reason in case.errors
    ]


def _printed(output: str, prefix: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(prefix)]


def _upload(client, source: bytes):
    data = {
        "yaml_text": "",
        "yaml_file": FileStorage(io.BytesIO(source), filename=NAME),
        "csrf_token": client.csrf_token(),
    }
    # Encoded in memory: the test client spools big bodies to a file it never closes.
    boundary, body = encode_multipart(data)
    return client.post(
        "/templates/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _problems_on_page(page: str) -> list[str]:
    box = re.search(r'id="yaml-problems".*?</ul>', page, re.S)
    assert box, "no list of problems on the page"
    return [html.unescape(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", box.group(0), re.S)]


def test_the_corpus_covers_every_reported_case():
    """The cases the issue lists are all here (a case dropped by accident fails this test)."""
    assert set(CORPUS) >= {
        "billion-laughs",
        "flow-nesting-10000",
        "show-if-150",
        "weight-nan",
        "weight-inf",
        "weights-1e308",
        "explicit-str-tag",
        "critical-yes",
        "weight-quoted",
        "id-trailing-newline",
        "blank-framework",
        "condition-key-values",
        "not-utf8",
        "unclosed-quote",
        "duplicate-through-alias",
    }


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_validate_command_reports_the_exact_message_and_line(runner, tmp_path, name):
    case = CORPUS[name]
    path = tmp_path / NAME
    path.write_bytes(case.source)
    result = runner.invoke(args=["questionnaires", "validate", str(path)])
    assert result.exit_code == 1
    assert _printed(result.output, str(path)) == _expected(str(path), case)
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_sync_reports_the_same_and_changes_nothing(runner, tmp_path, name):
    case = CORPUS[name]
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    path = folder / NAME
    path.write_bytes(case.source)
    result = sync(runner, folder)
    assert result.exit_code == 1
    assert _printed(result.output, str(path)) == _expected(str(path), case)
    assert "Nothing was changed." in result.output
    assert count(Template) == 0 and count(TemplateVersion) == 0


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_upload_lists_the_same_beside_the_editor_and_stores_nothing(client, auth, name):
    case = CORPUS[name]
    auth.login("manager")
    response = _upload(client, case.source)
    assert response.status_code == 422
    assert _problems_on_page(response.text) == _expected(NAME, case)
    assert count(Template) == 0


ALIASED = template(
    "      - id: q_b\n"
    "        text: B?\n"
    "        type: yes_no\n"
    "        options: &yes_no\n"
    '          - {value: "yes", label: "Yes", score: 100}\n'
    '          - {value: "no", label: "No", score: 0}\n'
    "        category: security\n"
    "        finding_title: Gap B\n"
    "        remediation: &fix Fix it.\n"
    "        frameworks: &frameworks [F1]\n"
    "      - id: q_c\n"
    "        text: C?\n"
    "        type: yes_no\n"
    "        options: *yes_no\n"
    "        category: security\n"
    "        finding_title: Gap C\n"
    "        remediation: *fix\n"
    "        frameworks: *frameworks\n"
)


def test_aliases_within_the_budget_are_accepted_by_every_door(runner, client, auth, tmp_path):
    """Anchors and aliases are allowed everywhere (the format says so), not refused by one door."""
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "aliased.yaml").write_text(ALIASED, encoding="utf-8")
    checked = runner.invoke(args=["questionnaires", "validate", str(folder / "aliased.yaml")])
    assert checked.exit_code == 0, checked.output
    synced = sync(runner, folder)
    assert synced.exit_code == 0, synced.output
    assert "1 new version(s)" in synced.output
    auth.login("manager")
    uploaded = _upload(client, ALIASED.replace("id: t\n", "id: aliased-upload\n").encode())
    assert uploaded.status_code == 302, uploaded.text[:2000]
    assert count(TemplateVersion) == 2
