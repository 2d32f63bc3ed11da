"""OSCAL assessment results: a campaign's or a vendor's assessments as an `assessment-results`.

Built with compliance-trestle's pydantic OSCAL models (constructing them validates them), from
the same record the report PDFs embed (`vendorrisk.reports.record`), so the scores and verdicts
are the effective results of `vendorrisk.review.effective` and nothing is recomputed here.

Mapping:
- one `result` per assessment (assignment): start = when the campaign was sent, end = when
  the latest revision was submitted; the effective overall score, band and verdict as props;
- one `observation` per submitted answer (method INTERVIEW: the vendor answered a
  questionnaire), its evidence files as `relevant-evidence` pointing at back-matter resources
  that carry each file's SHA-256;
- one `finding` per finding, targeting the question (`objective-id`), satisfied only when the
  finding was closed as verified, with its state as a prop, linked to
- one `risk` per finding: open -> open, planned -> remediating (the plan as a remediation),
  closed -> closed, risk accepted -> deviation-approved with a risk-log entry naming who
  accepted it, why and until when.

UUIDs are derived (UUID v5) from the database ids, so an export is stable from call to call.
trestle takes about a second to import; it is imported only when an export is asked for.
"""

from __future__ import annotations

import importlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from vendorrisk.campaigns.models import Assignment
from vendorrisk.questionnaires.display import answer_text
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.reports.record import Entry, Record, finding_json

NAMESPACE = uuid.UUID("5b0f3c56-3f5e-5d7b-9a52-6f1e0d2c8a41")
PROPS_NS = "urn:vendorrisk:oscal"
RISK_STATUS = {
    "open": "open",
    "planned": "remediating",
    "closed": "closed",
    "risk_accepted": "deviation-approved",
}


