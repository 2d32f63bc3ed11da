"""The breach packs: each questionnaire maps every question to controls, names every gap it can
raise, and agrees with its advisory on the dates (which match the verified facts)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from vendorrisk.advisories.validator import parse_path
from vendorrisk.questionnaires.validator import validate_path

ROOT = Path(__file__).resolve().parents[2]
D = datetime.date

# slug -> the advisory's key dates as stated in the verified facts (after every update)
PACKS: dict[str, dict[str, datetime.date]] = {
    "moveit-transfer-2023": {
        "exploitation_start": D(2023, 5, 27),
        "compromise_date": D(2023, 5, 31),
        "joint_advisory_date": D(2023, 6, 7),
        "second_patch_date": D(2023, 6, 9),
        "third_patch_date": D(2023, 6, 15),
    },
    "snowflake-credential-campaign-2024": {
        "compromise_date": D(2024, 6, 2),
        "cisa_alert_date": D(2024, 6, 3),
        "mandiant_report_date": D(2024, 6, 10),
        "att_filing_date": D(2024, 7, 12),
        "activity_start": D(2024, 4, 14),
    },
    "okta-support-system-2023": {
        "access_start": D(2023, 9, 28),
        "access_end": D(2023, 10, 17),
        "compromise_date": D(2023, 10, 19),
        "rca_date": D(2023, 11, 3),
        "contact_list_update": D(2023, 11, 29),
    },
    "crowdstrike-channel-file-291-2024": {
        "compromise_date": D(2024, 7, 19),
        "rca_date": D(2024, 8, 6),
    },
    "xz-utils-backdoor-2024": {
        "malicious_release_start": D(2024, 2, 1),  # "February 2024": the month, not a day
        "compromise_date": D(2024, 3, 29),
        "cisa_alert_date": D(2024, 3, 29),
    },
}


def _template(slug):
    template, errors = validate_path(ROOT / "questionnaires" / f"{slug}.yaml")
    assert template is not None, [str(e) for e in errors]
    return template


def _advisory(slug):
    parsed = parse_path(ROOT / "advisories" / f"{slug}.md", f"advisories/{slug}.md")
    assert parsed.document is not None, [str(e) for e in parsed.errors]
    return parsed.document


@pytest.mark.parametrize("slug", sorted(PACKS))
def test_every_question_maps_to_controls_and_every_scored_one_names_its_gap(slug):
    template = _template(slug)
    for q in template.questions():
        assert q.frameworks, f"{q.id} maps to no control"
        if q.scored:
            assert q.finding_title and q.remediation, q.id
    refs = {f for q in template.questions() for f in q.frameworks}
    for family in ("CSA CCM v4 ", "NIST CSF 2.0 GV.SC-", "ISO/IEC 27001:2022 A.5.2"):
        assert any(r.startswith(family) for r in refs), f"{slug} cites nothing from {family}"
    assert any(r.startswith(("NIST SP 800-53r5 SR-", "NIST SP 800-53r5 IR-")) for r in refs)


@pytest.mark.parametrize("slug", sorted(PACKS))
def test_none_ticked_beside_any_other_choice_contradicts_it(slug):
    """Where "none" rules a vendor out, every other non-exclusive choice reports exposure, so
    ticking "none" beside one can never leave the vendor ruled out."""
    for q in _template(slug).questions():
        if q.type == "multi_choice" and any(o.not_exposed for o in q.options):
            assert all(o.exposed for o in q.options if not o.exclusive), q.id


@pytest.mark.parametrize("slug", sorted(PACKS))
def test_the_advisory_dates_match_the_facts_and_the_template_defaults(slug):
    doc = _advisory(slug)
    assert slug in doc.templates
    dates = {k.name: k.date for k in doc.key_dates}
    for update in doc.updates:
        assert update.date >= doc.published
        dates.update({k.name: k.date for k in update.key_dates})
    assert dates == PACKS[slug]
    template = _template(slug)
    for ref in template.reference_dates:
        assert ref.default == dates[ref.name], ref.name
    assert [u.date for u in doc.updates] == sorted(u.date for u in doc.updates)
    assert doc.references, f"{slug} cites no sources"


# slug -> the date of each update, oldest first: the day its source was published (the verified
# facts; Okta's root-cause report is dated 3 November 2023 on Okta's own incident pages).
UPDATE_DATES: dict[str, list[datetime.date]] = {
    "moveit-transfer-2023": [D(2023, 6, 7), D(2023, 6, 9), D(2023, 6, 15)],
    "snowflake-credential-campaign-2024": [
        D(2024, 6, 3),
        D(2024, 6, 7),
        D(2024, 6, 10),
        D(2024, 7, 12),
    ],
    "okta-support-system-2023": [D(2023, 11, 3), D(2023, 11, 29)],
    "crowdstrike-channel-file-291-2024": [D(2024, 8, 6)],
    "xz-utils-backdoor-2024": [D(2024, 3, 29), D(2024, 3, 29)],
}


@pytest.mark.parametrize("slug", sorted(PACKS))
def test_each_update_is_dated_as_the_facts_date_its_source(slug):
    assert [u.date for u in _advisory(slug).updates] == UPDATE_DATES[slug]


def test_the_okta_root_cause_update_states_the_verified_figures_and_asks_nothing_again():
    update = next(
        u for u in _advisory("okta-support-system-2023").updates if u.date == D(2023, 11, 3)
    )
    body = " ".join(update.body.split())
    for fact in ("service account", "personal Google profile", "134", "under 1 %", "five"):
        assert fact in body, fact
    assert update.affected_questions == ()
    assert [(k.name, k.date) for k in update.key_dates] == [("rca_date", D(2023, 11, 3))]


@pytest.mark.parametrize("slug", sorted(PACKS))
def test_the_pack_is_documented(slug):
    text = (ROOT / "docs" / "breach-packs.md").read_text(encoding="utf-8")
    assert f"`{slug}`" in text
