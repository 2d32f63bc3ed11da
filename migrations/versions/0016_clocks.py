"""clocks: the firm's clock settings, the incidents it became aware of through a vendor's impact
report, and the regulatory deadlines computed for them

Declared in vendorrisk/clocks/models.py. New tables only.

Revision ID: 0016_clocks
Revises: 0015_clarification
Create Date: 2026-12-06 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_clocks'
down_revision = '0015_clarification'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('clock_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('regimes', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_clock_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_settings'))
    )
    op.create_table('firm_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('incident_at', sa.DateTime(), nullable=True),
    sa.Column('aware_at', sa.DateTime(), nullable=False),
    sa.Column('classified_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_firm_incidents_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_firm_incidents_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_firm_incidents_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_firm_incidents')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_firm_incidents_assignment_id'))
    )
    with op.batch_alter_table('firm_incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firm_incidents_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('regulatory_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('regime', sa.String(length=20), nullable=False),
    sa.Column('stage', sa.String(length=40), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('met_at', sa.DateTime(), nullable=True),
    sa.Column('filing_reference', sa.String(length=200), nullable=True),
    sa.Column('met_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('switched_off_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['firm_incidents.id'], name=op.f('fk_regulatory_deadlines_incident_id_firm_incidents')),
    sa.ForeignKeyConstraint(['met_by_id'], ['users.id'], name=op.f('fk_regulatory_deadlines_met_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_regulatory_deadlines_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regulatory_deadlines')),
    sa.UniqueConstraint('incident_id', 'stage', name=op.f('uq_regulatory_deadlines_incident_id'))
    )
    with op.batch_alter_table('regulatory_deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regulatory_deadlines_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_regulatory_deadlines_incident_id'), ['incident_id'], unique=False)


def downgrade():
    with op.batch_alter_table('regulatory_deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regulatory_deadlines_incident_id'))
        batch_op.drop_index(batch_op.f('ix_regulatory_deadlines_due_at'))

    op.drop_table('regulatory_deadlines')
    with op.batch_alter_table('firm_incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firm_incidents_vendor_id'))

    op.drop_table('firm_incidents')
    op.drop_table('clock_settings')
