"""Score a vendor's answers against a template version: pure Python, exact, explained."""

from .engine import ENGINE_VERSION, score_response
from .plan import MissingReferenceDate, TemplateNotScorable
from .rescore import RescoreReport, rescore
from .result import (
    CategoryScore,
    Completeness,
    Finding,
    FindingKind,
    ImpactSignal,
    ScoreResult,
    Status,
    TraceEntry,
)
from .trace import check_trace, format_trace

__all__ = [
    "ENGINE_VERSION",
    "CategoryScore",
    "Completeness",
    "Finding",
    "FindingKind",
    "ImpactSignal",
    "MissingReferenceDate",
    "RescoreReport",
    "ScoreResult",
    "Status",
    "TemplateNotScorable",
    "TraceEntry",
    "check_trace",
    "format_trace",
    "rescore",
    "score_response",
]
