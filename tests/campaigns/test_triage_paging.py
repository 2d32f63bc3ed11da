"""The triage table filters, sorts and pages in SQL: every page of every filter and sort equals
what sorting and filtering the whole campaign in Python gives, effective (overridden) scores
and bands, not-exposed answers, extended due dates and overdue vendors included.

The expected rows are worked out here the long way, from each assignment's latest submitted
revision through the effective-result service and from `Assignment.is_overdue`, independently
of the table's SQL.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.conftest import make_user
from tests.dashboard import bulk
from vendorrisk.campaigns.models import Assignment, Revision
from vendorrisk.campaigns.triage import (
    DECISIONS,
    NO_BAND,
    NOT_REVIEWED,
    PAGE_SIZE,
    SORTS,
    STATES,
    Query,
    triage,
)
from vendorrisk.extensions import db
from vendorrisk.questionnaires.services import parsed_version
from vendorrisk.review import effective
from vendorrisk.review import services as review
from vendorrisk.review.models import OPEN, PLANNED, Finding
from vendorrisk.scoring.result import ScoreResult

NOW = datetime.now(UTC)
_STATE_ORDER = {"not_started": 0, "in_progress": 1, "submitted_late": 2, "submitted": 3}


@pytest.fixture
def campaign_id(db_session):
    manager = make_user("manager")
    built = bulk.build(
        60, 150, owners=[manager], actor=manager, versions=bulk.template_versions(), campaigns=1
    )
    (campaign_id,) = built.campaign_ids
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.campaign_id == campaign_id).order_by(Assignment.id)
    ).all()
    latest = [a.response.latest_submitted for a in assignments if a.response]
    latest = [r for r in latest if r is not None and r.score]
    assert len(latest) >= 12, "the portfolio should hold answered assignments"
    # Reviewers overrode points on a few revisions, both ways.
    for revision, percent in zip(latest[:6], (0, 100, 0, 100, 0, 100), strict=True):
        scored = [t.question_id for t in ScoreResult.from_dict(revision.score).trace if t.possible]
        for question in scored[:4]:
            review.override_points(revision, question, percent, "Seen the evidence.", manager, "")
    # A few vendors answered again in a clarification round, this time ruling exposure out
    # (the table shows the latest submitted revision: no score).
    for revision in latest[8:11]:
        first_question = ScoreResult.from_dict(revision.score).trace[0].question_id
        ruled_out = {**revision.score, "not_exposed": True, "not_exposed_by": [first_question]}
        ruled_out.update(band=None, band_label=None, uncapped_band=None)
        db.session.add(
            Revision(
                response_id=revision.response_id,
                number=revision.number + 1,
                kind="clarification",
                submitted_at=revision.submitted_at + timedelta(days=2),
                answers=revision.answers,
                score=ruled_out,
                band=None,
                overall=revision.overall,
                not_exposed=True,
                impact=revision.impact,
            )
        )
    # A few vendors were given until later; most of the others are past due.
    waiting = [a for a in assignments if a.awaits_answers]
    for a in waiting[:3]:
        a.extended_due_at = a.campaign.due_at + timedelta(days=400)
    a_campaign = assignments[0].campaign
    a_campaign.due_at = NOW - timedelta(days=1)  # most unanswered vendors are overdue
    db.session.flush()
    db.session.expire_all()
    return campaign_id


def _expected(campaign_id: int) -> list[dict]:
    """Each assignment's row, worked out without the table's SQL."""
    assignments = db.session.scalars(
        select(Assignment)
        .where(Assignment.campaign_id == campaign_id)
        .options(selectinload(Assignment.vendor))
    ).all()
    open_findings = Counter(
        db.session.scalars(
            select(Finding.assignment_id).where(
                Finding.assignment_id.in_([a.id for a in assignments]),
                Finding.state.in_((OPEN, PLANNED)),
            )
        )
    )
    revisions = {a.id: a.response.latest_submitted if a.response else None for a in assignments}
    results = effective.for_revisions([r for r in revisions.values() if r is not None])
    rows = []
    for a in assignments:
        revision = revisions[a.id]
        eff = results.get(revision.id) if revision is not None else None
        score = band = None
        if revision is not None:
            score = None if revision.not_exposed else revision.overall
            band = revision.band
            if eff is not None and eff.changed:
                score, band = effective.number(eff.overall), eff.band
        rows.append(
            {
                "id": a.id,
                "name_key": a.vendor.name_key,
                "state": a.response_state,
                "overdue": a.is_overdue(NOW),
                "submitted": revision.submitted_at if revision is not None else None,
                "score": score,
                "band": band,
                "impact": bool(revision.impact) if revision is not None else False,
                "decision": a.review_state or NOT_REVIEWED,
                "findings": open_findings[a.id],
            }
        )
    return rows


def _keep(row: dict, q: Query) -> bool:
    values = {"not_started": {"not_started"}, "in_progress": {"in_progress"}}
    values["submitted"] = {"submitted", "submitted_late"}
    return (
        (q.state != "overdue" or row["overdue"])
        and (q.state not in values or row["state"] in values[q.state])
        and (not q.band or (row["band"] or NO_BAND) == q.band)
        and (not q.decision or row["decision"] == q.decision)
        and (not q.impact or row["impact"] == (q.impact == "yes"))
    )


def _sorted(rows: list[dict], q: Query) -> list[dict]:
    value = {
        "vendor": lambda r: r["name_key"],
        "state": lambda r: _STATE_ORDER.get(r["state"], 9),
        "submitted": lambda r: r["submitted"],
        "score": lambda r: r["score"],
        "band": lambda r: r["band"],
        "decision": lambda r: DECISIONS.get(r["decision"], r["decision"]),
        "findings": lambda r: r["findings"],
    }[q.sort]
    by_name = sorted(rows, key=lambda r: (r["name_key"], r["id"]))
    present = [r for r in by_name if value(r) is not None]
    present.sort(key=value, reverse=q.descending)  # stable: ties stay in name order
    return present + [r for r in by_name if value(r) is None]


def _shown(view) -> list[tuple]:
    return [(r.assignment_id, r.score, r.band, r.overdue, r.open_findings) for r in view.rows]


def _want(rows: list[dict]) -> list[tuple]:
    return [(r["id"], r["score"], r["band"], r["overdue"], r["findings"]) for r in rows]


def test_every_page_of_every_filter_and_sort_matches_the_whole_campaign_sorted_in_python(
    campaign_id,
):
    everything = _expected(campaign_id)
    assert any(r["score"] is None and r["submitted"] for r in everything)  # not exposed
    assert {r["overdue"] for r in everything} == {True, False}
    bands = sorted({r["band"] for r in everything if r["band"]})
    filters = [{}, {"state": "overdue"}, {"state": "submitted"}, {"impact": "yes"}]
    filters += [{"impact": "no"}, {"band": NO_BAND}, {"band": bands[0]}, {"band": bands[-1]}]
    filters += [{"decision": NOT_REVIEWED}, {"decision": "accepted", "state": "submitted"}]
    for chosen, sort, descending in itertools.product(filters, SORTS, (False, True)):
        q = Query(sort=sort, descending=descending, **chosen)
        want = _sorted([r for r in everything if _keep(r, q)], q)
        pages = max(1, -(-len(want) // PAGE_SIZE))
        for page in range(1, pages + 1):
            view = triage(campaign_id, Query(**{**q.__dict__, "page": page}), now=NOW)
            assert (view.matching, view.pages, view.page) == (len(want), pages, page), q
            expected = want[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            assert _shown(view) == _want(expected), (q, page)
    view = triage(campaign_id, Query(), now=NOW)
    assert set(bands) <= set(view.bands)  # the filter offers the questionnaire's bands
    assert view.bands == [b.id for b in parsed_version(view.campaign.template_version).bands]
    assert view.counts == {
        "": len(everything),
        "not_started": sum(r["state"] == "not_started" for r in everything),
        "in_progress": sum(r["state"] == "in_progress" for r in everything),
        "submitted": sum(r["state"] in ("submitted", "submitted_late") for r in everything),
        "overdue": sum(r["overdue"] for r in everything),
    }
    assert set(view.counts) == set(STATES)


def test_a_page_past_the_last_shows_the_last_and_an_empty_filter_shows_none(campaign_id):
    total = len(_expected(campaign_id))
    last = -(-total // PAGE_SIZE)
    view = triage(campaign_id, Query(page=last + 7), now=NOW)
    assert (view.page, view.pages, view.matching) == (last, last, total)
    assert len(view.rows) == total - (last - 1) * PAGE_SIZE
    nothing = triage(campaign_id, Query(band="Z"), now=NOW)
    assert (nothing.rows, nothing.matching, nothing.page, nothing.pages) == ([], 0, 1, 1)


def test_overridden_rows_carry_their_effective_result_and_score(campaign_id):
    view = triage(campaign_id, Query(sort="score"), now=NOW)
    changed = [
        r
        for page in range(1, view.pages + 1)
        for r in triage(campaign_id, Query(sort="score", page=page), now=NOW).rows
        if r.effective is not None and r.effective.changed
    ]
    assert changed, "the overrides should change some scores"
    for row in changed:
        assert row.score == effective.number(row.effective.overall)
        assert row.band == row.effective.band
