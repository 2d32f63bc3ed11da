"""assignment due: a due time of one vendor's own, given when only some vendors of a campaign
get more time

Declared in vendorrisk/campaigns/models.py (Assignment.extended_due_at). Empty on every existing
assignment: each keeps its campaign's due time. The rule reading it is
`vendorrisk.campaigns.models.effective_due` (the later of the two).

Revision ID: 0025_assignment_due
Revises: 0024_reuse_confirmed_via
Create Date: 2026-12-07 13:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0025_assignment_due"
down_revision = "0024_reuse_confirmed_via"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extended_due_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("extended_due_at")