def uid(*parts: object) -> str:
    """Return a stable UUID (v5) for an object of ours, e.g. uid("finding", 12)."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _prop(common, name: str, value: object):
    return common.Property(name=name, value=str(value), ns=PROPS_NS)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "-"


def _observations(common, entry: Entry, resources: dict[str, Any]) -> list:
    revision = entry.revision
    if revision is None:
        return []
    template = parsed_version(entry.assignment.campaign.template_version)
    vendor = entry.assignment.vendor
    observations = []
    for question_id, data in (revision.answers or {}).items():
        try:
            question = template.question(question_id)
            text = question.text
        except KeyError:
            question, text = None, question_id
        evidence = []
        for digest in data.get("evidence_hashes") or []:
            resource = resources.get(digest)
            if resource is None:
                resource = common.Resource(
                    uuid=uid("evidence", digest),
                    title=f"Evidence file SHA-256 {digest[:12]}",
                    rlinks=[
                        common.Rlink(
                            href=f"urn:sha256:{digest}",
                            hashes=[common.Hash(algorithm="SHA-256", value=digest)],
                        )
                    ],
                )
                resources[digest] = resource
            evidence.append(
                common.RelevantEvidence(
                    href=f"#{resource.uuid}", description=f"Evidence file, SHA-256 {digest}"
                )
            )
        props = [_prop(common, "question-id", question_id)]
        if data.get("na"):
            props.append(_prop(common, "not-applicable", "true"))
        answer = answer_text(question, data) if question is not None else str(data.get("value"))
        description = f"{text}\nAnswer: {answer or '(none)'}"
        if data.get("comment"):
            description += f"\nComment: {data['comment']}"
        if data.get("evidence_reason"):
            description += f"\nNo evidence because: {data['evidence_reason']}"
        observations.append(
            common.Observation(
                uuid=uid("answer", revision.id, question_id),
                title=_one_line(f"{question_id}: {text}")[:500],
                description=description,
                props=props,
                methods=["INTERVIEW"],
                subjects=[
                    common.SubjectReference(
                        subject_uuid=uid("vendor", vendor.id), type="party", title=vendor.name
                    )
                ],
                relevant_evidence=evidence or None,
                collected=_aware(revision.submitted_at),
            )
        )
    return observations


def _risk(common, finding) -> Any:
    data = finding_json(finding)
    entries = [
        common.Entry(
            uuid=uid("risk-log", finding.id, "raised"),
            title="Finding raised",
            start=_aware(finding.created_at),
            status_change=common.RiskStatus("open"),
        )
    ]
    remediations = None
    if data["plan"]:
        plan = data["plan"]
        remediations = [
            common.Response(
                uuid=uid("remediation", finding.id),
                lifecycle="planned",
                title=_one_line(finding.remediation or "Remediation plan"),
                description=(
                    f"{plan['text'] or 'Remediation planned.'} Owner: {plan['owner'] or '-'}; "
                    f"planned for {plan['date'] or '-'}."
                ),
            )
        ]
    if data["acceptance"]:
        acceptance = data["acceptance"]
        entries.append(
            common.Entry(
                uuid=uid("risk-log", finding.id, "accepted"),
                title="Risk accepted",
                description=(
                    f"Accepted by {acceptance['by'] or '-'}: {acceptance['reason'] or '-'}"
                    f" (until {acceptance['expires_on'] or 'no end date'})."
                ),
                start=_aware(finding.created_at),
                end=(
                    datetime.fromisoformat(acceptance["expires_on"]).replace(tzinfo=UTC)
                    if acceptance["expires_on"]
                    else None
                ),
                status_change=common.RiskStatus("deviation-approved"),
            )
        )
    if finding.closed_at is not None:
        entries.append(
            common.Entry(
                uuid=uid("risk-log", finding.id, "closed"),
                title="Finding closed",
                description=f"Closed as verified by {data['closed_by'] or '-'}.",
                start=_aware(finding.closed_at),
                status_change=common.RiskStatus("closed"),
            )
        )
    return common.Risk(
        uuid=uid("risk", finding.id),
        title=_one_line(finding.title)[:500],
        description=finding.detail or finding.title,
        statement=finding.remediation or finding.title,
        props=[
            _prop(common, "severity", finding.severity),
            _prop(common, "finding-state", finding.state),
        ],
        status=common.RiskStatus(RISK_STATUS.get(finding.state, "open")),
        deadline=(
            datetime.combine(finding.due_date, datetime.min.time(), UTC)
            if finding.due_date
            else None
        ),
        remediations=remediations,
        risk_log=common.RiskLog(entries=entries),
    )


def _finding(common, finding, observations: dict[str, str]) -> Any:
    target = finding.question_id or finding.category or f"finding-{finding.id}"
    related = observations.get(finding.question_id or "")
    return common.Finding(
        uuid=uid("finding", finding.id),
        title=_one_line(finding.title)[:500],
        description=finding.detail or finding.title,
        props=[
            _prop(common, "finding-id", finding.id),
            _prop(common, "state", finding.state),
            _prop(common, "severity", finding.severity),
            _prop(common, "source", finding.source),
        ],
        target=common.FindingTarget(
            type="objective-id",
            target_id=target,
            status=common.ObjectiveStatus(
                state="satisfied" if finding.state == "closed" else "not-satisfied"
            ),
        ),
        related_observations=(
            [common.RelatedObservation(observation_uuid=related)] if related else None
        ),
        related_risks=[common.AssociatedRisk(risk_uuid=uid("risk", finding.id))],
    )


def _result(ar, common, entry: Entry, resources: dict[str, Any]) -> Any:
    assignment: Assignment = entry.assignment
    campaign = assignment.campaign
    version = campaign.template_version
    observations = _observations(common, entry, resources)
    by_question = {
        o.props[0].value: o.uuid
        for o in observations
        if o.props and o.props[0].name == "question-id"
    }
    props = [
        _prop(common, "assignment-id", assignment.id),
        _prop(common, "response-state", assignment.response_state),
        _prop(common, "review-state", assignment.review_state),
        _prop(common, "template", f"{version.template.slug} v{version.number}"),
    ]
    if entry.revision is not None:
        props.append(_prop(common, "revision", entry.revision.number))
        if entry.revision.attestation_hash:
            props.append(_prop(common, "attestation-sha256", entry.revision.attestation_hash))
    if entry.result is not None:
        shown = entry.result.to_json()
        props.append(_prop(common, "verdict", shown["verdict"]))
        if shown.get("overall") is not None:
            props.append(_prop(common, "overall-score", shown["overall"]))
        if shown.get("band") is not None:
            props.append(_prop(common, "band", shown["band"]))
    started = _aware(campaign.sent_at or campaign.created_at)
    ended = _aware(entry.revision.submitted_at) if entry.revision is not None else None
    return ar.Result(
        uuid=uid("assignment", assignment.id),
        title=_one_line(f"{assignment.vendor.name}: {campaign.name}")[:500],
        description=(
            f"{assignment.vendor.name} answered {version.template.title} (version "
            f"{version.number}) in the campaign {campaign.name}."
        ),
        start=started,
        end=ended if ended is not None and started is not None and ended >= started else None,
        props=props,
        reviewed_controls=common.ReviewedControls(
            control_selections=[
                common.ControlSelectionsAll(
                    description="Every question of the questionnaire version sent.",
                    include_all=common.IncludeAll(),
                )
            ]
        ),
        observations=observations or None,
        risks=[_risk(common, f) for f in entry.findings] or None,
        findings=[_finding(common, f, by_question) for f in entry.findings] or None,
    )


def assessment_results(
    record: Record, *, title: str, scope: str, plan_href: str, generated_at: datetime
) -> Any:
    """Return the record as a trestle `AssessmentResults` model (validated as it is built)."""
    # As modules of Any: trestle's models take their OSCAL (hyphenated) aliases, which mypy
    # cannot see without pydantic's plugin; constructing them is what validates.
    ar: Any = importlib.import_module("trestle.oscal.assessment_results")
    common: Any = importlib.import_module("trestle.oscal.common")
    oscal_version = importlib.import_module("trestle.oscal").OSCAL_VERSION

    resources: dict[str, Any] = {}
    results = [_result(ar, common, entry, resources) for entry in record.entries]
    vendors = {e.assignment.vendor.id: e.assignment.vendor for e in record.entries}
    return ar.AssessmentResults(
        uuid=uid("assessment-results", scope),
        metadata=common.Metadata(
            title=title,
            last_modified=_aware(generated_at),
            version=generated_at.strftime("%Y%m%dT%H%M%SZ"),
            oscal_version=oscal_version,
            parties=[
                common.Parties(uuid=uid("vendor", v.id), type="organization", name=v.name)
                for v in vendors.values()
            ]
            or None,
        ),
        import_ap=ar.ImportAp(
            href=plan_href,
            remarks="The campaign that sent the questionnaire is the assessment plan.",
        ),
        results=results,
        back_matter=common.BackMatter(resources=list(resources.values())) if resources else None,
    )


def to_json(model: Any) -> dict:
    """Return the model as an OSCAL JSON document (wrapped in "assessment-results")."""
    return json.loads(model.oscal_serialize_json(pretty=False, wrapped=True))


def validate(document: dict) -> Any:
    """Parse an OSCAL JSON document back into trestle's models (raises if it is not valid)."""
    from trestle.oscal import assessment_results as ar

    return ar.Model.model_validate(document)


def document(record: Record, **kwargs: Any) -> dict:
    """Return a record as an OSCAL assessment-results JSON document (validated by trestle)."""
    return to_json(assessment_results(record, **kwargs))
