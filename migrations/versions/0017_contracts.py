"""contracts: the contract register per vendor, named after the DORA register of information

Declared in vendorrisk/contracts/models.py. A new table.

Revision ID: 0017_contracts
Revises: 0016_clocks
Create Date: 2026-12-06 23:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_contracts'
down_revision = '0016_clocks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('contractual_arrangement_reference_number', sa.String(length=100), nullable=False),
    sa.Column('type_of_contractual_arrangement', sa.String(length=60), nullable=True),
    sa.Column('start_date_of_the_contractual_arrangement', sa.Date(), nullable=False),
    sa.Column('end_date_of_the_contractual_arrangement', sa.Date(), nullable=True),
    sa.Column('notice_period_for_the_financial_entity', sa.Integer(), nullable=True),
    sa.Column('notice_period_for_the_ict_third_party_service_provider', sa.Integer(), nullable=True),
    sa.Column('type_of_ict_services', sa.String(length=200), nullable=True),
    sa.Column('storage_of_data', sa.Boolean(), nullable=True),
    sa.Column('location_of_the_data_at_rest', sa.String(length=200), nullable=True),
    sa.Column('location_of_management_of_the_data', sa.String(length=200), nullable=True),
    sa.Column('function_name', sa.String(length=300), nullable=True),
    sa.Column('criticality_or_importance_assessment', sa.String(length=30), nullable=True),
    sa.Column('substitutability_of_the_ict_third_party_service_provider', sa.String(length=30), nullable=True),
    sa.Column('existence_of_an_exit_plan', sa.Boolean(), nullable=True),
    sa.Column('renewal_date', sa.Date(), nullable=True),
    sa.Column('notice_date', sa.Date(), nullable=True),
    sa.Column('breach_notification_hours', sa.Integer(), nullable=True),
    sa.Column('right_to_audit', sa.Boolean(), nullable=True),
    sa.Column('dpa_in_place', sa.Boolean(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_contracts_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('vendor_id', 'contractual_arrangement_reference_number', name=op.f('uq_contracts_vendor_id'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_vendor_id'), ['vendor_id'], unique=False)


def downgrade():
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_vendor_id'))

    op.drop_table('contracts')
