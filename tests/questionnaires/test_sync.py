"""`flask questionnaires sync`: file templates become approved versions when their content
changes, and only then; versions are immutable and never deleted."""

from __future__ import annotations

import pytest
from helpers_app import DATA, audit_actions, copy_shipped, count, store_version, sync
from helpers_questionnaires import template
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from vendorrisk.extensions import db
from vendorrisk.questionnaires import services
from vendorrisk.questionnaires.models import (
    APPROVED,
    PENDING,
    SOURCE_FILE,
    ImmutableVersionError,
    Template,
    TemplateVersion,
)

MIMECAST = "mimecast-certificate-compromise-2021"


@pytest.fixture
def shipped_dir(tmp_path):
    """A copy of the shipped templates the test may change."""
    return copy_shipped(tmp_path)


def _slugs(folder) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


def _template(slug: str) -> Template:
    return db.session.scalar(select(Template).where(Template.slug == slug))


def test_first_sync_loads_every_file_as_an_approved_version(runner, shipped_dir):
    result = sync(runner, shipped_dir)
    assert result.exit_code == 0, result.output
    slugs = _slugs(shipped_dir)
    assert f"{len(slugs)} new version(s), 0 unchanged, 0 archived" in result.output
    templates = db.session.scalars(select(Template).order_by(Template.slug)).all()
    assert [t.slug for t in templates] == slugs
    assert {
        "certificate-and-key-lifecycle",
        "incident-readiness-baseline",
        MIMECAST,
        "solarwinds-orion-supply-chain-2020",
    } <= set(slugs)
    for t in templates:
        assert t.source == SOURCE_FILE and t.file_path == f"questionnaires/{t.slug}.yaml"
        version = services.current_version(t)
        assert (version.number, version.status, version.created_by_id) == (1, APPROVED, None)
        assert version.yaml_text == (shipped_dir / f"{t.slug}.yaml").read_text(encoding="utf-8")
        assert services.parsed_version(version).id == t.slug
        assert t.title == services.parsed_version(version).title


def test_sync_is_audited_as_the_system(runner, shipped_dir):
    sync(runner, shipped_dir)
    entries = audit_actions("template")
    assert sorted({e.action for e in entries}) == ["template.create", "template_version.create"]
    assert len(entries) == 2 * len(_slugs(shipped_dir))
    assert {e.actor_type for e in entries} == {"system"}


def test_sync_is_idempotent(runner, shipped_dir):
    """A second sync of unchanged files creates nothing and records nothing."""
    sync(runner, shipped_dir)
    versions, entries = count(TemplateVersion), len(audit_actions())
    result = sync(runner, shipped_dir)
    assert result.exit_code == 0, result.output
    assert f"0 new version(s), {len(_slugs(shipped_dir))} unchanged, 0 archived" in result.output
    assert (count(TemplateVersion), len(audit_actions())) == (versions, entries)


def test_a_changed_file_makes_exactly_one_new_version_and_the_old_one_stays_readable(
    runner, shipped_dir
):
    sync(runner, shipped_dir)
    path = shipped_dir / f"{MIMECAST}.yaml"
    original = path.read_text(encoding="utf-8")
    old_title = 'title: "Mimecast certificate compromise (January 2021): vendor follow-up"'
    assert old_title in original
    path.write_text(original.replace(old_title, 'title: "Mimecast 2021: follow-up"'), "utf-8")

    result = sync(runner, shipped_dir)
    assert result.exit_code == 0, result.output
    assert f"{MIMECAST}: version 2 created" in result.output
    assert f"1 new version(s), {len(_slugs(shipped_dir)) - 1} unchanged" in result.output
    t = _template(MIMECAST)
    v1, v2 = t.versions
    assert (v1.number, v2.number) == (1, 2)
    assert services.current_version(t) == v2 and t.title == "Mimecast 2021: follow-up"
    assert v1.yaml_text == original and v1.content_hash != v2.content_hash
    services.clear_parsed_cache()
    assert services.parsed_version(v1).title.startswith("Mimecast certificate compromise")
    assert services.diff_versions(v1, v2).template_fields == ("title",)
    assert sync(runner, shipped_dir).output.count("created") == 0


