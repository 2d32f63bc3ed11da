"""Content hash: stable under reformatting, changed by any change of content."""

from __future__ import annotations

import json

import yaml
from helpers_questionnaires import DATA

from vendorrisk.questionnaires.canonical import canonical_json, content_hash
from vendorrisk.questionnaires.loader import load_template_path, load_template_text

# Pinned so that an accidental change to canonicalization (or to the schema's defaults) shows
# up here before stored template versions stop matching their recorded hashes.
TINY_HASH = "3585f7fd1c010aa5d96db6f359a171622a034275955ff4812e0b0ed3384ce3a4"
# The same template without its finding_title, as versions stored before scored questions
# needed one: their recorded hashes must keep matching too.
UNTITLED_TINY_HASH = "1c540c775917265ce8b6d3305295db876821bd6faefeed9f4a4669567ab31e56"


def test_hash_is_sha256_hex():
    digest = content_hash(load_template_path(DATA / "reformat_a.yaml"))
    assert len(digest) == 64 and int(digest, 16) >= 0


def test_reformatted_yaml_with_the_same_content_has_the_same_hash():
    a = load_template_path(DATA / "reformat_a.yaml")
    b = load_template_path(DATA / "reformat_b.yaml")
    assert a == b
    assert content_hash(a) == content_hash(b)


def test_hash_of_a_known_template_is_pinned():
    assert content_hash(load_template_path(DATA / "reformat_a.yaml")) == TINY_HASH


def test_hash_of_a_template_stored_before_finding_titles_is_pinned():
    text = (DATA / "reformat_a.yaml").read_text()
    untitled = text.replace("        finding_title: Administrators without MFA\n", "")
    assert untitled != text
    assert content_hash(load_template_text(untitled)) == UNTITLED_TINY_HASH


def test_machine_re_dumped_yaml_has_the_same_hash():
    text = (DATA / "complete.yaml").read_text()
    original = load_template_text(text)
    redumped = yaml.safe_dump(yaml.safe_load(text), sort_keys=True, default_flow_style=True)
    # PyYAML's own dumper quotes yes/no, so the round trip keeps them as strings.
    assert content_hash(load_template_text(redumped)) == content_hash(original)


def test_changing_a_label_changes_the_hash():
    text = (DATA / "reformat_a.yaml").read_text()
    changed = text.replace('label: "No"', 'label: "Not yet"')
    assert content_hash(load_template_text(changed)) != content_hash(load_template_text(text))


def test_changing_a_score_changes_the_hash():
    text = (DATA / "reformat_a.yaml").read_text()
    changed = text.replace("score: 0}", "score: 10}")
    assert content_hash(load_template_text(changed)) != content_hash(load_template_text(text))


def test_reordering_questions_changes_the_hash():
    a = load_template_path(DATA / "reformat_a.yaml")
    section = a.sections[0].model_copy(update={"questions": a.sections[0].questions[::-1]})
    b = a.model_copy(update={"sections": (section,)})
    assert content_hash(a) != content_hash(b)


def test_canonical_json_uses_yaml_key_names_and_sorted_keys():
    doc = json.loads(canonical_json(load_template_path(DATA / "complete.yaml")))
    assert list(doc) == sorted(doc)
    date_q = doc["sections"][1]["questions"][1]
    assert set(date_q["show_if"]) == {"all"}
    assert date_q["show_if"]["all"][0] == {"question": "q_cert_rotated", "in": ["yes"]}
