"""answers reused from earlier rounds, and scheduled reassessments

Declared in vendorrisk/campaigns/models.py (ReusedAnswer) and
vendorrisk/reassessments/models.py (ReassessmentSend). Offered answers of a draft change (they
are confirmed); the copies written for a submitted revision, and the sends, are never changed.

Revision ID: 0021_reuse
Revises: 0020_import_mappings
Create Date: 2026-12-07 01:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_reuse'
down_revision = '0020_import_mappings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reused_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('source_revision_id', sa.Integer(), nullable=False),
    sa.Column('source_question_id', sa.String(length=64), nullable=False),
    sa.Column('source_submitted_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.Column('evidence_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_recipient_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_recipient_id'], ['recipients.id'], ),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], ),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], ),
    sa.ForeignKeyConstraint(['source_revision_id'], ['revisions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('reused_answers', schema=None) as batch_op:
        batch_op.create_index('ix_reused_answers_response_question', ['response_id', 'question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reused_answers_revision_id'), ['revision_id'], unique=False)

    op.create_table('reassessment_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], ),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'], ),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('assignment_id'),
    sa.UniqueConstraint('vendor_id', 'template_id', 'due_on')
    )
    with op.batch_alter_table('reassessment_sends', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reassessment_sends_vendor_id'), ['vendor_id'], unique=False)


def downgrade():
    op.drop_table('reassessment_sends')
    op.drop_table('reused_answers')
