"""campaign counts index: the dashboard's response counts per campaign read one covering index

The counts per campaign and response state also count the assignments past their due time,
which needs each row's submission time and extension: with both in the index, the count is an
index-only scan of the assignments instead of a scan of the table joined to the campaigns.
It replaces the index on (campaign_id, response_state), its prefix.

Revision ID: 0028_campaign_counts_index
Revises: 0027_latest_revision
Create Date: 2026-12-07 19:30:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0028_campaign_counts_index"
down_revision = "0027_latest_revision"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_assignments_campaign_counts",
        "assignments",
        ["campaign_id", "response_state", "submitted_at", "extended_due_at"],
    )
    op.drop_index("ix_assignments_campaign_state", table_name="assignments")


def downgrade():
    op.create_index(
        "ix_assignments_campaign_state", "assignments", ["campaign_id", "response_state"]
    )
    op.drop_index("ix_assignments_campaign_counts", table_name="assignments")
