"""The vendor portal, split by what a vendor does: open a link, answer, submit, plan fixes.

Each module registers its routes on the one `portal` blueprint when imported.
"""

from vendorrisk.portal import (  # noqa: F401  (importing registers the routes)
    answer_views,
    caiq_views,
    delegation_views,
    finding_views,
    intake_views,
    link_views,
    reuse_views,
    submit_views,
    workbook_views,
)
from vendorrisk.portal.blueprint import bp

__all__ = ["bp"]
