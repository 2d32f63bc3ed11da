"""clarification: the vendor's reply to each question asked about, kept per round; an
internal owner on findings

Declared in vendorrisk/review/models.py (ClarificationReply, Finding.owner_id). Each reply row is
the answer and comment a submitted revision gave to one clarification item; rows are only ever
added. Findings raised by scoring get the vendor's owner as their owner; earlier ones keep none.

Revision ID: 0015_clarification
Revises: 0014_advisory_html
Create Date: 2026-12-06 23:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0015_clarification'
down_revision = '0014_advisory_html'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('clarification_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=True),
    sa.Column('answer_text', sa.Text(), nullable=False),
    sa.Column('changed', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('replied_at', sa.DateTime(), nullable=False),
    sa.Column('replied_by_recipient_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['clarification_items.id'], name=op.f('fk_clarification_replies_item_id_clarification_items')),
    sa.ForeignKeyConstraint(['replied_by_recipient_id'], ['recipients.id'], name=op.f('fk_clarification_replies_replied_by_recipient_id_recipients')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_clarification_replies_revision_id_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clarification_replies'))
    )
    with op.batch_alter_table('clarification_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clarification_replies_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_findings_owner_id_users'), 'users', ['owner_id'], ['id'])


def downgrade():
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_findings_owner_id_users'), type_='foreignkey')
        batch_op.drop_column('owner_id')

    with op.batch_alter_table('clarification_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clarification_replies_item_id'))

    op.drop_table('clarification_replies')
