"""The effective result of submitted revisions, loaded from the database.

This is the one door through which any page, report, export or API response gets the score a
person sees. It loads each revision's computed result (the stored score JSON), the template
version it was scored on and the reviewer overrides in force, and hands them to
`vendorrisk.scoring.effective.effective_result`, which applies the overrides. No other module
applies overrides or reads a band from the computed result and the overrides itself.

Functions (all return `EffectiveResult`, see vendorrisk/scoring/effective.py):

- `for_revision(revision)`: one submitted revision (None when it has no score).
- `for_revisions(revisions)`: many revisions at once, by revision id, in a fixed number of
  queries whatever their number (revisions without a score are left out).
- `for_assignment(assignment)`: the latest submitted revision of one assignment, or None.
- `for_assignments(assignments)`: the latest submitted revision of each assignment, by
  assignment id, in a fixed number of queries (assignments with nothing scored are left out).
- `overridden_results(ids)`: the effective results of those revisions that have overrides
  in force, in one query (the others' effective figures are their computed ones).
- `effective_bands({revision id: stored band})`: effective bands for long lists (residual
  risk), rescoring only the revisions with overrides in force.
- `override_mark(column)`: the newest override in force of a revision, as a column of another
  query (a cache key: it changes whenever an override is made or superseded).
- `latest_revisions(assignments)`: each assignment's latest submitted revision, by assignment
  id, in one query (for pages that show the revision beside its result).
- `needs_reviewer(result, template)`: the review flags as "needs reviewer" items, each with
  the answers it is about, as the review page and the vendor PDF list them.

The figures to show are the `EffectiveResult`'s: `.overall` / `.overall_display`, `.band`,
`.band_label`, `.verdict`, `.review_flags` ("needs reviewer" items), `.not_exposed_reason()`,
`.result.categories` (effective) and `.computed` (the engine's own result, kept beside it);
`.to_json()` is the API's shape (numbers as numbers, `overall`/`band` null when not exposed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import defer

from vendorrisk.accounts.models import User
from vendorrisk.campaigns.models import Assignment, Campaign, Response, Revision
from vendorrisk.extensions import db
from vendorrisk.questionnaires.answers import encode_answer
from vendorrisk.questionnaires.display import answer_text
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.questionnaires.schema import Template
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review.models import ScoreOverride
from vendorrisk.scoring.effective import EffectiveResult, Override, effective_result, number
from vendorrisk.scoring.result import ScoreResult, Verdict

__all__ = [
    "EffectiveResult",
    "active_overrides",
    "for_assignment",
    "for_assignments",
    "for_revision",
    "overridden_results",
    "for_revisions",
    "effective_bands",
    "override_mark",
    "latest_revisions",
    "needs_reviewer",
    "number",
]

VERDICT_LABELS = {
    Verdict.NEEDS_REVIEW: "Needs reviewer",
    Verdict.NOT_EXPOSED: "Not exposed",
    Verdict.NOT_SCORED: "Not scored",
    Verdict.SCORED: "Scored",
}

FLAG_TITLES = {
    "contradiction": "Contradictory answers",
    "exclusive": "An option meant to stand alone was ticked with others",
    "uncertain": "The vendor is not sure",
    "date": "A date to check",
    "certificate": "The certificate does not match the answers",
}


@dataclass(frozen=True, slots=True)
class AnswerShown:
    """One answer a review flag is about, as a reader sees it."""

    question_id: str
    question: str
    answer: str


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A "needs reviewer" item: why a person must look, and the answers concerned."""

    kind: str
    title: str
    reason: str
    answers: tuple[AnswerShown, ...]


def needs_reviewer(result: EffectiveResult, template: Template) -> list[ReviewItem]:
    """Return the result's review flags as "needs reviewer" items with the answers they list."""
    answers = result.computed.answers
    items = []
    for flag in result.review_flags:
        shown = []
        for question_id in flag.question_ids:
            try:
                question = template.question(question_id)
            except KeyError:
                question = None
            given = answers.get(question_id)
            shown.append(
                AnswerShown(
                    question_id,
                    question.text if question is not None else question_id,
                    answer_text(question, encode_answer(given)) if given is not None else "",
                )
            )
        items.append(
            ReviewItem(
                flag.kind,
                FLAG_TITLES.get(flag.kind, flag.kind.replace("_", " ").capitalize()),
                flag.reason,
                tuple(shown),
            )
        )
    return items


def active_overrides(revision_ids: Iterable[int]) -> dict[int, list[Override]]:
    """Return the overrides in force for each revision, oldest first, with who set them.

    One query, whatever the number of revisions (none included: the count stays fixed).
    """
    ids = sorted(set(revision_ids))
    found: dict[int, list[Override]] = {}
    rows = db.session.execute(
        select(ScoreOverride, User.name)
        .outerjoin(User, User.id == ScoreOverride.by_id)
        .where(ScoreOverride.revision_id.in_(ids), ScoreOverride.superseded_at.is_(None))
        .order_by(ScoreOverride.id)
    )
    for row, by in rows:
        found.setdefault(row.revision_id, []).append(_override(row, by))
    return found


def _override(row: ScoreOverride, by: str | None) -> Override:
    return Override(
        question_id=row.question_id,
        percent=Fraction(row.new_percent),
        justification=row.justification,
        by=by,
        at=row.at,
    )


def override_mark(revision_id: ColumnElement[int]) -> ScalarSelect[int | None]:
    """Return SQL for the newest override in force of a revision (null: none), as a column.

    Lets a query that lists revisions say which have overrides in force without another query.
    """
    return (
        select(func.max(ScoreOverride.id))
        .where(ScoreOverride.revision_id == revision_id, ScoreOverride.superseded_at.is_(None))
        .scalar_subquery()
    )


