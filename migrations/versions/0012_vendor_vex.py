"""vendor_vex: SBOMs and VEX documents a vendor uploads in the portal, and the exposure answers
filled in from a vendor's VEX statement

Declared in vendorrisk/intake/models.py.

Revision ID: 0012_vendor_vex
Revises: 0011_intake
Create Date: 2026-12-06 22:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_vendor_vex'
down_revision = '0011_intake'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sboms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uploaded_by_recipient_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sboms_uploaded_by_recipient_id_recipients'), 'recipients', ['uploaded_by_recipient_id'], ['id'])

    with op.batch_alter_table('vex_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uploaded_by_recipient_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_vex_documents_uploaded_by_recipient_id_recipients'), 'recipients', ['uploaded_by_recipient_id'], ['id'])

    op.create_table('vex_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['vex_documents.id'], name=op.f('fk_vex_answers_document_id_vex_documents')),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_vex_answers_response_id_responses')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_vex_answers_revision_id_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vex_answers'))
    )
    with op.batch_alter_table('vex_answers', schema=None) as batch_op:
        batch_op.create_index('ix_vex_answers_response_question', ['response_id', 'question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vex_answers_revision_id'), ['revision_id'], unique=False)


def downgrade():
    with op.batch_alter_table('vex_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vex_answers_revision_id'))
        batch_op.drop_index('ix_vex_answers_response_question')

    op.drop_table('vex_answers')
    with op.batch_alter_table('vex_documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_vex_documents_uploaded_by_recipient_id_recipients'), type_='foreignkey')
        batch_op.drop_column('uploaded_by_recipient_id')

    with op.batch_alter_table('sboms', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sboms_uploaded_by_recipient_id_recipients'), type_='foreignkey')
        batch_op.drop_column('uploaded_by_recipient_id')
