"""One door to the score a person sees: nothing but the effective-result service applies overrides.

The reviewer's overrides are applied by `scoring.effective.effective_result` (through
`scoring.overrides`), and only `review/effective.py` calls it with what it loads from the
database; pages, reports, exports, the dashboard and the API read that service. A second copy of
the override code is how an API and a PDF come to disagree, so this test keeps the door single.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "vendorrisk"


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


def _imported(tree: ast.AST, path: str) -> set[str]:
    names: set[str] = set()
    package = path.rsplit("/", 1)[0].replace("/", ".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = f"{package}.{base}" if base else package
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _named(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
    }


def test_only_the_effective_result_applies_overrides():
    """apply_overrides is used by scoring/effective.py alone."""
    users = {
        path
        for path, tree in _modules()
        if "apply_overrides" in _named(tree)
        or any(n.startswith("vendorrisk.scoring.overrides") for n in _imported(tree, path))
    }
    assert users <= {"vendorrisk/scoring/overrides.py", "vendorrisk/scoring/effective.py"}


def test_only_the_service_builds_effective_results():
    """Only review/effective.py calls effective_result; everyone else asks that service."""
    users = {
        path
        for path, tree in _modules()
        if "effective_result" in _named(tree)
        or any(n.startswith("vendorrisk.scoring.effective") for n in _imported(tree, path))
    }
    assert users <= {"vendorrisk/scoring/effective.py", "vendorrisk/review/effective.py"}


def test_override_rows_are_read_only_where_the_record_is_kept():
    """Override rows are written by the review service and read for figures by the service
    alone; the vendor PDF lists every override as a record, the snapshot counts them."""
    readers = {path for path, tree in _modules() if "ScoreOverride" in _named(tree)}
    assert readers <= {
        "vendorrisk/review/models.py",
        "vendorrisk/review/services.py",
        "vendorrisk/review/effective.py",
        "vendorrisk/reports/builders/vendor.py",
        "vendorrisk/dashboard/snapshot.py",
    }


def test_every_page_that_shows_a_score_reads_the_service():
    """The review page, both PDFs, the workbook, residual risk, the dashboard and the API."""
    readers = {
        path for path, tree in _modules() if "vendorrisk.review.effective" in _imported(tree, path)
    }
    assert {
        "vendorrisk/review/views.py",
        "vendorrisk/review/queries.py",
        "vendorrisk/reports/builders/vendor.py",
        "vendorrisk/reports/builders/campaign.py",
        "vendorrisk/reports/xlsx.py",
        "vendorrisk/dashboard/snapshot.py",
        "vendorrisk/api/views/campaigns.py",
    } <= readers
