"""template drafts: templates composed in the browser before they are submitted for approval

Declared in vendorrisk/questionnaires/models.py (TemplateDraft). A draft is working text, not
evidence: it changes in place, guarded by its lock version.

Revision ID: 0018_template_drafts
Revises: 0017_contracts
Create Date: 2026-12-06 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_template_drafts'
down_revision = '0017_contracts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('template_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('yaml_text', sa.Text(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('messages', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('source_version_id', sa.Integer(), nullable=True),
    sa.Column('submitted_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['source_version_id'], ['template_versions.id'], ),
    sa.ForeignKeyConstraint(['submitted_version_id'], ['template_versions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade():
    op.drop_table('template_drafts')
