"""Advisories: look-ups, saving a document, appending updates, and the effective advisory."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pydantic
import rfc8785
from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import APPROVED, Template, TemplateVersion
from vendorrisk.vendors.models import Product

from . import markup, search
from .document import RESERVED_SLUGS, AdvisoryDocument, AffectedProduct, Update, dump, question_ref
from .models import SOURCE_APP, Advisory, AdvisoryProduct, AdvisoryUpdate
from .validator import KnownTemplates, Problem, check_rules, describe_error


class AdvisoryError(ValueError):
    """A refused change, with every reason fit to show the user."""

    def __init__(self, problems: list[str], fields: dict[str, str] | None = None):
        self.fields = fields or {}  # field name -> message to show beside it
        super().__init__("; ".join([*problems, *self.fields.values()]))
        self.problems = problems


# --- look-ups ---------------------------------------------------------------------------------


def advisory_by_slug(slug: str) -> Advisory | None:
    """Return the advisory with this slug, if any."""
    return db.session.scalar(select(Advisory).where(Advisory.slug == slug))


def get_advisory_or_404(slug: str) -> Advisory:
    """Return the advisory with its products and updates, or answer 404."""
    advisory = db.session.scalar(
        select(Advisory)
        .where(Advisory.slug == slug)
        .options(
            selectinload(Advisory.products).selectinload(AdvisoryProduct.product),
            selectinload(Advisory.updates),
        )
    )
    return advisory or abort(404)


def get_update_or_404(advisory: Advisory, number: int) -> AdvisoryUpdate:
    """Return one update of an advisory by its number, or answer 404."""
    return next((u for u in advisory.updates if u.number == number), None) or abort(404)


def advisory_slugs() -> list[str]:
    """Return every advisory's slug."""
    return list(db.session.scalars(select(Advisory.slug).order_by(Advisory.slug)))


def known_templates() -> dict[str, frozenset[str]]:
    """Return each template's slug with the question ids of its current (or newest) version."""
    from vendorrisk.questionnaires.services import parsed_version

    versions = db.session.scalars(
        select(TemplateVersion)
        .join(Template)
        .options(selectinload(TemplateVersion.template))
        .order_by(TemplateVersion.template_id, TemplateVersion.number)
    ).all()
    chosen: dict[str, TemplateVersion] = {}
    for version in versions:
        current = chosen.get(version.template.slug)
        if current is None or current.status != APPROVED or version.status == APPROVED:
            chosen[version.template.slug] = version
    return {
        slug: frozenset(q.id for q in parsed_version(v).questions()) for slug, v in chosen.items()
    }


# --- the effective advisory: the row with its updates applied ----------------------------------


@dataclass(frozen=True)
class KeyDate:
    """A key date as of the latest update."""

    name: str
    label: str
    date: date
    changed_in: int | None = None  # the update that set it last, if any


@dataclass(frozen=True)
class Action:
    """A recommended action as of the latest update."""

    id: str
    audience: str
    text: str
    questions: tuple[str, ...]
    added_in: int | None = None
    changed_in: int | None = None

    def questions_by_template(self) -> dict[str, set[str]]:
        """Group the linked questions by template slug."""
        grouped: dict[str, set[str]] = {}
        for ref in self.questions:
            slug, question = question_ref(ref)
            grouped.setdefault(slug, set()).add(question)
        return grouped


@dataclass(frozen=True)
class Effective:
    """What an advisory says after all of its updates."""

    key_dates: list[KeyDate] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def firm_actions(self) -> list[Action]:
        return [a for a in self.actions if a.audience == "firm"]

    @property
    def vendor_actions(self) -> list[Action]:
        return [a for a in self.actions if a.audience == "vendors"]

    def frozen_dates(self) -> dict[str, str]:
        """Return the key dates as a campaign freezes them: name -> ISO date."""
        return {d.name: d.date.isoformat() for d in self.key_dates}

    def date_labels(self) -> dict[str, str]:
        return {d.name: d.label for d in self.key_dates}


def timeline(advisory: Advisory) -> list[AdvisoryUpdate]:
    """Return the updates in the order they apply: by date, then as recorded."""
    return sorted(advisory.updates, key=lambda u: (u.published_on, u.number))


def _action(data: dict, added_in: int | None = None, changed_in: int | None = None) -> Action:
    return Action(
        id=data["id"],
        audience=data["for"],
        text=data["text"],
        questions=tuple(data.get("questions") or ()),
        added_in=added_in,
        changed_in=changed_in,
    )


def effective(advisory: Advisory) -> Effective:
    """Apply an advisory's updates, in order, to its key dates and actions."""
    dates = {
        d["name"]: KeyDate(d["name"], d["label"], date.fromisoformat(d["date"]))
        for d in advisory.key_dates
    }
    actions = {a["id"]: _action(a) for a in advisory.actions}
    for update in timeline(advisory):
        for d in update.key_dates:
            dates[d["name"]] = KeyDate(
                d["name"], d["label"], date.fromisoformat(d["date"]), update.number
            )
        for a in update.actions:
            before = actions.get(a["id"])
            if before is None:
                actions[a["id"]] = _action(a, added_in=update.number)
            else:
                actions[a["id"]] = _action(a, added_in=before.added_in, changed_in=update.number)
    return Effective(sorted(dates.values(), key=lambda d: (d.date, d.name)), list(actions.values()))


