"""The five breach-pack advisories load through the sync with their products and updates, and
freeze exactly the dates their questionnaires score against."""

import shutil

import pytest
from sqlalchemy import select

from tests.advisories.helpers import SHIPPED, sync_shipped
from tests.questionnaires.test_breach_packs import PACKS, _template
from vendorrisk.advisories import sync
from vendorrisk.advisories.models import Advisory
from vendorrisk.advisories.services import effective
from vendorrisk.extensions import db
from vendorrisk.vendors.matching import find_products

ALIASES = {
    "moveit-transfer-2023": "Progress MOVEit Transfer",
    "snowflake-credential-campaign-2024": "Snowflake",
    "okta-support-system-2023": "Okta Workforce Identity",
    "crowdstrike-channel-file-291-2024": "Falcon sensor",
    "xz-utils-backdoor-2024": "liblzma",
}


@pytest.mark.parametrize("slug", sorted(PACKS))
def test_a_pack_advisory_syncs_and_freezes_the_dates_its_template_scores_against(db_session, slug):
    report = sync_shipped(slug)
    assert report.created == [slug]
    advisory = db.session.scalar(select(Advisory).where(Advisory.slug == slug))
    assert advisory.templates == [slug]
    frozen = effective(advisory).frozen_dates()
    assert frozen == {name: day.isoformat() for name, day in PACKS[slug].items()}
    for ref in _template(slug).reference_dates:
        assert frozen[ref.name] == ref.default.isoformat()
    assert find_products(ALIASES[slug]), f"{slug}: product not found by its alias"


def test_every_shipped_advisory_syncs_twice_without_change(runner, tmp_path):
    folder = tmp_path / "advisories"
    folder.mkdir()
    for path in sync.advisory_files(SHIPPED):
        shutil.copy(path, folder / path.name)
    count = len(sync.advisory_files(folder))
    first = runner.invoke(args=["advisories", "sync", "--dir", str(folder)])
    assert first.exit_code == 0, first.output
    assert f"{count} created" in first.output
    second = runner.invoke(args=["advisories", "sync", "--dir", str(folder)])
    assert second.exit_code == 0, second.output
    assert f"0 created, 0 changed, 0 update(s) added, {count} unchanged" in second.output
