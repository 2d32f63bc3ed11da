"""delegation: sections delegated to colleagues, who answered what, staff-entered workbooks

Declared in vendorrisk/portal/delegation_models.py. New tables only.

Revision ID: 0019_delegation
Revises: 0018_template_drafts
Create Date: 2026-12-07 01:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_delegation'
down_revision = '0018_template_drafts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('delegations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('delegated_by_id', sa.Integer(), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_delegations_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['delegated_by_id'], ['recipients.id'], name=op.f('fk_delegations_delegated_by_id_recipients')),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipients.id'], name=op.f('fk_delegations_recipient_id_recipients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegations'))
    )
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegations_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegations_delegated_by_id'), ['delegated_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegations_recipient_id'), ['recipient_id'], unique=False)

    op.create_table('answer_authors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipients.id'], name=op.f('fk_answer_authors_recipient_id_recipients')),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_answer_authors_response_id_responses')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_answer_authors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_authors')),
    sa.UniqueConstraint('response_id', 'question_id', name=op.f('uq_answer_authors_response_id'))
    )
    with op.batch_alter_table('answer_authors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_authors_response_id'), ['response_id'], unique=False)

    op.create_table('revision_authors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipients.id'], name=op.f('fk_revision_authors_recipient_id_recipients')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_revision_authors_revision_id_revisions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_revision_authors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revision_authors')),
    sa.UniqueConstraint('revision_id', 'question_id', name=op.f('uq_revision_authors_revision_id'))
    )
    with op.batch_alter_table('revision_authors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_authors_revision_id'), ['revision_id'], unique=False)

    op.create_table('staff_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('questions', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('received_from', sa.String(length=200), nullable=True),
    sa.Column('received_via', sa.String(length=40), nullable=True),
    sa.Column('attestation', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_staff_entries_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_staff_entries_revision_id_revisions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_entries')),
    sa.UniqueConstraint('revision_id', name=op.f('uq_staff_entries_revision_id')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_staff_entries_stored_name'))
    )
    with op.batch_alter_table('staff_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_entries_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_entries_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_entries_sha256'))
        batch_op.drop_index(batch_op.f('ix_staff_entries_assignment_id'))
    op.drop_table('staff_entries')
    with op.batch_alter_table('revision_authors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_authors_revision_id'))
    op.drop_table('revision_authors')
    with op.batch_alter_table('answer_authors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_authors_response_id'))
    op.drop_table('answer_authors')
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegations_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_delegations_delegated_by_id'))
        batch_op.drop_index(batch_op.f('ix_delegations_assignment_id'))
    op.drop_table('delegations')
