"""templates: questionnaire templates and their immutable, approved versions

Revision ID: 0003_templates
Revises: 0002_vendors
Create Date: 2026-11-28 15:16:38.827723

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_templates'
down_revision = '0002_vendors'
branch_labels = None
depends_on = None


# A version's content never changes and a decision (approved, rejected) is final; versions are
# never deleted. The columns here must match CONTENT_COLUMNS and DECISION_COLUMNS in
# vendorrisk/questionnaires/models.py.
_CONTENT_CHANGED = " OR ".join(
    f"NEW.{c} IS NOT OLD.{c}"
    for c in ("template_id", "number", "content_hash", "yaml_text", "content", "created_at",
              "created_by_id")
)
_DECISION_CHANGED = " OR ".join(
    f"NEW.{c} IS NOT OLD.{c}" for c in ("status", "reviewed_by_id", "reviewed_at", "rejected_reason")
)
TRIGGERS_SQLITE = [
    f"""CREATE TRIGGER template_versions_content_immutable BEFORE UPDATE ON template_versions
       WHEN {_CONTENT_CHANGED}
       BEGIN SELECT RAISE(ABORT, 'template version content is immutable'); END""",
    f"""CREATE TRIGGER template_versions_decision_final BEFORE UPDATE ON template_versions
       WHEN OLD.status <> 'pending' AND ({_DECISION_CHANGED})
       BEGIN SELECT RAISE(ABORT, 'template version decision is final'); END""",
    """CREATE TRIGGER template_versions_no_delete BEFORE DELETE ON template_versions
       BEGIN SELECT RAISE(ABORT, 'template versions are never deleted'); END""",
]
_PG_CONTENT_CHANGED = (
    _CONTENT_CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")
    .replace("NEW.content IS", "NEW.content::text IS")
    .replace("OLD.content OR", "OLD.content::text OR")
)
TRIGGERS_POSTGRESQL = [
    f"""CREATE FUNCTION template_versions_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
           RAISE EXCEPTION 'template versions are never deleted';
         END IF;
         IF {_PG_CONTENT_CHANGED} THEN
           RAISE EXCEPTION 'template version content is immutable';
         END IF;
         IF OLD.status <> 'pending' AND ({_DECISION_CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")}) THEN
           RAISE EXCEPTION 'template version decision is final';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER template_versions_immutable BEFORE UPDATE OR DELETE ON template_versions
       FOR EACH ROW EXECUTE FUNCTION template_versions_guard()""",
    """CREATE TRIGGER template_versions_no_truncate BEFORE TRUNCATE ON template_versions
       FOR EACH STATEMENT EXECUTE FUNCTION template_versions_guard()""",
]


def upgrade():
    op.create_table('templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('file_path', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_templates')),
    sa.UniqueConstraint('slug', name=op.f('uq_templates_slug'))
    )
    op.create_table('template_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('yaml_text', sa.Text(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('rejected_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_template_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_template_versions_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'], name=op.f('fk_template_versions_template_id_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_versions')),
    sa.UniqueConstraint('template_id', 'number', name=op.f('uq_template_versions_template_id'))
    )
    with op.batch_alter_table('template_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_template_versions_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_template_versions_template_id'), ['template_id'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in TRIGGERS_SQLITE:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in TRIGGERS_POSTGRESQL:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("template_versions_content_immutable", "template_versions_decision_final",
                     "template_versions_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS template_versions_no_truncate ON template_versions")
        op.execute("DROP TRIGGER IF EXISTS template_versions_immutable ON template_versions")
        op.execute("DROP FUNCTION IF EXISTS template_versions_guard()")

    with op.batch_alter_table('template_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_template_versions_template_id'))
        batch_op.drop_index(batch_op.f('ix_template_versions_content_hash'))

    op.drop_table('template_versions')
    op.drop_table('templates')
