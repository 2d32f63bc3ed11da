"""dashboard indexes: covering indexes for the portfolio dashboard's counts

Indexes only, no table changes; declared in vendorrisk/dashboard/models.py. They keep the
dashboard's counts (responses per campaign, findings by severity, overdue assignments, the
snapshot fingerprint) reading indexes rather than wide rows at 10,000 vendors and more.

Revision ID: 0008_dashboard_indexes
Revises: 0007_reports
Create Date: 2026-11-28 16:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_dashboard_indexes'
down_revision = '0007_reports'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_assignments_campaign_state", "assignments", ["campaign_id", "response_state"]),
    ("ix_assignments_vendor_campaign_state", "assignments",
     ["vendor_id", "campaign_id", "response_state"]),
    ("ix_campaigns_due_at", "campaigns", ["due_at"]),
    ("ix_findings_severity_state_dates", "findings",
     ["severity", "state", "plan_date", "due_date", "acceptance_expires_on"]),
    ("ix_findings_vendor_state_dates", "findings",
     ["vendor_id", "state", "severity", "plan_date", "due_date", "acceptance_expires_on"]),
    ("ix_findings_state_expires", "findings", ["state", "acceptance_expires_on"]),
    ("ix_impact_alerts_handled_raised", "impact_alerts", ["handled_at", "raised_at"]),
    ("ix_revisions_submitted_at", "revisions", ["submitted_at"]),
    ("ix_vendors_updated_at", "vendors", ["updated_at"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
