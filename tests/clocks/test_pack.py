"""The incident pack: its manifest verifies with a plain `sha256sum -c`."""

import io
import json
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import make_user
from vendorrisk.clocks import services

EXPECTED = {
    "SHA256SUMS",
    "audit.csv",
    "answers.json",
    "campaign.json",
    "clocks.json",
    "decisions.csv",
    "evidence.csv",
    "findings.csv",
    "summary.pdf",
    "timeline.csv",
    "timeline.json",
}


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils sha256sum")
def test_the_pack_verifies_with_sha256sum_and_holds_both_clocks(
    client, auth, late_vendor, owner, tmp_path
):
    """Download, unzip, `sha256sum -c SHA256SUMS` passes; tampering with a file fails it."""
    services.save_settings("Europe/Berlin", ["gdpr"], make_user("admin"), datetime.now(UTC))
    assignment = late_vendor.assignments[0]
    now = datetime.now(UTC)
    services.record_awareness(assignment, services.Awareness(now - timedelta(hours=2)), owner, now)
    auth.login("compliance")
    response = client.get(f"/campaigns/{late_vendor.id}/incident-pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert set(archive.namelist()) == EXPECTED
        archive.extractall(tmp_path)
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(EXPECTED) - 1
    assert (tmp_path / "summary.pdf").read_bytes().startswith(b"%PDF")
    clocks = json.loads((tmp_path / "clocks.json").read_text())
    assert clocks["vendor"][0]["clause_breached"] is True
    assert clocks["regulatory"][0]["deadlines"][0]["basis"].startswith("GDPR Art. 33(1)")
    answers = json.loads((tmp_path / "answers.json").read_text())
    assert answers[0]["attestation_sha256"] == assignment.response.revisions[0].attestation_hash
    (tmp_path / "findings.csv").write_text("altered\n")
    tampered = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True
    )
    assert tampered.returncode != 0 and "findings.csv: FAILED" in tampered.stdout


def test_an_advisory_pack_holds_every_campaign_of_the_advisory_the_reader_may_export(
    client, auth, late_vendor, owner, tmp_path
):
    """Two campaigns for one advisory: compliance gets both, with the advisory's publication
    and update on the timeline; a manager gets only theirs; a reviewer with none is refused."""
    from tests.advisories.helpers import add_update, make_advisory
    from tests.support.factories import approved_version, create_campaign, make_vendor
    from vendorrisk.extensions import db

    advisory = make_advisory()
    add_update(advisory, title="Credentials too")
    late_vendor.advisory_slug = advisory.slug
    other = create_campaign(approved_version(), [make_vendor(owner=owner)])
    other.advisory_slug = advisory.slug
    other.created_by_id = make_user("manager").id
    db.session.commit()

    auth.login("compliance")
    pack_link = f'href="/advisories/{advisory.slug}/incident-pack.zip"'
    assert pack_link in client.get(f"/advisories/{advisory.slug}").text
    response = client.get(f"/advisories/{advisory.slug}/incident-pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert set(archive.namelist()) == EXPECTED - {"campaign.json"} | {"advisory.json"}
        archive.extractall(tmp_path)
    check = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    header = json.loads((tmp_path / "advisory.json").read_text())
    assert header["advisory"] == advisory.slug
    assert [c["id"] for c in header["campaigns"]] == [late_vendor.id, other.id]
    assert [u["title"] for u in header["updates"]] == ["Credentials too"]
    events = [t["event"] for t in json.loads((tmp_path / "timeline.json").read_text())]
    assert events[:2] == ["advisory published", "advisory update 1"]
    assert events.count("campaign sent") == 2

    from vendorrisk.accounts.models import User

    auth.logout()
    auth.login(user=db.session.get(User, late_vendor.created_by_id))
    mine = client.get(f"/advisories/{advisory.slug}/incident-pack.zip")
    assert mine.status_code == 200
    with zipfile.ZipFile(io.BytesIO(mine.data)) as archive:
        ids = [c["id"] for c in json.loads(archive.read("advisory.json"))["campaigns"]]
    assert ids == [late_vendor.id]

    auth.logout()
    auth.login("reviewer")
    assert pack_link not in client.get(f"/advisories/{advisory.slug}").text
    assert client.get(f"/advisories/{advisory.slug}/incident-pack.zip").status_code == 403
