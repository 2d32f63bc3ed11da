"""Effective results of many submitted revisions at once: their overrides in one query.

Every figure still comes from `scoring.effective.effective_result`; this only gathers what it
needs (the parsed template version and the overrides in force) without a query per revision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from vendorrisk.campaigns.models import Revision
from vendorrisk.extensions import db
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review.models import ScoreOverride
from vendorrisk.scoring import ScoreResult
from vendorrisk.scoring.effective import EffectiveResult, Override, effective_result


def overrides_in_force(revision_ids: Iterable[int]) -> dict[int, list[Override]]:
    """Return the overrides in force of each revision (by revision id), in one query."""
    ids = list(revision_ids)
    found: dict[int, list[Override]] = defaultdict(list)
    if not ids:
        return found
    rows = db.session.scalars(
        select(ScoreOverride)
        .where(ScoreOverride.revision_id.in_(ids), ScoreOverride.superseded_at.is_(None))
        .order_by(ScoreOverride.id)
        .options(joinedload(ScoreOverride.by))
    )
    for o in rows:
        found[o.revision_id].append(
            Override(
                o.question_id,
                Fraction(o.new_percent),
                o.justification,
                o.by.name if o.by else None,
                o.at,
            )
        )
    return found


def effective_results(
    revisions: Iterable[tuple[Revision, TemplateVersion]],
) -> dict[int, EffectiveResult]:
    """Return the effective result of each scored revision (by revision id).

    Each revision comes with the template version it was answered on (already loaded).
    """
    scored = [(r, v) for r, v in revisions if r.score]
    overrides = overrides_in_force(r.id for r, _v in scored)
    return {
        r.id: effective_result(ScoreResult.from_dict(r.score), parsed_version(v), overrides[r.id])
        for r, v in scored
    }
