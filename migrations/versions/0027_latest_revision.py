"""latest revision: each assignment points at its latest submitted revision

Declared in vendorrisk/campaigns/models.py (Assignment.latest_revision_id), kept by the flush
that submits a revision. Lists of many assignments (the campaign's triage table) join the
revision by primary key instead of finding each assignment's highest submitted number. Filled
here for the revisions already submitted.

Revision ID: 0027_latest_revision
Revises: 0026_caiq_prefill
Create Date: 2026-12-07 16:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0027_latest_revision"
down_revision = "0026_caiq_prefill"
branch_labels = None
depends_on = None

# Each assignment's latest submitted revision (the highest number), or NULL.
BACKFILL = """
UPDATE assignments SET latest_revision_id = (
    SELECT revisions.id FROM revisions
    JOIN responses ON responses.id = revisions.response_id
    WHERE responses.assignment_id = assignments.id
      AND revisions.submitted_at IS NOT NULL
    ORDER BY revisions.number DESC
    LIMIT 1
)
"""


def upgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latest_revision_id", sa.Integer(), nullable=True))
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("latest_revision_id")