# --- saving -------------------------------------------------------------------------------------


def _digest(data: Any) -> str:
    return hashlib.sha256(rfc8785.dumps(data)).hexdigest()


def document_hash(doc: AdvisoryDocument) -> str:
    """Return the SHA-256 of an advisory's content without its updates."""
    data = dump(doc)
    data.pop("updates", None)
    return _digest(data)


def update_hash(update: Update) -> str:
    """Return the SHA-256 of one update's content."""
    return _digest(dump(update))


@dataclass(frozen=True)
class ProductChoice:
    """A resolved affected product: the catalogue row and the versions that matter."""

    product: Product
    affected_versions: tuple[str, ...] = ()
    fixed_versions: tuple[str, ...] = ()


def _problems_text(problems: list[Problem]) -> list[str]:
    result = []
    for p in problems:
        where = ".".join(str(x) for x in p.path if not isinstance(x, int))
        result.append(p.reason if where in p.reason or not where else f"{where}: {p.reason}")
    return result


def check_document(
    doc: AdvisoryDocument, advisory: Advisory | None = None, templates: KnownTemplates | None = None
) -> None:
    """Check a document written in the app; raise AdvisoryError with every problem."""
    found = check_rules(
        doc,
        templates=known_templates() if templates is None else templates,
        advisories=advisory_slugs(),
    )
    fields = {str(p.path[0]): p.reason for p in found if p.path in MARKDOWN_PATHS}
    problems = _problems_text([p for p in found if p.path not in MARKDOWN_PATHS])
    if advisory is None and doc.slug not in RESERVED_SLUGS:
        if advisory_by_slug(doc.slug) is not None:
            problems.append(f"the slug '{doc.slug}' is already used by another advisory")
    if problems or fields:
        raise AdvisoryError(problems, fields)


MARKDOWN_PATHS = (("summary",), ("body",))

_FIELDS = (
    "title",
    "publisher",
    "published_on",
    "severity",
    "status",
    "superseded_by",
    "summary",
    "body",
    "key_dates",
    "actions",
    "reference_links",
    "templates",
)


def _values(doc: AdvisoryDocument) -> dict:
    data = dump(doc)
    return {
        "title": doc.title,
        "publisher": doc.publisher,
        "published_on": doc.published,
        "severity": doc.severity,
        "status": doc.status,
        "superseded_by": doc.superseded_by,
        "summary": doc.summary,
        "body": doc.body,
        "key_dates": data["key_dates"],
        "actions": data["actions"],
        "reference_links": data["references"],
        "templates": list(doc.templates),
    }


def _rendered(doc: AdvisoryDocument) -> dict[str, str]:
    """Render the document's Markdown once, for every page and the feed to show."""
    try:
        return {"summary_html": markup.render(doc.summary), "body_html": markup.render(doc.body)}
    except markup.MarkdownTooCostly as exc:  # check_rules refuses these first
        raise AdvisoryError([], {"body": str(exc)}) from None


def _set_products(advisory: Advisory, products: list[ProductChoice]) -> bool:
    wanted = {c.product.id: c for c in products}
    changed = False
    for row in list(advisory.products):
        if row.product_id not in wanted:
            advisory.products.remove(row)
            changed = True
    current = {row.product_id: row for row in advisory.products}
    for product_id, choice in wanted.items():
        existing = current.get(product_id)
        affected, fixed = list(choice.affected_versions), list(choice.fixed_versions)
        if existing is None:
            advisory.products.append(
                AdvisoryProduct(
                    product=choice.product,
                    product_id=product_id,
                    affected_versions=affected,
                    fixed_versions=fixed,
                )
            )
            changed = True
        elif existing.affected_versions != affected or existing.fixed_versions != fixed:
            existing.affected_versions, existing.fixed_versions = affected, fixed
            changed = True
    return changed


def save_document(
    advisory: Advisory | None,
    doc: AdvisoryDocument,
    products: list[ProductChoice],
    *,
    source: str,
    actor=None,
    file_path: str | None = None,
) -> tuple[Advisory, list[str]]:
    """Create an advisory or bring one in line with a document (its updates are not touched).

    Return the advisory and the names of the fields that changed ("created" for a new one).
    """
    values = _values(doc)
    digest = document_hash(doc)
    if advisory is None:
        advisory = Advisory(
            slug=doc.slug,
            source=source,
            file_path=file_path,
            content_hash=digest,
            created_by_id=actor.id if actor else None,
            **values,
            **_rendered(doc),
        )
        db.session.add(advisory)
        _set_products(advisory, products)
        db.session.flush()
        audit.record(
            "advisory.created",
            "advisory",
            advisory.id,
            details={"slug": advisory.slug, "source": source, "file": file_path},
            actor_id=actor.id if actor else None,
        )
        search.refresh(advisory)
        return advisory, ["created"]
    changed = audit.changed_fields(advisory, list(_FIELDS), values)
    if {"summary", "body"} & set(changed) or not (advisory.summary_html or advisory.body_html):
        for name, fragment in _rendered(doc).items():
            setattr(advisory, name, fragment)
    if _set_products(advisory, products):
        changed.append("affected_products")
    if file_path is not None and advisory.file_path != file_path:
        advisory.file_path = file_path
    advisory.content_hash = digest
    if changed:
        advisory.updated_at = utcnow()
        db.session.flush()
        audit.record(
            "advisory.updated",
            "advisory",
            advisory.id,
            details={"slug": advisory.slug, "fields": changed},
            actor_id=actor.id if actor else None,
        )
        search.refresh(advisory)
    return advisory, changed


