"""A campaign sent for an imported advisory (CVE-2099-0001 and -0002), with an exposure question
a VEX statement can answer, and helpers to hand in files through the portal."""

from __future__ import annotations

import io
import json

from werkzeug.datastructures import CombinedMultiDict, FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.intake.helpers import VEX_CYCLONEDX, data
from tests.support.factories import approved_version, create_campaign

EXPOSURE_TEMPLATE = """\
id: widget-exposure-check
kind: incident
title: Widget Server exposure check
description: Whether the Widget Server flaw reaches the data you hold for us.
categories:
  - id: certificate_rotation
    title: Rotation of certificates
    weight: 1
  - id: incident_readiness
    title: Readiness for incidents
    weight: 1
sections:
  - id: exposure
    title: Exposure
    questions:
      - id: runs_widget
        type: yes_no
        text: Do you run an affected version of Widget Server?
        weight: 0
        options:
          - {value: "yes", label: "Yes", exposed: true}
          - {value: "no", label: "No", not_exposed: true}
      - id: where
        type: multi_choice
        text: Where does it run?
        weight: 0
        show_if: {question: runs_widget, in: ["yes"]}
        options:
          - {value: cloud, label: "Our cloud service", exposed: true}
          - {value: onprem, label: "Our own data centre", exposed: true}
  - id: response
    title: Response
    questions:
      - id: lead
        type: yes_no
        text: Has a named person led your response since the advisory?
        category: incident_readiness
        options:
          - {value: "yes", label: "Yes", score: 100}
          - {value: "no", label: "No", score: 0}
        finding_title: No named response lead
        remediation: Name one person to lead the response.
        frameworks: ["ISO/IEC 27001:2022 A.5.24"]
      - id: patched
        type: yes_no
        text: Have you patched every Widget Server you run?
        category: certificate_rotation
        options:
          - {value: "yes", label: "Yes", score: 100}
          - {value: "no", label: "No", score: 0}
        finding_title: Widget Server not patched
        remediation: Patch Widget Server without delay.
        frameworks: ["ISO/IEC 27001:2022 A.8.8"]
"""


def exposure_campaign(vendor, advisory):
    """Send the exposure questionnaire to the vendor for the advisory."""
    campaign = create_campaign(approved_version(EXPOSURE_TEMPLATE), [vendor])
    campaign.advisory_slug = advisory.slug
    return campaign


def vex_saying(state: str, justification: str | None = None) -> bytes:
    """Return a CycloneDX VEX giving both advisory CVEs one analysis state."""
    document = data(VEX_CYCLONEDX)
    analysis = {"state": state, **({"justification": justification} if justification else {})}
    document["vulnerabilities"] = [
        {"id": cve, "analysis": analysis, "affects": [{"ref": "payroll-portal"}]}
        for cve in ("CVE-2099-0001", "CVE-2099-0002")
    ]
    return json.dumps(document).encode()


def hand_in(client, aid: int, kind: str, content: bytes, name: str, **fields):
    """Upload a file on the portal's SBOM and VEX page (kind: "vex" or "sbom")."""
    fields = {
        f"{kind}-csrf_token": client.csrf_token(),
        **{f"{kind}-{k}": v for k, v in fields.items()},
    }
    files = MultiDict({f"{kind}-file": FileStorage(io.BytesIO(content), name)})
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(CombinedMultiDict([MultiDict(fields), files]))
    return client.post(
        f"/portal/a/{aid}/files/{kind}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
