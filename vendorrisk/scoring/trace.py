"""Read a result's trace: render it as plain lines and check that it adds up to the scores."""

from __future__ import annotations

from fractions import Fraction

from .result import ScoreResult, Status, TraceEntry, round_display
from .rules import number_text


def describe(entry: TraceEntry) -> str:
    """Render one trace entry as a line a reviewer can read."""
    where = f" [{entry.category}]" if entry.category else ""
    points = f"{number_text(entry.earned)} of {number_text(entry.possible)}"
    return f"{entry.question_id}{where}: {points}: {entry.reason}"


def format_trace(result: ScoreResult) -> list[str]:
    """Render the whole trace, one line per question, then one per category and the total."""
    lines = [describe(entry) for entry in result.trace]
    for cat in result.categories:
        if cat.score is None:
            lines.append(f"category {cat.id}: not scored")
        else:
            lines.append(
                f"category {cat.id}: {number_text(cat.earned)} of {number_text(cat.possible)}"
                f" = {round_display(cat.score)}"
            )
    overall = result.overall_display
    lines.append(f"overall: {overall if overall is not None else 'not scored'}")
    return lines


def check_trace(result: ScoreResult) -> list[str]:
    """Return every way the trace fails to add up to the scores (empty when it adds up)."""
    problems: list[str] = []
    by_category: dict[str, tuple[Fraction, Fraction]] = {}
    for entry in result.trace:
        if entry.status in (Status.HIDDEN, Status.NA, Status.SKIPPED, Status.UNSCORED):
            if entry.possible or entry.earned:
                problems.append(f"{entry.question_id}: {entry.status.value} but has points")
            continue
        if not 0 <= entry.earned <= entry.possible:
            problems.append(f"{entry.question_id}: earned {entry.earned} of {entry.possible}")
        if entry.possible and entry.percent is not None:
            if entry.earned != entry.possible * entry.percent / 100:
                problems.append(f"{entry.question_id}: earned is not possible x percent")
        if entry.category is not None and entry.possible:
            possible, earned = by_category.get(entry.category, (Fraction(0), Fraction(0)))
            by_category[entry.category] = (possible + entry.possible, earned + entry.earned)
    weighted = Fraction(0)
    weights = Fraction(0)
    for cat in result.categories:
        possible, earned = by_category.pop(cat.id, (Fraction(0), Fraction(0)))
        if (possible, earned) != (cat.possible, cat.earned):
            problems.append(
                f"category {cat.id}: trace gives {earned} of {possible}, "
                f"result says {cat.earned} of {cat.possible}"
            )
        expected = earned / possible * 100 if possible else None
        if cat.score != expected:
            problems.append(f"category {cat.id}: score {cat.score}, trace gives {expected}")
        if expected is not None:
            weighted += cat.weight * expected
            weights += cat.weight
    for category in by_category:
        problems.append(f"trace has points in unknown category {category}")
    overall = weighted / weights if weights else None
    if result.overall != overall:
        problems.append(f"overall: {result.overall}, trace gives {overall}")
    return problems
