"""certificates: what an evidence file that is a certificate says (subject, issuer, serial,
validity, key, thumbprints), read when it was uploaded

Declared in vendorrisk/campaigns/models.py (EvidenceCertificate). A new table: evidence rows
are never changed.

Revision ID: 0013_certificates
Revises: 0012_vendor_vex
Create Date: 2026-12-06 22:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_certificates'
down_revision = '0012_vendor_vex'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('issuer', sa.Text(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('not_after', sa.DateTime(), nullable=False),
    sa.Column('key_type', sa.String(length=10), nullable=False),
    sa.Column('key_size', sa.Integer(), nullable=False),
    sa.Column('key_curve', sa.String(length=40), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('sha1', sa.String(length=40), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_certificates_evidence_id_evidence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_certificates')),
    sa.UniqueConstraint('evidence_id', name=op.f('uq_evidence_certificates_evidence_id'))
    )
    with op.batch_alter_table('evidence_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_certificates_sha256'), ['sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('evidence_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_certificates_sha256'))

    op.drop_table('evidence_certificates')
