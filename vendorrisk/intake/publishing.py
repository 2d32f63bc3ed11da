"""Four-eyes publishing of imported advisories, like template uploads: an imported advisory
is a draft until a manager other than the one who imported it publishes it.

Drafts are listed with a badge, kept out of the public feed, and no campaign is launched from
one. Publishing is a conditional UPDATE, so two people publishing at once cannot both win.
"""

from __future__ import annotations

from sqlalchemy import CursorResult, Select, select, update

from vendorrisk.audit import services as audit
from vendorrisk.core.timeutil import utcnow
from vendorrisk.extensions import db

from .models import AdvisorySource


class PublishRefused(ValueError):
    """A publication that may not happen, with a message fit to show the user."""


def draft_ids() -> Select:
    """Return a query of the ids of advisories that are drafts."""
    return select(AdvisorySource.advisory_id).where(AdvisorySource.draft.is_(True))


def source_of(advisory) -> AdvisorySource | None:
    """Return where an advisory was imported from (None: written by hand or shipped)."""
    return db.session.scalar(
        select(AdvisorySource).where(AdvisorySource.advisory_id == advisory.id)
    )


def is_draft(advisory) -> bool:
    """Tell whether an advisory is an unpublished import."""
    source = source_of(advisory)
    return source is not None and source.draft


def may_publish(source: AdvisorySource | None, user) -> bool:
    """Whether this user may publish this draft (it waits, and they did not import it)."""
    return source is not None and source.draft and source.imported_by_id != user.id


def publish(advisory, user) -> AdvisorySource:
    """Publish a draft advisory; the person who imported it may not (a second person must)."""
    source = source_of(advisory)
    if source is None or not source.draft:
        raise PublishRefused("This advisory is already published.")
    if source.imported_by_id is not None and source.imported_by_id == user.id:
        audit.record(
            "advisory.publish",
            "advisory",
            advisory.id,
            outcome="denied",
            details={"reason": "importer may not publish", "slug": advisory.slug},
            actor_id=user.id,
        )
        raise PublishRefused(
            "You imported this advisory, so you cannot publish it. Another vendor manager or an "
            "administrator must publish it."
        )
    result: CursorResult = db.session.execute(  # type: ignore[assignment]
        update(AdvisorySource)
        .where(AdvisorySource.id == source.id, AdvisorySource.draft.is_(True))
        .values(draft=False, published_by_id=user.id, published_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(source)
    if result.rowcount != 1:
        raise PublishRefused("This advisory was published meanwhile.")
    audit.record(
        "advisory.publish",
        "advisory",
        advisory.id,
        details={"slug": advisory.slug, "imported_by": source.imported_by_id},
        actor_id=user.id,
    )
    return source
