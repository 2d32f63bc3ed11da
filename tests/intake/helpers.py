"""Fixtures files and helpers for the intake tests (fictional products and CVEs)."""

from __future__ import annotations

import json
from pathlib import Path

from vendorrisk.intake.jsonfile import load_json

DATA = Path(__file__).parent / "data"
CSAF = DATA / "csaf-acme-2099-001.json"
CSAF_REV2 = DATA / "csaf-acme-2099-001-rev2.json"
SBOM = DATA / "sbom-widget-app.json"
VEX_CYCLONEDX = DATA / "vex-cyclonedx.json"
VEX_CSAF = DATA / "vex-csaf.json"
KEV = DATA / "kev.json"


def loaded(path: Path, name: str | None = None):
    """Return a fixture file as the importers take it."""
    return load_json(path.read_bytes(), name or path.name)


def data(path: Path) -> dict:
    """Return a fixture file's JSON, to change for a test."""
    return json.loads(path.read_text("utf-8"))


def as_loaded(document: dict, name: str = "changed.json"):
    """Return a JSON document as the importers take it."""
    return load_json(json.dumps(document).encode(), name)
