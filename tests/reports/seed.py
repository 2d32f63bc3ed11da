"""Realistic vendor records for the report tests and the benchmark, built through the services.

A vendor answers shipped questionnaires through the portal services (drafts, evidence files,
attestation), reviewers ask for clarification, override points, decide with conditions, and
findings move through their life cycle: what a compliance officer's report has to tell.
Everything is flushed, not committed.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from werkzeug.datastructures import FileStorage

from tests.conftest import make_user
from tests.support.factories import create_campaign, make_contact, make_vendor, shipped_version
from vendorrisk.extensions import db
from vendorrisk.portal import services as portal
from vendorrisk.questionnaires.answers import Answer
from vendorrisk.questionnaires.conditions import effective_answers, visible_questions
from vendorrisk.review import services as review
from vendorrisk.vendors import catalogue

BASELINE = "incident-readiness-baseline.yaml"
CERTIFICATES = "certificate-and-key-lifecycle.yaml"
SOLARWINDS = "solarwinds-orion-supply-chain-2020.yaml"
MIMECAST = "mimecast-certificate-compromise-2021.yaml"

PDF_BYTES = b"%PDF-1.4\n% evidence file for tests\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
TEXT_ANSWERS = (
    "Our security operations team reviewed the sign-in logs for the whole period and found no "
    "use of the old certificate after it was revoked.",
    "Handled by the infrastructure team; change ticket CHG-20210119-042.",
    "We rotate these every 90 days and after any supplier incident.",
)


def _choice(question, rng: random.Random, quality: float):
    scored = [o for o in question.options if o.score is not None and not o.not_exposed]
    if not scored:
        usable = [o for o in question.options if not o.not_exposed] or list(question.options)
        return rng.choice(usable).value
    best = max(scored, key=lambda o: o.score)
    if rng.random() < quality:
        return best.value
    return rng.choice(scored).value


def answer_one(
    question, rng: random.Random, quality: float = 0.7, references: dict | None = None
) -> Answer:
    """Answer one question (its best answer with probability `quality`)."""
    kind = question.type
    if kind in ("yes_no", "single_choice"):
        return Answer(_choice(question, rng, quality))
    if kind == "multi_choice":
        options = [o.value for o in question.options if not o.not_exposed]
        if rng.random() < quality:
            return Answer(options)
        return Answer(rng.sample(options, rng.randint(1, len(options))))
    if kind == "date":
        reference = question.date_rule.reference if question.date_rule else None
        base = (references or {}).get(reference) or date(2021, 1, 12)
        return Answer(base + timedelta(days=rng.choice([2, 5, 12, 40])))
    if kind == "number":
        return Answer(rng.choice([4, 12, 24, 48, 96]))
    if kind in ("text", "long_text"):
        return Answer(rng.choice(TEXT_ANSWERS))
    return Answer(None)


def answers_for(
    template, rng: random.Random, *, quality: float = 0.7, texts: dict[str, str] | None = None
) -> dict[str, Answer]:
    """Answer every question of a template (good answers with probability `quality`)."""
    references = {r.name: r.default for r in template.reference_dates}
    return {
        q.id: Answer(texts[q.id])
        if texts and q.id in texts
        else answer_one(q, rng, quality, references)
        for q in template.questions()
    }


def _upload(name: str, data: bytes = PDF_BYTES) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def submit(
    assignment,
    answers: dict[str, Answer],
    *,
    rng: random.Random,
    name="Pat Doe",
    title="Chief Information Security Officer",
    files: bool = True,
):
    """Save answers, attach evidence where asked, fill what still blocks, submit."""
    recipient = assignment.recipients[0]
    response = assignment.response
    template = portal.template_of(assignment)
    editable = portal.editable_questions(response)
    answers = {q: a for q, a in answers.items() if editable is None or q in editable}
    portal.save_answers(response, recipient, list(answers), answers, response.version)
    db.session.flush()
    merged = portal.draft_answers(response)
    if files:
        for question in visible_questions(template, merged):
            if editable is not None and question.id not in editable:
                continue
            wants = (
                question.type == "evidence"
                or question.evidence != "none"
                or any(
                    o.evidence == "required"
                    for o in question.options
                    if o.value
                    in (merged.get(question.id).chosen_values() if merged.get(question.id) else ())
                )
            )
            if wants and not portal.live_evidence(response).get(question.id):
                portal.attach_evidence(
                    response,
                    recipient,
                    question.id,
                    _upload(
                        f"{question.id.replace('_', '-')}-evidence.pdf",
                        PDF_BYTES + question.id.encode(),
                    ),
                )
        db.session.flush()
    for _ in range(3):
        merged = portal.draft_answers(response)
        problems = portal.gaps(
            template, effective_answers(template, merged), portal.live_evidence(response)
        )
        if not problems:
            break
        fixes = {}
        for gap in problems:
            answer = merged.get(gap.question_id) or Answer(None)
            if "does not apply" in gap.message:
                fixes[gap.question_id] = Answer(answer.value, na=True, comment="Not in scope.")
            elif "needs an answer" in gap.message:
                fixes[gap.question_id] = answer_one(template.question(gap.question_id), rng)
            else:
                fixes[gap.question_id] = Answer(
                    answer.value,
                    na=answer.na,
                    comment=answer.comment,
                    evidence_reason="Available to auditors on site under NDA.",
                )
        portal.save_answers(response, recipient, list(fixes), fixes, response.version)
        db.session.flush()
    revision = portal.submit(
        assignment, recipient, name=name, title=title, expected_version=response.version
    )
    db.session.flush()
    return revision


def reviewed_assessment(
    vendor,
    filename: str,
    *,
    rng: random.Random,
    owner,
    reviewer,
    approver,
    quality: float = 0.6,
    texts: dict[str, str] | None = None,
    clarify: bool = True,
    name: str | None = None,
):
    """Send one shipped questionnaire, answer, clarify, override, decide and work findings."""
    version = shipped_version(filename)
    campaign = create_campaign(
        version, [vendor], actor=owner, name=name, due_date=date.today() + timedelta(days=21)
    )
    assignment = campaign.assignments[0]
    template = portal.template_of(assignment)
    revision = submit(assignment, answers_for(template, rng, quality=quality, texts=texts), rng=rng)
    scored = [e for e in revision.score["trace"] if e["status"] == "scored"]
    if clarify and scored:
        weak = [e["question_id"] for e in scored if e["percent"] != "100"][:2] or [
            scored[0]["question_id"]
        ]
        review.request_clarification(
            assignment,
            reviewer,
            {
                qid: "Please say which systems this covers and attach the change record."
                for qid in weak
            },
            template,
        )
        db.session.flush()
        review.record_replies(
            assignment,
            assignment.recipients[0],
            2,
            {
                item.id: "It covers every production tenant; the change record is attached."
                for item in review.clarification_items(assignment, 2)
            },
        )
        better = {
            qid: a for qid, a in answers_for(template, rng, quality=1.0).items() if qid in weak
        }
        revision = submit(assignment, better, rng=rng, name="Pat Doe", title="CISO")
    scored = [e for e in revision.score["trace"] if e["status"] == "scored"]
    if scored:
        target = scored[-1]
        review.override_points(
            revision,
            target["question_id"],
            100,
            "Verified in a call with the vendor's security lead; the control "
            "is in place, the answer undersold it.",
            reviewer,
            target["percent"],
        )
    findings = [f for f in review.vendor_findings(assignment) if f.is_open]
    if findings:
        review.plan_remediation(
            findings[0],
            owner="Sam Vendor-Lead",
            plan_date=date.today() + timedelta(days=30),
            plan="Roll out per-tenant keys.",
            user=reviewer,
        )
    if len(findings) > 1:
        review.accept_risk(
            findings[1],
            approver,
            "Compensating control: conditional access limits the connector to our IP ranges.",
            date.today() + timedelta(days=180),
        )
    if len(findings) > 2:
        review.override_severity(findings[2], "low", "Applies to a test tenant only.", reviewer)
    review.decide(
        assignment,
        reviewer,
        "approved_with_conditions",
        "Approved; the conditions must be met before renewal.",
        [("Provide the SOC 2 Type II bridge letter", date.today() + timedelta(days=60))],
    )
    db.session.flush()
    return assignment


def rich_vendor(
    rng: random.Random | None = None,
    *,
    texts: dict[str, str] | None = None,
    assessments: tuple[str, ...] = (BASELINE, SOLARWINDS, CERTIFICATES),
    name: str = "Northwind Mail Services",
):
    """Return a vendor with contacts, products and several reviewed assessments."""
    rng = rng or random.Random(7)
    owner = make_user("manager", name="Olivia Owner")
    reviewer = make_user("manager", name="Rita Reviewer")
    approver = make_user("compliance", name="Carl Compliance")
    vendor = make_vendor(
        name,
        owner=owner,
        contacts=[("primary",), ("security",), ("executive",)],
        legal_name=f"{name} Ltd",
        criticality="critical",
        data_access="regulated",
        country="GB",
        contract_start=date(2020, 4, 1),
        contract_end=date(2027, 3, 31),
        services="E-mail filtering and archiving for all staff mailboxes.",
    )
    make_contact(vendor, ("privacy",))
    product = catalogue.create_product(
        {
            "supplier": "Mimecast",
            "name": f"Email Security {name}",
            "aliases": [],
            "known_versions": ["2020.4"],
        }
    )
    catalogue.add_product_use(vendor, product.id, "2020.4")
    names = ["Annual baseline", "SolarWinds follow-up", "Key lifecycle"]
    for index, filename in enumerate(assessments):
        reviewed_assessment(
            vendor,
            filename,
            rng=rng,
            owner=owner,
            reviewer=reviewer,
            approver=approver,
            quality=0.5 + 0.15 * index,
            texts=texts if index == 0 else None,
            name=f"{names[index % 3]} {2024 + index}",
        )
    db.session.flush()
    return vendor, owner


def portfolio(
    count: int, rng: random.Random | None = None, *, filename: str = MIMECAST, answered: float = 0.8
):
    """Return a campaign of `count` vendors, most of them answered (no review)."""
    rng = rng or random.Random(11)
    owner = make_user("manager", name="Paula Portfolio")
    tiers = [
        ("critical", "regulated"),
        ("high", "confidential"),
        ("moderate", "internal"),
        ("low", "none"),
    ]
    vendors = []
    for index in range(count):
        criticality, data_access = tiers[index % 4]
        suffix = rng.choice(["Ltd", "plc", "GmbH", "Inc"])
        vendors.append(
            make_vendor(
                f"Vendor {index + 1:04d} {suffix}",
                owner=owner,
                criticality=criticality,
                data_access=data_access,
            )
        )
    version = shipped_version(filename)
    campaign = create_campaign(
        version,
        vendors,
        actor=owner,
        name="Mimecast follow-up",
        due_date=date.today() + timedelta(days=14),
    )
    template = portal.template_of(campaign.assignments[0])
    for assignment in campaign.assignments:
        if rng.random() < answered:
            submit(
                assignment,
                answers_for(template, rng, quality=rng.random()),
                rng=rng,
                files=rng.random() < 0.5,
            )
    db.session.flush()
    return campaign, owner
