"""Load the shipped questionnaire files (`questionnaires/*.yaml`) as template versions.

File templates are reviewed in code review, so a changed file becomes a new approved version at
once. A version is made only when the parsed content changes (its content hash), never for a
reformatted file. A file that is gone archives its template; no version is ever deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

from .canonical import content_hash
from .models import APPROVED, SOURCE_FILE, Template
from .schema import Template as ParsedTemplate
from .services import add_version, latest_version
from .validator import ValidationError, check_path


@dataclass(frozen=True)
class TemplateFile:
    """One valid template file: where it is, its text, its parsed content and the questions in
    it that map to no control."""

    path: Path
    display: str
    text: str
    parsed: ParsedTemplate
    unmapped: tuple[ValidationError, ...] = ()


@dataclass
class SyncReport:
    """What a sync did, template by template."""

    created: list[tuple[str, int]] = field(default_factory=list)  # (slug, version number)
    unchanged: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)


class SyncError(Exception):
    """The files cannot be synced; nothing was changed. `errors` say why."""

    def __init__(self, errors: list[ValidationError]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def default_directory() -> Path:
    """Return the folder of shipped templates (`questionnaires/` next to the package)."""
    configured = current_app.config.get("QUESTIONNAIRES_DIR")
    return Path(configured) if configured else Path(current_app.root_path).parent / "questionnaires"


def display_path(path: Path) -> str:
    """Name a file as people know it: relative to the working folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def template_files(directory: Path) -> list[Path]:
    """Return the template files of a folder in name order."""
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def load_files(paths: list[Path]) -> tuple[list[TemplateFile], list[ValidationError]]:
    """Validate files; return the valid ones and every error (duplicate ids across files too)."""
    files: list[TemplateFile] = []
    errors: list[ValidationError] = []
    first: dict[str, str] = {}
    for path in paths:
        display = display_path(path)
        checked = check_path(path, display)
        errors.extend(checked.errors)
        parsed = checked.template
        if parsed is None or checked.text is None:
            continue
        if parsed.id in first:
            errors.append(
                ValidationError(
                    display,
                    None,
                    None,
                    f"template id '{parsed.id}' is also used by {first[parsed.id]}",
                )
            )
            continue
        first[parsed.id] = display
        files.append(TemplateFile(path, display, checked.text, parsed, tuple(checked.unmapped)))
    return files, errors


def sync_directory(directory: Path) -> SyncReport:
    """Bring file templates in line with a folder; raise SyncError (changing nothing) if invalid."""
    paths = template_files(directory) if directory.is_dir() else []
    if not paths:
        # An empty or mistyped folder would otherwise archive every shipped template.
        raise SyncError([ValidationError(str(directory), None, None, "no template files (*.yaml)")])
    files, errors = load_files(paths)
    existing = {t.slug: t for t in db.session.scalars(select(Template))}
    for f in files:
        other = existing.get(f.parsed.id)
        if other is not None and other.source != SOURCE_FILE:
            errors.append(
                ValidationError(
                    f.display,
                    None,
                    None,
                    f"template id '{f.parsed.id}' is already used by an uploaded template",
                )
            )
    if errors:
        raise SyncError(errors)

    report = SyncReport()
    for f in files:
        _sync_file(f, existing.get(f.parsed.id), directory, report)
    seen = {f.parsed.id for f in files}
    for slug, template in sorted(existing.items()):
        if template.source == SOURCE_FILE and slug not in seen and not template.archived:
            template.archived_at = utcnow()
            audit.record(
                "template.archive",
                "template",
                template.id,
                details={"slug": slug, "reason": "file removed"},
            )
            report.archived.append(slug)
    db.session.flush()
    return report


def _sync_file(
    f: TemplateFile, template: Template | None, directory: Path, report: SyncReport
) -> None:
    file_path = f"{directory.name}/{f.path.name}"
    if template is None:
        template = Template(
            slug=f.parsed.id,
            title=f.parsed.title,
            kind=f.parsed.kind,
            source=SOURCE_FILE,
            file_path=file_path,
        )
        db.session.add(template)
        db.session.flush()
        audit.record(
            "template.create",
            "template",
            template.id,
            details={"slug": template.slug, "source": SOURCE_FILE, "file": file_path},
        )
    if template.archived:
        template.archived_at = None
        audit.record(
            "template.restore",
            "template",
            template.id,
            details={"slug": template.slug, "file": file_path},
        )
        report.restored.append(template.slug)
    if template.file_path != file_path:
        template.file_path = file_path
    latest = latest_version(template)
    if latest is not None and latest.content_hash == content_hash(f.parsed):
        report.unchanged.append(template.slug)
        return
    version = add_version(template, f.text, f.parsed, created_by=None, status=APPROVED)
    audit.record(
        "template_version.create",
        "template_version",
        version.id,
        details={
            "template": template.slug,
            "number": version.number,
            "content_hash": version.content_hash,
            "file": file_path,
        },
    )
    report.created.append((template.slug, version.number))
