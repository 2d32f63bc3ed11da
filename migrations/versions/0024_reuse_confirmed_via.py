"""how an answer reused from an earlier round was confirmed: in the portal or in a workbook

Declared in vendorrisk/campaigns/models.py (ReusedAnswer.confirmed_via). Rows confirmed before
this migration keep NULL: they were all confirmed in the portal, but nothing recorded it.

Revision ID: 0024_reuse_confirmed_via
Revises: 0023_portfolio_state
Create Date: 2026-12-08 09:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0024_reuse_confirmed_via"
down_revision = "0023_portfolio_state"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reused_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_via", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("reused_answers", schema=None) as batch_op:
        batch_op.drop_column("confirmed_via")