def document_of(advisory: Advisory) -> AdvisoryDocument:
    """Return an advisory's stored content (without updates) as a document."""
    return AdvisoryDocument.model_validate(
        {
            "slug": advisory.slug,
            "title": advisory.title,
            "publisher": advisory.publisher,
            "published": advisory.published_on,
            "severity": advisory.severity,
            "status": advisory.status,
            "superseded_by": advisory.superseded_by,
            "summary": advisory.summary,
            "body": advisory.body,
            "key_dates": advisory.key_dates,
            "actions": advisory.actions,
            "references": advisory.reference_links,
            "templates": advisory.templates,
            "affected_products": [
                AffectedProduct(
                    supplier=row.product.supplier,
                    name=row.product.name,
                    affected_versions=tuple(row.affected_versions),
                    fixed_versions=tuple(row.fixed_versions),
                )
                for row in advisory.products
            ],
        }
    )


def append_update(advisory: Advisory, update: Update, *, source: str, actor=None) -> AdvisoryUpdate:
    """Append a dated update to an advisory's timeline (it can never change afterwards)."""
    number = max((u.number for u in advisory.updates), default=0) + 1
    data = dump(update)
    try:
        body_html = markup.render(update.body)
    except markup.MarkdownTooCostly as exc:  # check_rules refuses these first
        raise AdvisoryError([], {"body": str(exc)}) from None
    row = AdvisoryUpdate(
        advisory=advisory,
        number=number,
        published_on=update.date,
        title=update.title,
        body=update.body,
        body_html=body_html,
        key_dates=data["key_dates"],
        actions=data["actions"],
        affected_questions=list(update.affected_questions),
        source=source,
        content_hash=update_hash(update),
        created_at=utcnow(),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    advisory.updated_at = row.created_at
    db.session.flush()
    audit.record(
        "advisory.update_added",
        "advisory",
        advisory.id,
        details={"slug": advisory.slug, "update": number, "source": source},
        actor_id=actor.id if actor else None,
    )
    search.refresh(advisory)
    return row


def add_update(advisory: Advisory, update: Update, actor) -> AdvisoryUpdate:
    """Check an update written in the app against its advisory, then append it."""
    probe = document_of(advisory).model_copy(update={"updates": (update,)})
    problems = [
        p for p in check_rules(probe, templates=known_templates()) if p.path[:1] == ("updates",)
    ]
    body = ("updates", 0, "body")
    fields = dict(("body", p.reason) for p in problems if p.path == body)
    others = [p.reason for p in problems if p.path != body]
    if problems:
        raise AdvisoryError(others, fields)
    return append_update(advisory, update, source=SOURCE_APP, actor=actor)


def _pydantic_problems(exc: pydantic.ValidationError) -> list[str]:
    return [describe_error(err) for err in exc.errors(include_url=False)]


def document_from_data(data: dict) -> tuple[AdvisoryDocument, list[ProductChoice]]:
    """Build a document from a form's data (products given by catalogue id)."""
    data = dict(data)
    rows = data.pop("product_rows", [])
    products = {
        p.id: p
        for p in db.session.scalars(select(Product).where(Product.id.in_([r[0] for r in rows])))
    }
    problems, resolved, affected = [], [], []
    for product_id, affected_versions, fixed_versions in rows:
        product = products.get(product_id)
        if product is None:
            problems.append("Choose each affected product from the catalogue.")
            continue
        resolved.append(ProductChoice(product, tuple(affected_versions), tuple(fixed_versions)))
        affected.append(
            {
                "supplier": product.supplier,
                "name": product.name,
                "affected_versions": affected_versions,
                "fixed_versions": fixed_versions,
            }
        )
    data["affected_products"] = affected
    try:
        doc = AdvisoryDocument.model_validate(data)
    except pydantic.ValidationError as exc:
        raise AdvisoryError(problems + _pydantic_problems(exc)) from None
    if problems:
        raise AdvisoryError(problems)
    return doc, resolved


def update_from_data(data: dict) -> Update:
    """Build an update from a form's data."""
    try:
        return Update.model_validate(data)
    except pydantic.ValidationError as exc:
        raise AdvisoryError(_pydantic_problems(exc)) from None