def test_reformatting_a_file_without_changing_its_content_makes_no_version(runner, tmp_path):
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    path = folder / "tiny.yaml"
    path.write_text((DATA / "reformat_a.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert sync(runner, folder).exit_code == 0
    path.write_text((DATA / "reformat_b.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = sync(runner, folder)
    assert result.exit_code == 0, result.output
    assert "0 new version(s), 1 unchanged" in result.output
    assert len(_template("tiny").versions) == 1


def test_a_removed_file_archives_its_template_and_keeps_its_versions(runner, shipped_dir):
    sync(runner, shipped_dir)
    (shipped_dir / f"{MIMECAST}.yaml").unlink()
    result = sync(runner, shipped_dir)
    assert result.exit_code == 0, result.output
    assert f"{MIMECAST}: archived (its file is gone)" in result.output
    t = _template(MIMECAST)
    assert t.archived and len(t.versions) == 1
    assert services.parsed_version(t.versions[0]).id == MIMECAST
    assert [e.details["slug"] for e in audit_actions("template.archive")] == [MIMECAST]
    assert "0 archived" in sync(runner, shipped_dir).output  # archived once, not every run


def test_a_file_that_comes_back_restores_its_template(runner, shipped_dir, tmp_path):
    sync(runner, shipped_dir)
    path = shipped_dir / f"{MIMECAST}.yaml"
    kept = path.read_text(encoding="utf-8")
    path.unlink()
    sync(runner, shipped_dir)
    path.write_text(kept, encoding="utf-8")
    result = sync(runner, shipped_dir)
    assert f"{MIMECAST}: restored" in result.output
    t = _template(MIMECAST)
    assert not t.archived and len(t.versions) == 1


def test_an_invalid_file_changes_nothing_and_fails(runner, shipped_dir):
    """Even the valid files are not loaded when one file is invalid."""
    (shipped_dir / "broken.yaml").write_text(template().replace("text: A?", "text:"), "utf-8")
    result = sync(runner, shipped_dir)
    assert result.exit_code == 1
    assert "broken.yaml:" in result.output and "Nothing was changed." in result.output
    assert count(Template) == 0 and count(TemplateVersion) == 0 and audit_actions() == []


def test_an_invalid_file_does_not_archive_the_others(runner, shipped_dir):
    sync(runner, shipped_dir)
    for path in shipped_dir.glob("*.yaml"):
        path.unlink()
    (shipped_dir / "broken.yaml").write_text("id: [", "utf-8")
    assert sync(runner, shipped_dir).exit_code == 1
    assert not any(t.archived for t in db.session.scalars(select(Template)))


def test_an_empty_or_missing_folder_archives_nothing(runner, shipped_dir, tmp_path):
    sync(runner, shipped_dir)
    for folder in (tmp_path / "empty", tmp_path / "missing"):
        if folder.name == "empty":
            folder.mkdir()
        result = sync(runner, folder)
        assert result.exit_code == 1 and "no template files" in result.output
    assert not any(t.archived for t in db.session.scalars(select(Template)))


def test_sync_leaves_uploaded_templates_alone(runner, shipped_dir):
    uploaded = store_version(template().replace("id: t\n", "id: uploaded-one\n"), status=PENDING)
    sync(runner, shipped_dir)
    db.session.refresh(uploaded)
    assert not uploaded.template.archived and uploaded.status == PENDING


def test_a_file_whose_id_belongs_to_an_uploaded_template_is_refused(runner, shipped_dir):
    store_version(template().replace("id: t\n", "id: clash\n"))
    (shipped_dir / "clash.yaml").write_text(template().replace("id: t\n", "id: clash\n"), "utf-8")
    result = sync(runner, shipped_dir)
    assert result.exit_code == 1
    assert "template id 'clash' is already used by an uploaded template" in result.output
    assert count(Template) == 1


# --- immutability ----------------------------------------------------------------------------


def _one_version(runner, shipped_dir) -> TemplateVersion:
    sync(runner, shipped_dir)
    return services.current_version(_template(MIMECAST))


def test_the_orm_refuses_to_change_a_versions_content(runner, shipped_dir):
    version = _one_version(runner, shipped_dir)
    version.yaml_text = "changed"
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()


def test_the_orm_refuses_to_delete_a_version(runner, shipped_dir):
    version = _one_version(runner, shipped_dir)
    db.session.delete(version)
    with pytest.raises(ImmutableVersionError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE template_versions SET yaml_text = 'x' WHERE id = :id",
        "UPDATE template_versions SET content_hash = 'x' WHERE id = :id",
        "UPDATE template_versions SET status = 'rejected' WHERE id = :id",
        "DELETE FROM template_versions WHERE id = :id",
    ],
    ids=["yaml", "hash", "decision", "delete"],
)
def test_the_database_refuses_to_change_or_delete_a_version(runner, shipped_dir, statement):
    """Triggers enforce it too, for anything that bypasses the ORM."""
    version = _one_version(runner, shipped_dir)
    with pytest.raises(DBAPIError):
        with db.session.begin_nested():
            db.session.execute(text(statement), {"id": version.id})


def test_a_pending_version_can_be_decided_once(runner, shipped_dir):
    version = store_version(template(), status=PENDING)
    db.session.execute(
        update(TemplateVersion).where(TemplateVersion.id == version.id).values(status=APPROVED)
    )
    with pytest.raises(DBAPIError):
        with db.session.begin_nested():
            db.session.execute(
                update(TemplateVersion)
                .where(TemplateVersion.id == version.id)
                .values(status=PENDING)
            )
