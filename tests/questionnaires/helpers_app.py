"""Fixtures and builders for the in-app template tests (CLI, sync, pages, upload, preview)."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from sqlalchemy import func, select

from vendorrisk.audit.models import AuditEntry
from vendorrisk.extensions import db
from vendorrisk.questionnaires import services
from vendorrisk.questionnaires.models import APPROVED, SOURCE_UPLOAD, Template, TemplateVersion
from vendorrisk.questionnaires.validator import validate_text

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "questionnaires"
DATA = Path(__file__).parent / "data"
COMPLETE = DATA / "complete.yaml"


def copy_shipped(tmp_path: Path) -> Path:
    """Copy the shipped templates into a folder the test may change."""
    target = tmp_path / "questionnaires"
    target.mkdir()
    for path in sorted(SHIPPED.glob("*.yaml")):
        shutil.copy(path, target / path.name)
    return target


def sync(runner, directory: Path):
    """Run `flask questionnaires sync --dir directory`."""
    return runner.invoke(args=["questionnaires", "sync", "--dir", str(directory)])


def count(model) -> int:
    """Count the rows of a model visible to the test."""
    return db.session.scalar(select(func.count()).select_from(model))


def audit_actions(prefix: str = "template") -> list[AuditEntry]:
    """Return the audit entries whose action starts with `prefix`, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)
        )
    )


def store_version(
    text: str, *, slug_source: str = SOURCE_UPLOAD, status: str = APPROVED, created_by=None
) -> TemplateVersion:
    """Store YAML as a version of a (new or existing) template directly, bypassing the views."""
    parsed, errors = validate_text(text, "test.yaml")
    assert parsed is not None, [str(e) for e in errors]
    template = services.template_by_slug(parsed.id)
    if template is None:
        template = Template(
            slug=parsed.id, title=parsed.title, kind=parsed.kind, source=slug_source
        )
        db.session.add(template)
        db.session.flush()
    return services.add_version(template, text, parsed, created_by=created_by, status=status)


def complete_version(**kwargs) -> TemplateVersion:
    """Store the format's complete example (every question type and feature) as a version."""
    return store_version(COMPLETE.read_text(encoding="utf-8"), **kwargs)


def element(html: str, element_id: str) -> str:
    """Return the opening tag of the element with this id."""
    match = re.search(rf'<[a-z]+[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert match, f"no element #{element_id}"
    return match.group(0)


def is_hidden(html: str, element_id: str) -> bool:
    """Whether the element with this id carries the `hidden` attribute."""
    return re.search(r"\shidden(\s|>|=)", element(html, element_id)) is not None


def questionnaire_part(html: str) -> str:
    """Return the vendor-facing part of a preview page (the questionnaire itself)."""
    start = html.index('<div class="vr-questionnaire">')
    end = html.index('id="try-it"') if 'id="try-it"' in html else html.index("</form>", start)
    return html[start:end]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def tags(html: str, tag: str, **attrs: str) -> list[dict[str, str | None]]:
    """Return the attributes of every `tag` element whose attributes include `attrs`."""
    parser = _Tags()
    parser.feed(html)
    return [
        found
        for name, found in parser.found
        if name == tag and all(found.get(k) == v for k, v in attrs.items())
    ]


def all_tags(html: str) -> list[dict[str, str | None]]:
    """Return the attributes of every element."""
    parser = _Tags()
    parser.feed(html)
    return [found for _, found in parser.found]
