"""caiq prefill: an answer offered for reuse may come from a completed CAIQ the vendor uploaded

Declared in vendorrisk/campaigns/models.py (ReusedAnswer). An offer names its source: a
submitted revision (as before) or the uploaded CAIQ kept as evidence, exactly one of the two.
Existing rows all name a revision, so the check holds for them.

Revision ID: 0026_caiq_prefill
Revises: 0025_assignment_due
Create Date: 2026-12-08 09:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0026_caiq_prefill"
down_revision = "0025_assignment_due"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reused_answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_evidence_id", sa.Integer(), nullable=True))
        batch_op.alter_column("source_revision_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_reused_answers_source_evidence_id_evidence"),
            "evidence",
            ["source_evidence_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_reused_answers_one_source"),
            "(source_revision_id IS NULL) <> (source_evidence_id IS NULL)",
        )


def downgrade():
    # Offers from an uploaded CAIQ have no revision to point at: they go with the column.
    op.execute("DELETE FROM reused_answers WHERE source_revision_id IS NULL")
    with op.batch_alter_table("reused_answers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_reused_answers_one_source"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_reused_answers_source_evidence_id_evidence"), type_="foreignkey"
        )
        batch_op.alter_column("source_revision_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("source_evidence_id")
