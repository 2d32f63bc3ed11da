"""Test data for campaigns and the vendor portal, built through the real services.

Everything is flushed, never committed (the browser tests' `seed` commits for them). A template
version comes from YAML, uploaded by one manager and approved by another exactly as in the app,
or from a shipped file in `questionnaires/` through the sync that `flask questionnaires sync`
runs. Campaigns are created with `campaigns.services.create_campaign`, which queues the
invitations in the outbox.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from itertools import count
from pathlib import Path

from sqlalchemy import select

from tests.conftest import make_user
from vendorrisk.campaigns import services as campaigns
from vendorrisk.campaigns.models import Campaign, Recipient
from vendorrisk.core import links
from vendorrisk.extensions import db
from vendorrisk.questionnaires import services as questionnaires
from vendorrisk.questionnaires import sync
from vendorrisk.questionnaires.canonical import content_hash
from vendorrisk.questionnaires.models import APPROVED, TemplateVersion
from vendorrisk.questionnaires.validator import validate_text
from vendorrisk.vendors import services as vendors

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "questionnaires"
MIMECAST = "mimecast-certificate-compromise-2021.yaml"

_n = count(1)

# A small questionnaire with one of everything the portal must handle: a section shown only
# after an earlier answer, a question shown only after a sibling's answer, an option that asks
# for evidence, an impact signal, N/A with a comment, an evidence question and an optional one.
SMALL_TEMPLATE = """\
id: connector-breach-check
kind: incident
title: Connector breach check
description: A short questionnaire about a compromised connector certificate.
reference_dates:
  - name: compromise_date
    label: The compromise was disclosed
    default: 2021-01-12
categories:
  - id: certificate_rotation
    title: Rotation of certificates
    weight: 2
  - id: incident_readiness
    title: Readiness for incidents
    weight: 1
sections:
  - id: exposure
    title: Exposure
    questions:
      - id: uses_connector
        type: yes_no
        text: Did you use the affected connector?
        weight: 0
        options:
          - {value: "yes", label: "Yes"}
          - {value: "no", label: "No", not_exposed: true}
      - id: data_accessed
        type: yes_no
        text: Was any data you hold for us accessed by the attacker?
        weight: 0
        options:
          - {value: "yes", label: "Yes, some of it", impact_signal: true}
          - {value: "no", label: "No"}
  - id: rotation
    title: Replacing the certificate
    show_if: {question: uses_connector, in: ["yes"]}
    questions:
      - id: rotated
        type: yes_no
        text: Have you replaced the compromised certificate?
        category: certificate_rotation
        weight: 3
        critical: true
        options:
          - {value: "yes", label: "Yes", score: 100}
          - {value: "no", label: "No", score: 0}
        finding_title: Compromised certificate not replaced
        remediation: Swap the certificate out and rebuild the connection without delay.
        frameworks: ["ISO/IEC 27001:2022 A.5.21"]
      - id: rotated_on
        type: date
        text: On what date was the new certificate installed?
        category: certificate_rotation
        weight: 2
        show_if: {question: rotated, in: ["yes"]}
        date_rule:
          reference: compromise_date
          steps:
            - {within_days: 7, score: 100}
            - {within_days: 30, score: 50}
          after_score: 20
        finding_title: Replacement certificate installed late
        remediation: Install replacement certificates within a week of a disclosure.
        frameworks: ["NIST CSF 2.0 GV.SC-08"]
      - id: credentials_reset
        type: single_choice
        text: Have you reset the service-account credentials the connector held?
        category: certificate_rotation
        weight: 2
        options:
          - {value: all, label: All of them, score: 100, evidence: required}
          - {value: some, label: Some of them, score: 50}
          - value: none
            label: None of them
            score: 0
            finding: Stored service credentials stayed unchanged.
        finding_title: Stored service credentials not reset
        remediation: Reset every credential the supplier stored for you.
        frameworks: ["ISO/IEC 27001:2022 A.5.19"]
  - id: readiness
    title: Your response plan
    questions:
      - id: notify_hours
        type: number
        text: Within how many hours would you notify us of a breach?
        category: incident_readiness
        weight: 2
        allow_na: true
        number_rule:
          direction: lower_is_better
          steps:
            - {max: 24, score: 100}
            - {max: 72, score: 60}
          else_score: 0
        finding_title: Slow breach notification
        remediation: Commit to telling us within a day.
        frameworks: ["ISO/IEC 27001:2022 A.5.24"]
      - id: soc2_report
        type: evidence
        text: Attach your latest independent assurance report.
        allow_na: true
      - id: notes
        type: long_text
        text: Anything else we should know?
        required: false
