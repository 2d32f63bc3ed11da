"""Load the shipped advisories (`advisories/*.md`) into the library.

Files are reviewed in code review, so a changed file changes its advisory at once. A file's
updates are append-only like every update: new ones are appended, but one already loaded may
not change or disappear (write a new update instead). Loaded updates are matched by content,
not by place, so a file keeps its updates in date order even when one published earlier is
added after a later one was loaded (the timeline orders them by date). Products the files name are created in
the catalogue when no product or alias matches. Running the sync twice changes nothing.
Invalid files stop the whole sync before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from vendorrisk.extensions import db
from vendorrisk.questionnaires import sync as questionnaire_sync
from vendorrisk.questionnaires.validator import ValidationError
from vendorrisk.vendors import catalogue
from vendorrisk.vendors.matching import find_products
from vendorrisk.vendors.models import Product

from .document import AdvisoryDocument, AffectedProduct, Update
from .models import SOURCE_FILE, Advisory, AdvisoryUpdate
from .services import ProductChoice, append_update, known_templates, save_document, update_hash
from .validator import parse_path

IGNORED = frozenset({"README.md"})


@dataclass
class SyncReport:
    """What a sync did, advisory by advisory."""

    created: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updates: list[tuple[str, int]] = field(default_factory=list)  # (slug, update number)
    products: list[str] = field(default_factory=list)


class SyncError(Exception):
    """The files cannot be synced; nothing was changed. `errors` say why."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def default_directory() -> Path:
    """Return the folder of shipped advisories (`advisories/` next to the package)."""
    configured = current_app.config.get("ADVISORIES_DIR")
    return Path(configured) if configured else Path(current_app.root_path).parent / "advisories"


def advisory_files(directory: Path) -> list[Path]:
    """Return the advisory files of a folder in name order."""
    return sorted(p for p in directory.glob("*.md") if p.is_file() and p.name not in IGNORED)


def _from_database(query, empty):
    # `advisories validate` also runs before the database is migrated: then only files count.
    try:
        return query()
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        return empty


def templates_for_validation() -> dict[str, frozenset[str]]:
    """Return the template questions advisories may name: in the database and shipped files."""
    known = dict(_from_database(known_templates, {}))
    folder = questionnaire_sync.default_directory()
    if folder.is_dir():
        files, _ = questionnaire_sync.load_files(questionnaire_sync.template_files(folder))
        for f in files:
            known.setdefault(f.parsed.id, frozenset(q.id for q in f.parsed.questions()))
    return known


@dataclass(frozen=True)
class ValidFile:
    """An advisory file that passed validation, with its document."""

    path: Path
    display: str
    document: AdvisoryDocument


def load_files(paths: list[Path]) -> tuple[list[ValidFile], list[ValidationError]]:
    """Validate advisory files; return the valid ones and every error."""
    templates = templates_for_validation()
    parsed = [parse_path(p, questionnaire_sync.display_path(p), templates=templates) for p in paths]
    slugs = {f.document.slug for f in parsed if f.document} | set(
        _from_database(lambda: db.session.scalars(select(Advisory.slug)).all(), [])
    )
    errors: list[ValidationError] = []
    seen: dict[str, str] = {}
    valid: list[ValidFile] = []
    for f in parsed:
        errors.extend(f.errors)
        doc = f.document
        if doc is None:
            continue
        if doc.superseded_by and doc.superseded_by not in slugs:
            errors.append(
                ValidationError(
                    f.display, None, None, f"superseded_by: no advisory '{doc.superseded_by}'"
                )
            )
            continue
        if doc.slug in seen:
            errors.append(
                ValidationError(
                    f.display, None, None, f"slug '{doc.slug}' is also used by {seen[doc.slug]}"
                )
            )
            continue
        seen[doc.slug] = f.display
        valid.append(ValidFile(f.path or Path(f.display), f.display, doc))
    return valid, errors


def _find_product(wanted: AffectedProduct) -> Product | None:
    for name in (wanted.name, *wanted.aliases):
        found = find_products(name)
        if found:
            return found[0]
    return None


def _resolve_products(doc, report: SyncReport) -> list[ProductChoice]:
    choices = []
    for wanted in doc.affected_products:
        product = _find_product(wanted)
        if product is None:
            aliases = [a for a in wanted.aliases if not find_products(a)]
            product = catalogue.create_product(
                {
                    "supplier": wanted.supplier,
                    "name": wanted.name,
                    "aliases": aliases,
                    "known_versions": [*wanted.affected_versions, *wanted.fixed_versions],
                }
            )
            report.products.append(product.name)
        choices.append(ProductChoice(product, wanted.affected_versions, wanted.fixed_versions))
    return choices


def _update_conflicts(f: ValidFile, advisory: Advisory | None) -> list[ValidationError]:
    if advisory is None:
        return []
    if advisory.source != SOURCE_FILE:
        return [
            ValidationError(
                f.display,
                None,
                None,
                f"slug '{advisory.slug}' is already used by an advisory written in the app",
            )
        ]
    return [
        ValidationError(
            f.display,
            None,
            None,
            f"update {row.number} ('{row.title}', {row.published_on}) was published and cannot "
            "change or be removed; updates are append-only: add a new update instead",
        )
        for row in _split_updates(f.document, advisory)[1]
    ]


def _split_updates(
    doc: AdvisoryDocument, advisory: Advisory | None
) -> tuple[list[Update], list[AdvisoryUpdate]]:
    """Return the file's updates not loaded yet (in file order) and the loaded ones it lacks."""
    shipped = list(doc.updates)
    if advisory is None:
        return shipped, []
    waiting: dict[str, list[int]] = {}
    for i, update in enumerate(shipped):
        waiting.setdefault(update_hash(update), []).append(i)
    gone = []
    for row in sorted(advisory.updates, key=lambda u: u.number):
        if row.source != SOURCE_FILE:
            continue
        places = waiting.get(row.content_hash)
        if places:
            places.pop(0)
        else:
            gone.append(row)
    new = sorted(i for places in waiting.values() for i in places)
    return [shipped[i] for i in new], gone


def sync_directory(directory: Path) -> SyncReport:
    """Bring the library in line with a folder; raise SyncError (changing nothing) if invalid."""
    paths = advisory_files(directory) if directory.is_dir() else []
    if not paths:
        raise SyncError([ValidationError(str(directory), None, None, "no advisory files (*.md)")])
    files, errors = load_files(paths)
    existing = {a.slug: a for a in db.session.scalars(select(Advisory))}
    for f in files:
        errors.extend(_update_conflicts(f, existing.get(f.document.slug)))
    if errors:
        raise SyncError(errors)

    report = SyncReport()
    for f in files:
        doc = f.document
        advisory = existing.get(doc.slug)
        file_path = f"{directory.name}/{f.path.name}"
        advisory, changed = save_document(
            advisory, doc, _resolve_products(doc, report), source=SOURCE_FILE, file_path=file_path
        )
        if changed == ["created"]:
            report.created.append(doc.slug)
        elif changed:
            report.changed.append((doc.slug, changed))
        new = _split_updates(doc, advisory)[0]
        for update in new:
            row = append_update(advisory, update, source=SOURCE_FILE)
            report.updates.append((doc.slug, row.number))
        if not changed and not new:
            report.unchanged.append(doc.slug)
    db.session.flush()
    return report
