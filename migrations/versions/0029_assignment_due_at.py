"""assignment due at: each assignment's effective due time stored, and the vendor's owner copied
onto assignments and findings, for the dashboard's overdue list and counts

An assignment's due time is the later of its campaign's and its own extension. Computed in
every query, no index could order it: the dashboard's overdue list read every waiting
assignment of the campaigns past due and sorted them. Stored (kept by the flush that creates
an assignment, extends it or moves its campaign's date), a partial index of the assignments
still waiting walks it in due order, and the response counts per campaign read it from their
covering indexes. One owner's counts joined the owner's vendors to every assignment and
finding; with the vendor's owner copied onto each (vendors/owner_copies.py, kept by the flush
that changes it), they read the owner's part of an index.

Revision ID: 0029_assignment_due_at
Revises: 0028_campaign_counts_index
Create Date: 2026-12-08 02:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029_assignment_due_at"
down_revision = "0028_campaign_counts_index"
branch_labels = None
depends_on = None

# `vendorrisk.campaigns.models.effective_due` in SQL: the later of the two.
BACKFILL = (
    "UPDATE assignments SET due_at = ("
    " SELECT CASE WHEN assignments.extended_due_at > campaigns.due_at"
    " THEN assignments.extended_due_at ELSE campaigns.due_at END"
    " FROM campaigns WHERE campaigns.id = assignments.campaign_id)"
)
OWNERS = (
    "UPDATE {table} SET vendor_owner_id ="
    " (SELECT vendors.owner_id FROM vendors WHERE vendors.id = {table}.vendor_id)"
)
WAITING = "submitted_at IS NULL AND response_state IN ('not_started', 'in_progress')"


def upgrade():
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("vendor_owner_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("vendor_owner_id", sa.Integer(), nullable=True))
    op.execute(BACKFILL)
    op.execute(OWNERS.format(table="assignments"))
    op.execute(OWNERS.format(table="findings"))
    with op.batch_alter_table("assignments") as batch:
        batch.alter_column("due_at", existing_type=sa.DateTime(), nullable=False)
    op.drop_index("ix_assignments_campaign_counts", table_name="assignments")
    op.create_index(
        "ix_assignments_campaign_counts",
        "assignments",
        ["campaign_id", "response_state", "submitted_at", "due_at"],
    )
    op.drop_index("ix_assignments_vendor_campaign_state", table_name="assignments")
    op.create_index(
        "ix_assignments_owner_campaign_counts",
        "assignments",
        ["vendor_owner_id", "campaign_id", "response_state", "submitted_at", "due_at"],
    )
    op.create_index(
        "ix_findings_owner_state_dates",
        "findings",
        ["vendor_owner_id", "state", "severity", "plan_date", "due_date", "acceptance_expires_on"],
    )
    op.create_index(
        "ix_assignments_waiting_due",
        "assignments",
        ["due_at", "id"],
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )


def downgrade():
    op.drop_index("ix_assignments_waiting_due", table_name="assignments")
    op.drop_index("ix_findings_owner_state_dates", table_name="findings")
    op.drop_index("ix_assignments_owner_campaign_counts", table_name="assignments")
    op.create_index(
        "ix_assignments_vendor_campaign_state",
        "assignments",
        ["vendor_id", "campaign_id", "response_state"],
    )
    op.drop_index("ix_assignments_campaign_counts", table_name="assignments")
    op.create_index(
        "ix_assignments_campaign_counts",
        "assignments",
        ["campaign_id", "response_state", "submitted_at", "extended_due_at"],
    )
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("vendor_owner_id")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("vendor_owner_id")
        batch.drop_column("due_at")