"""

# Strings only staff may see: remediation, frameworks, findings and category titles.
INTERNAL_STRINGS = (
    "Swap the certificate out and rebuild the connection without delay.",
    "Install replacement certificates within a week of a disclosure.",
    "Reset every credential the supplier stored for you.",
    "Commit to telling us within a day.",
    "Stored service credentials stayed unchanged.",
    "ISO/IEC 27001:2022 A.5.21",
    "NIST CSF 2.0 GV.SC-08",
    "ISO/IEC 27001:2022 A.5.19",
    "ISO/IEC 27001:2022 A.5.24",
    "Rotation of certificates",
    "Readiness for incidents",
    "certificate_rotation",
    "incident_readiness",
)


def make_vendor(name: str | None = None, *, owner=None, contacts=None, **fields):
    """Create an active vendor with contacts.

    `contacts` is a list of kind tuples, e.g. [("primary",), ("security",)] (the default); each
    contact gets a unique name and address.
    """
    n = next(_n)
    data = {
        "name": name or f"Vendor {n}",
        "criticality": "high",
        "data_access": "confidential",
        "status": "active",
        "owner_id": owner.id if owner is not None else None,
    }
    data.update(fields)
    vendor = vendors.create_vendor(data)
    for kinds in [("primary",), ("security",)] if contacts is None else contacts:
        make_contact(vendor, kinds)
    return vendor


def make_contact(vendor, kinds=("primary",), **fields):
    """Add a contact to a vendor."""
    n = next(_n)
    label = "-".join(kinds) or "other"
    data = {
        "name": f"{label.title()} Person {n}",
        "email": f"{label}{n}@vendor{vendor.id}.example",
        "kinds": list(kinds),
    }
    data.update(fields)
    return vendors.add_contact(vendor, data)


def approved_version(
    text: str = SMALL_TEMPLATE, *, uploader=None, approver=None
) -> TemplateVersion:
    """Upload YAML as a template version and have a second manager approve it.

    Calling it again with the same YAML returns the version already approved.
    """
    parsed, errors = validate_text(text, "test.yaml")
    assert parsed is not None, [str(e) for e in errors]
    existing = questionnaires.template_by_slug(parsed.id)
    if existing is not None:
        digest = content_hash(parsed)
        same = db.session.scalar(
            select(TemplateVersion).where(
                TemplateVersion.template_id == existing.id,
                TemplateVersion.content_hash == digest,
                TemplateVersion.status == APPROVED,
            )
        )
        if same is not None:
            return same
    uploader = uploader or make_user("manager")
    approver = approver or make_user("manager")
    version = questionnaires.submit_upload(text, f"{parsed.id}.yaml", uploader)
    questionnaires.approve(version, approver)
    db.session.flush()
    return version


def shipped_version(filename: str = MIMECAST) -> TemplateVersion:
    """Load one shipped template file through the sync and return its approved version."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "questionnaires"
        folder.mkdir()
        shutil.copy(SHIPPED / filename, folder / filename)
        sync.sync_directory(folder)
        files, errors = sync.load_files([folder / filename])
    assert not errors, [str(e) for e in errors]
    template = questionnaires.template_by_slug(files[0].parsed.id)
    return questionnaires.current_version(template)


def create_campaign(
    version: TemplateVersion,
    vendor_list,
    *,
    actor=None,
    due_date: date | None = None,
    tz_name: str = "Europe/London",
    name: str | None = None,
    message: str | None = None,
) -> Campaign:
    """Create a campaign through the service (invitations queued in the outbox, not sent)."""
    actor = actor or make_user("manager")
    parsed = questionnaires.parsed_version(version)
    campaign = campaigns.create_campaign(
        name=name or f"Breach check {next(_n)}",
        template_version=version,
        vendor_ids=[v.id for v in vendor_list],
        due_date=due_date or date.today() + timedelta(days=14),
        tz_name=tz_name,
        message=message,
        reference_dates=campaigns.default_reference_dates(parsed),
        actor=actor,
    )
    db.session.flush()
    return campaign


def portal_token(recipient: Recipient) -> str:
    """Derive a recipient's current link token the way the sender does (tests know the key)."""
    return links.derive_token(campaigns.PORTAL_PURPOSE, recipient.id, recipient.nonce)


def portal_path(recipient: Recipient) -> str:
    """Return the path of a recipient's current link."""
    return f"/p/{portal_token(recipient)}"
