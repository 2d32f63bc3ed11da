"""What the advisory pages show, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import Template
from vendorrisk.questionnaires.services import current_version, parsed_version
from vendorrisk.review.effective import effective_bands

from . import search
from .checklist import FirmChecklist, VendorItem, firm_checklist, vendor_checklist
from .document import question_ref
from .exposure import VendorRow, advisory_assignments, vendor_rows
from .followup import Pending, answered_before, reasks
from .models import Advisory, AdvisoryProduct, AdvisoryUpdate, Reask
from .services import Effective, effective, timeline


@dataclass
class UpdateView:
    """An update on the timeline, with who answered before it and who was asked again."""

    update: AdvisoryUpdate
    pending: list[Pending] = field(default_factory=list)
    asked: list[Reask] = field(default_factory=list)
    questions: list[tuple[str, str]] = field(default_factory=list)  # (reference, text)


@dataclass
class LinkedTemplate:
    slug: str
    template: Template | None
    version_number: int | None


@dataclass
class AdvisoryPage:
    advisory: Advisory
    current: Effective
    rows: list[VendorRow]
    firm: FirmChecklist
    vendor_items: list[VendorItem]
    updates: list[UpdateView]
    templates: list[LinkedTemplate]
    replaced_by: Advisory | None
    question_texts: dict[str, str]
    bands: dict[int, str | None]  # the effective band of each row's latest revision, by id

    @property
    def exposed(self) -> list[VendorRow]:
        return [r for r in self.rows if r.exposed]


def _question_texts(refs: set[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    slugs = {question_ref(r)[0] for r in refs}
    for slug in slugs:
        template = db.session.scalar(select(Template).where(Template.slug == slug))
        version = current_version(template) if template is not None else None
        if version is None:
            continue
        parsed = parsed_version(version)
        for question in parsed.questions():
            ref = f"{slug}/{question.id}"
            if ref in refs:
                texts[ref] = question.text
    return texts


def advisory_page(advisory: Advisory) -> AdvisoryPage:
    """Gather everything the advisory page shows."""
    current = effective(advisory)
    assignments = advisory_assignments(advisory)
    rows = vendor_rows(advisory, assignments)
    ordered = timeline(advisory)
    asked = reasks(ordered)
    refs = {r for u in ordered for r in u.affected_questions}
    refs |= {r for a in current.actions for r in a.questions}
    texts = _question_texts(refs)
    updates = [
        UpdateView(
            u,
            answered_before(u, assignments, asked.get(u.id)),
            asked.get(u.id, []),
            [(r, texts.get(r, r)) for r in u.affected_questions],
        )
        for u in reversed(ordered)
    ]
    templates = []
    for slug in advisory.templates:
        template = db.session.scalar(select(Template).where(Template.slug == slug))
        version = current_version(template) if template is not None else None
        templates.append(LinkedTemplate(slug, template, version.number if version else None))
    replaced_by = None
    if advisory.superseded_by:
        replaced_by = db.session.scalar(
            select(Advisory).where(Advisory.slug == advisory.superseded_by)
        )
    return AdvisoryPage(
        advisory=advisory,
        current=current,
        rows=rows,
        firm=firm_checklist(advisory, current),
        vendor_items=vendor_checklist(current, rows),
        updates=updates,
        templates=templates,
        replaced_by=replaced_by,
        question_texts=texts,
        bands=effective_bands(
            {rev.id: rev.band for row in rows if (rev := row.latest_revision) is not None}
        ),
    )


def advisory_list(
    query: str | None, status: str | None, severity: str | None, product_id: int | None
) -> list[Advisory]:
    """Return the advisories matching the filters: best match first when searching, else
    newest first."""
    statement = select(Advisory).options(
        selectinload(Advisory.products).selectinload(AdvisoryProduct.product),
        selectinload(Advisory.updates),
    )
    if status:
        statement = statement.where(Advisory.status == status)
    if severity:
        statement = statement.where(Advisory.severity == severity)
    if product_id:
        statement = statement.where(
            Advisory.id.in_(
                select(AdvisoryProduct.advisory_id).where(AdvisoryProduct.product_id == product_id)
            )
        )
    ranked = search.ranked_ids(query)
    if ranked is not None:
        statement = statement.where(Advisory.id.in_(ranked))
        found = {a.id: a for a in db.session.scalars(statement)}
        return [found[i] for i in ranked if i in found]
    return list(
        db.session.scalars(statement.order_by(Advisory.published_on.desc(), Advisory.id.desc()))
    )
