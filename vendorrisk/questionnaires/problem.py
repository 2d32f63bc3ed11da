"""One broken rule of a template, located by its YAML path."""

from __future__ import annotations

from dataclasses import dataclass

from .loader import YamlPath


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (YAML path), which question if any, and why."""

    path: YamlPath
    reason: str
    question_id: str | None = None
