"""What a campaign launched from an advisory starts with.

The vendors whose exposure result is affected or unknown are pre-selected, the first linked template with an approved
version is chosen, and the advisory's key dates as of its latest update are frozen into the
campaign's reference dates (over the template's own defaults), so answers are scored against
the dates the advisory gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vendorrisk.extensions import db
from vendorrisk.intake.publishing import is_draft
from vendorrisk.questionnaires.models import TemplateVersion
from vendorrisk.questionnaires.services import current_version, template_by_slug
from vendorrisk.vendors.models import OFFBOARDED

from .exposure import vendor_rows
from .models import Advisory, AdvisoryProduct
from .results import LAUNCH_OUTCOMES
from .services import effective


@dataclass(frozen=True)
class LaunchContext:
    """An advisory's contribution to a new campaign."""

    advisory: Advisory
    vendor_ids: list[int]
    vendor_names: list[str]
    template_version: TemplateVersion | None
    key_dates: dict[str, str]
    key_date_labels: dict[str, str]

    @property
    def name(self) -> str:
        return self.advisory.title[:200]

    def reference_dates(self, template_defaults: dict[str, str]) -> dict[str, str]:
        """Return the dates a campaign freezes: the template's defaults, then the advisory's."""
        return {**template_defaults, **self.key_dates}


def launch_context(slug: str | None) -> LaunchContext | None:
    """Return what a campaign for this advisory starts with (None: no such advisory)."""
    if not slug:
        return None
    advisory = db.session.scalar(
        select(Advisory)
        .where(Advisory.slug == slug)
        .options(
            selectinload(Advisory.products).selectinload(AdvisoryProduct.product),
            selectinload(Advisory.updates),
        )
    )
    if advisory is None or is_draft(advisory):
        return None
    version = None
    for template_slug in advisory.templates:
        template = template_by_slug(template_slug)
        if template is not None and not template.archived:
            version = current_version(template)
            if version is not None:
                break
    current = effective(advisory)
    # Affected and unknown vendors by default: only a source that rules a vendor out leaves
    # it unticked.
    exposed = [
        r.vendor
        for r in vendor_rows(advisory)
        if r.result.outcome in LAUNCH_OUTCOMES and r.vendor.status != OFFBOARDED
    ]
    return LaunchContext(
        advisory,
        [v.id for v in exposed],
        [v.name for v in exposed],
        version,
        current.frozen_dates(),
        current.date_labels(),
    )
