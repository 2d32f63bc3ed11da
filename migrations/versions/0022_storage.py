"""storage: report jobs are leased by the worker building them, and retried when it dies

Declared in vendorrisk/reports/models.py (ReportJob.lease_owner, lease_until, attempts). A worker
claims a job by writing its lease; a job whose worker stopped renewing is built again by another
worker, and only the holder of the lease may mark it built. Existing rows keep their files
(names in the local reports folder are keys in the store as they are).

Revision ID: 0022_storage
Revises: 0021_reuse
Create Date: 2026-12-07 01:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_storage'
down_revision = '0021_reuse'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('attempts', sa.Integer(), nullable=False, server_default='0')
        )


def downgrade():
    with op.batch_alter_table('report_jobs', schema=None) as batch_op:
        batch_op.drop_column('attempts')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')