def _versions(revision_ids: list[int]) -> dict[int, TemplateVersion]:
    """Return the template version each revision was answered on, in one query."""
    rows = db.session.execute(
        select(Revision.id, TemplateVersion)
        .join(Response, Response.id == Revision.response_id)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .join(Campaign, Campaign.id == Assignment.campaign_id)
        .join(TemplateVersion, TemplateVersion.id == Campaign.template_version_id)
        .where(Revision.id.in_(revision_ids))
    )
    return {revision_id: version for revision_id, version in rows}


def for_revisions(revisions: Iterable[Revision]) -> dict[int, EffectiveResult]:
    """Return the effective result of each scored revision, by revision id.

    Two queries (template versions; overrides with their authors) however many revisions are
    given, none included; a revision without a stored score is left out.
    """
    scored = [r for r in revisions if r.score]
    ids = [r.id for r in scored]
    versions = _versions(ids)
    overrides = active_overrides(ids)
    results: dict[int, EffectiveResult] = {}
    for revision in scored:
        template = parsed_version(versions[revision.id])
        computed = ScoreResult.from_dict(revision.score or {})
        results[revision.id] = effective_result(computed, template, overrides.get(revision.id, ()))
    return results


def overridden_results(revision_ids: Iterable[int]) -> dict[int, EffectiveResult]:
    """Return the effective results of those revisions that have overrides in force.

    One query (each override in force with its author, revision and template version); a
    revision left out has none, so its effective figures are its computed ones.
    """
    ids = sorted(set(revision_ids))
    rows = db.session.execute(
        select(ScoreOverride, User.name, Revision, TemplateVersion)
        .outerjoin(User, User.id == ScoreOverride.by_id)
        .join(Revision, Revision.id == ScoreOverride.revision_id)
        .join(Response, Response.id == Revision.response_id)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .join(Campaign, Campaign.id == Assignment.campaign_id)
        .join(TemplateVersion, TemplateVersion.id == Campaign.template_version_id)
        .where(ScoreOverride.revision_id.in_(ids), ScoreOverride.superseded_at.is_(None))
        .order_by(ScoreOverride.id)
    )
    found: dict[int, tuple[Revision, TemplateVersion, list[Override]]] = {}
    for row, by, revision, version in rows:
        found.setdefault(revision.id, (revision, version, []))[2].append(_override(row, by))
    return {
        revision_id: effective_result(
            ScoreResult.from_dict(revision.score or {}), parsed_version(version), overrides
        )
        for revision_id, (revision, version, overrides) in found.items()
        if revision.score
    }


def overridden_in_campaign(campaign_id: int) -> dict[int, EffectiveResult]:
    """Return the effective results of the campaign's revisions that have overrides in force,
    by revision id (two queries: which revisions, then `overridden_results`)."""
    ids = db.session.scalars(
        select(ScoreOverride.revision_id)
        .distinct()
        .join(Revision, Revision.id == ScoreOverride.revision_id)
        .join(Response, Response.id == Revision.response_id)
        .join(Assignment, Assignment.id == Response.assignment_id)
        .where(Assignment.campaign_id == campaign_id, ScoreOverride.superseded_at.is_(None))
    ).all()
    return overridden_results(ids) if ids else {}


def effective_bands(stored: Mapping[int, str | None]) -> dict[int, str | None]:
    """Return the effective band of revisions given their stored (computed) bands, by id.

    For lists of many vendors (residual risk): only revisions with overrides in force are
    rescored, since without one the effective band is the computed band. One query.
    """
    changed = overridden_results(stored)
    return {
        revision_id: changed[revision_id].band if revision_id in changed else band
        for revision_id, band in stored.items()
    }


def for_revision(revision: Revision) -> EffectiveResult | None:
    """Return the effective result of one revision, or None when it has no score."""
    return for_revisions([revision]).get(revision.id)


def latest_revisions(assignments: Iterable[Assignment]) -> dict[int, Revision]:
    """Return each assignment's latest submitted revision, by assignment id, in one query."""
    ids = sorted({a.id for a in assignments})
    newest = (
        select(func.max(Revision.number))
        .where(Revision.response_id == Response.id, Revision.submitted_at.is_not(None))
        .correlate(Response)
        .scalar_subquery()
    )
    # Only the latest revision of each, and without its answers (read if someone asks for them):
    # a campaign's results never hold every vendor's answers in memory at once.
    rows = db.session.execute(
        select(Response.assignment_id, Revision)
        .join(Revision, Revision.response_id == Response.id)
        .where(Response.assignment_id.in_(ids), Revision.number == newest)
        .options(defer(Revision.answers), defer(Revision.evidence_index))
    )
    return {assignment_id: revision for assignment_id, revision in rows}


def for_assignments(assignments: Iterable[Assignment]) -> dict[int, EffectiveResult]:
    """Return the effective result of each assignment's latest submitted revision.

    Keyed by assignment id; assignments with nothing submitted or scored are left out. A fixed
    number of queries (three) whatever the number of assignments.
    """
    latest = latest_revisions(assignments)
    results = for_revisions(latest.values())
    return {
        assignment_id: results[revision.id]
        for assignment_id, revision in latest.items()
        if revision.id in results
    }


def for_assignment(assignment: Assignment) -> EffectiveResult | None:
    """Return the effective result of an assignment's latest submitted revision, or None."""
    return for_assignments([assignment]).get(assignment.id)
