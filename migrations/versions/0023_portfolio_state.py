"""portfolio state: each current vendor's residual risk, core scores, last accepted baseline
and next reassessment, stored so that no request computes the whole portfolio, and the mark
saying what it was computed from

Declared in vendorrisk/dashboard/models.py (PortfolioVendor, PortfolioMark). The mark row is
made here with no version, so the first page after the upgrade (or `flask dashboard refresh`,
the better choice for a large portfolio) computes every vendor once.

Revision ID: 0023_portfolio_state
Revises: 0022_storage
Create Date: 2026-12-07 05:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023_portfolio_state"
down_revision = "0022_storage"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portfolio_vendors",
        sa.Column("vendor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("inherent", sa.Integer(), nullable=False),
        sa.Column("residual", sa.Integer(), nullable=False),
        sa.Column("last_baseline", sa.Date(), nullable=True),
        sa.Column("certificate_rotation", sa.Float(), nullable=True),
        sa.Column("incident_readiness", sa.Float(), nullable=True),
        sa.Column("reassess_due", sa.Date(), nullable=True),
        sa.Column("reassess_last", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_portfolio_vendors_vendor_id_vendors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("vendor_id", name=op.f("pk_portfolio_vendors")),
    )
    with op.batch_alter_table("portfolio_vendors", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portfolio_vendors_owner_residual", ["owner_id", "residual"], unique=False
        )
        batch_op.create_index(
            "ix_portfolio_vendors_owner_stale",
            ["owner_id", "inherent", "last_baseline"],
            unique=False,
        )
        batch_op.create_index("ix_portfolio_vendors_residual", ["residual"], unique=False)
        batch_op.create_index("ix_portfolio_vendors_reassess_due", ["reassess_due"], unique=False)
        batch_op.create_index(
            "ix_portfolio_vendors_owner_reassess_due", ["owner_id", "reassess_due"], unique=False
        )
    marks = op.create_table(
        "portfolio_marks",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=True),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("stale_days", sa.Integer(), nullable=True),
        sa.Column("schedule", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_marks")),
    )
    op.bulk_insert(marks, [{"id": 1, "version": ""}])


def downgrade():
    op.drop_table("portfolio_marks")
    with op.batch_alter_table("portfolio_vendors", schema=None) as batch_op:
        batch_op.drop_index("ix_portfolio_vendors_owner_reassess_due")
        batch_op.drop_index("ix_portfolio_vendors_reassess_due")
        batch_op.drop_index("ix_portfolio_vendors_residual")
        batch_op.drop_index("ix_portfolio_vendors_owner_stale")
        batch_op.drop_index("ix_portfolio_vendors_owner_residual")
    op.drop_table("portfolio_vendors")
