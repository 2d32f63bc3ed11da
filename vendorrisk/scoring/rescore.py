"""Recompute a stored result from its own inputs and say whether anything changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vendorrisk.questionnaires.schema import Template

from .engine import ENGINE_VERSION, score_response
from .result import ScoreResult

# Reported on their own: a new engine or template hash is news, not a difference in outcome.
_NOT_COMPARED = frozenset({"engine_version", "template_hash"})


@dataclass(frozen=True, slots=True)
class RescoreReport:
    """The stored result, the recomputed one, and where they differ."""

    stored: ScoreResult
    recomputed: ScoreResult
    differences: tuple[str, ...]
    same_engine: bool
    same_template: bool | None

    @property
    def matches(self) -> bool:
        """Whether recomputing gave the stored scores, band, findings and trace."""
        return not self.differences


def _diff(stored: Any, now: Any, path: str, out: list[str]) -> None:
    if isinstance(stored, Mapping) and isinstance(now, Mapping):
        for key in sorted(set(stored) | set(now), key=str):
            if (path == "" and key in _NOT_COMPARED) or str(key).endswith("_display"):
                continue  # reported on their own, or derived from an exact value compared
            where = f"{path}.{key}" if path else str(key)
            if key not in stored:
                out.append(f"{where}: not stored, now {now[key]!r}")
            elif key not in now:
                out.append(f"{where}: stored {stored[key]!r}, now absent")
            else:
                _diff(stored[key], now[key], where, out)
    elif isinstance(stored, list) and isinstance(now, list):
        for i, (a, b) in enumerate(zip(stored, now, strict=False)):
            _diff(a, b, f"{path}[{i}]", out)
        if len(stored) != len(now):
            out.append(f"{path}: {len(stored)} items stored, {len(now)} now")
    elif stored != now:
        out.append(f"{path}: stored {stored!r}, now {now!r}")


def differences(stored: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """List where two `ScoreResult.to_dict()` outputs differ (versions and display aside)."""
    found: list[str] = []
    _diff(stored, now, "", found)
    return found


def rescore(stored: Mapping[str, Any], template: Template) -> RescoreReport:
    """Recompute a stored result (`ScoreResult.to_dict()` output) and compare."""
    previous = ScoreResult.from_dict(stored)
    recomputed = score_response(template, previous.answers, previous.reference_dates)
    changed = differences(previous.to_dict(), recomputed.to_dict())
    same_template = (
        None
        if previous.template_hash is None
        else previous.template_hash == recomputed.template_hash
    )
    return RescoreReport(
        stored=previous,
        recomputed=recomputed,
        differences=tuple(changed),
        same_engine=previous.engine_version == ENGINE_VERSION,
        same_template=same_template,
    )
