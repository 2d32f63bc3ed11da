"""Test data for advisories, built through the real services (flushed, never committed)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from itertools import count
from pathlib import Path

from vendorrisk.advisories import services, sync
from vendorrisk.advisories.document import AdvisoryDocument, Update
from vendorrisk.advisories.models import SOURCE_APP
from vendorrisk.vendors import catalogue

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "advisories"
MIMECAST = "mimecast-certificate-compromise-2021"
SOLARWINDS = "solarwinds-orion-supply-chain-2020"
LOG4SHELL = "log4shell-cve-2021-44228"
SMALL = "connector-breach-check"  # the small test questionnaire's id

_n = count(1)


def make_product(name: str | None = None, *, supplier: str = "Acme", aliases=(), versions=()):
    """Add a catalogue product."""
    n = next(_n)
    return catalogue.create_product(
        {
            "supplier": supplier,
            "name": name or f"Widget {n}",
            "aliases": list(aliases),
            "known_versions": list(versions),
        }
    )


def document(**fields) -> AdvisoryDocument:
    """Return a valid advisory document; fields override the defaults."""
    n = next(_n)
    data = {
        "slug": f"test-advisory-{n}",
        "title": f"Test advisory {n}",
        "publisher": "Acme",
        "published": date(2021, 1, 12),
        "severity": "high",
        "summary": "A supplier's connector certificate was compromised.",
        "body": "## What happened\n\nThe certificate was stolen.",
        "key_dates": [{"name": "compromise_date", "label": "Disclosed", "date": "2021-01-12"}],
        "actions": [
            {"id": "rotate", "for": "firm", "text": "Rotate our own connector certificate."},
            {"id": "review-logs", "for": "firm", "text": "Review our logs two weeks back."},
            {
                "id": "vendors-rotate",
                "for": "vendors",
                "text": "Ask vendors to rotate it.",
                "questions": [f"{SMALL}/rotated"],
            },
        ],
        "references": [{"title": "Notice", "url": "https://supplier.example/notice"}],
        "templates": [SMALL],
    }
    data.update(fields)
    return AdvisoryDocument.model_validate(data)


def make_advisory(products=(), *, actor=None, **fields):
    """Save an advisory written in the app; `products` are (product, affected, fixed) tuples."""
    doc = document(**fields)
    choices = [services.ProductChoice(p, tuple(a), tuple(f)) for p, a, f in products]
    advisory, _ = services.save_document(None, doc, choices, source=SOURCE_APP, actor=actor)
    return advisory


def add_update(advisory, actor=None, **fields):
    """Append an update written in the app."""
    data = {"date": date(2021, 1, 26), "title": "Credentials too", "body": "Reset them."}
    data.update(fields)
    return services.add_update(advisory, Update.model_validate(data), actor)


def sync_shipped(*slugs: str, folder: Path | None = None):
    """Load shipped advisory files through the sync (all of them by default)."""
    names = [f"{s}.md" for s in slugs] or [p.name for p in sync.advisory_files(SHIPPED)]
    with tempfile.TemporaryDirectory() as tmp:
        target = folder or Path(tmp) / "advisories"
        target.mkdir(exist_ok=True)
        for name in names:
            shutil.copy(SHIPPED / name, target / name)
        return sync.sync_directory(target)


def advisory_campaign(version, vendors, advisory, *, actor=None, reference_dates=None):
    """Send a campaign for an advisory through the service (invitations queued, not sent)."""
    from datetime import timedelta

    from tests.conftest import make_user
    from vendorrisk.campaigns import services as campaigns
    from vendorrisk.extensions import db
    from vendorrisk.questionnaires.services import parsed_version

    campaign = campaigns.create_campaign(
        name=f"{advisory.title} follow-up {next(_n)}",
        template_version=version,
        vendor_ids=[v.id for v in vendors],
        due_date=date.today() + timedelta(days=14),
        tz_name="Europe/London",
        message=None,
        reference_dates=reference_dates
        or campaigns.default_reference_dates(parsed_version(version)),
        actor=actor or make_user("manager"),
        advisory_slug=advisory.slug,
    )
    db.session.flush()
    return campaign


def feed_path(user=None) -> str:
    """Return the path of a person's personal feed link (made for a new reader by default)."""
    from tests.conftest import make_user
    from vendorrisk.advisories.feed_tokens import create_feed_token

    return f"/advisories/feed/{create_feed_token(user or make_user('compliance'))}.atom"
