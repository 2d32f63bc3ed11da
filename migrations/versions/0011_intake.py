"""intake: product identifiers (CPE, purl), imported advisories' sources and vulnerabilities,
version ranges of advisory products, vendors' SBOMs and VEX statements

Declared in vendorrisk/vendors/models.py, vendorrisk/advisories/models.py and
vendorrisk/intake/models.py. The new JSON columns of advisory_products start as [] for the
advisories already there.

Revision ID: 0011_intake
Revises: 0010_account_recovery
Create Date: 2026-12-06 18:56:13.654322

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_intake'
down_revision = '0010_account_recovery'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('advisory_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('advisory_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=500), nullable=False),
    sa.Column('category', sa.String(length=200), nullable=True),
    sa.Column('revision', sa.String(length=100), nullable=False),
    sa.Column('revision_date', sa.DateTime(), nullable=True),
    sa.Column('revisions', sa.JSON(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('matched_vendors', sa.Integer(), nullable=False),
    sa.Column('draft', sa.Boolean(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['advisory_id'], ['advisories.id'], name=op.f('fk_advisory_sources_advisory_id_advisories')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_advisory_sources_imported_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_advisory_sources_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_sources')),
    sa.UniqueConstraint('advisory_id', name=op.f('uq_advisory_sources_advisory_id')),
    sa.UniqueConstraint('kind', 'key', name='uq_advisory_sources_key')
    )
    with op.batch_alter_table('advisory_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_advisory_sources_draft'), ['draft'], unique=False)

    op.create_table('advisory_vulnerabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('advisory_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('cve', sa.String(length=40), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('cwe', sa.String(length=300), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('max_score', sa.Float(), nullable=True),
    sa.Column('remediations', sa.JSON(), nullable=False),
    sa.Column('references', sa.JSON(), nullable=False),
    sa.Column('product_status', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('kev', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['advisory_id'], ['advisories.id'], name=op.f('fk_advisory_vulnerabilities_advisory_id_advisories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_vulnerabilities'))
    )
    with op.batch_alter_table('advisory_vulnerabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_advisory_vulnerabilities_advisory_id'), ['advisory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_advisory_vulnerabilities_cve'), ['cve'], unique=False)

    op.create_table('sboms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('subject_key', sa.String(length=300), nullable=False),
    sa.Column('subject_version', sa.String(length=200), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('spec_version', sa.String(length=10), nullable=False),
    sa.Column('serial_number', sa.String(length=200), nullable=True),
    sa.Column('sbom_date', sa.DateTime(), nullable=True),
    sa.Column('component_count', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('replaced_at', sa.DateTime(), nullable=True),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['sboms.id'], name=op.f('fk_sboms_replaced_by_id_sboms')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_sboms_uploaded_by_id_users')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_sboms_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sboms'))
    )
    with op.batch_alter_table('sboms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sboms_replaced_at'), ['replaced_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sboms_vendor_id'), ['vendor_id'], unique=False)
        batch_op.create_index('ix_sboms_vendor_subject', ['vendor_id', 'subject_key'], unique=False)

    op.create_table('vex_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('statement_count', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_vex_documents_uploaded_by_id_users')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_vex_documents_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vex_documents'))
    )
    with op.batch_alter_table('vex_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vex_documents_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('product_identifiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=1000), nullable=False),
    sa.Column('key', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_identifiers_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_identifiers')),
    sa.UniqueConstraint('product_id', 'kind', 'value', name='uq_product_identifiers')
    )
    with op.batch_alter_table('product_identifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_identifiers_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_identifiers_product_id'), ['product_id'], unique=False)

    op.create_table('sbom_components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sbom_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('version', sa.String(length=200), nullable=True),
    sa.Column('purl', sa.String(length=1000), nullable=True),
    sa.Column('purl_key', sa.String(length=500), nullable=True),
    sa.Column('cpe', sa.String(length=1000), nullable=True),
    sa.Column('cpe_key', sa.String(length=500), nullable=True),
    sa.Column('scheme', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['sbom_id'], ['sboms.id'], name=op.f('fk_sbom_components_sbom_id_sboms')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_sbom_components_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sbom_components'))
    )
    with op.batch_alter_table('sbom_components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sbom_components_cpe_key'), ['cpe_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_sbom_components_purl_key'), ['purl_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_sbom_components_sbom_id'), ['sbom_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sbom_components_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('vex_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=False),
    sa.Column('cve', sa.String(length=40), nullable=False),
    sa.Column('product', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('justification', sa.String(length=100), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['vex_documents.id'], name=op.f('fk_vex_statements_document_id_vex_documents')),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id'], name=op.f('fk_vex_statements_vendor_id_vendors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vex_statements'))
    )
    with op.batch_alter_table('vex_statements', schema=None) as batch_op:
        batch_op.create_index('ix_vex_statements_cve_vendor', ['cve', 'vendor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vex_statements_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vex_statements_vendor_id'), ['vendor_id'], unique=False)

    with op.batch_alter_table('advisory_products', schema=None) as batch_op:
        for name in ('ranges', 'identifiers', 'cves'):
            batch_op.add_column(
                sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
            )
        batch_op.add_column(sa.Column('matched_by', sa.String(length=10), nullable=True))
    # The models give the default; the server default only filled the rows already there.
    with op.batch_alter_table('advisory_products', schema=None) as batch_op:
        for name in ('ranges', 'identifiers', 'cves'):
            batch_op.alter_column(name, server_default=None)



def downgrade():
    with op.batch_alter_table('advisory_products', schema=None) as batch_op:
        batch_op.drop_column('cves')
        batch_op.drop_column('matched_by')
        batch_op.drop_column('identifiers')
        batch_op.drop_column('ranges')

    with op.batch_alter_table('vex_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vex_statements_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_vex_statements_document_id'))
        batch_op.drop_index('ix_vex_statements_cve_vendor')

    op.drop_table('vex_statements')
    with op.batch_alter_table('sbom_components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sbom_components_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_sbom_components_sbom_id'))
        batch_op.drop_index(batch_op.f('ix_sbom_components_purl_key'))
        batch_op.drop_index(batch_op.f('ix_sbom_components_cpe_key'))

    op.drop_table('sbom_components')
    with op.batch_alter_table('product_identifiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_identifiers_product_id'))
        batch_op.drop_index(batch_op.f('ix_product_identifiers_key'))

    op.drop_table('product_identifiers')
    with op.batch_alter_table('vex_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vex_documents_vendor_id'))

    op.drop_table('vex_documents')
    with op.batch_alter_table('sboms', schema=None) as batch_op:
        batch_op.drop_index('ix_sboms_vendor_subject')
        batch_op.drop_index(batch_op.f('ix_sboms_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_sboms_replaced_at'))

    op.drop_table('sboms')
    with op.batch_alter_table('advisory_vulnerabilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_advisory_vulnerabilities_cve'))
        batch_op.drop_index(batch_op.f('ix_advisory_vulnerabilities_advisory_id'))

    op.drop_table('advisory_vulnerabilities')
    with op.batch_alter_table('advisory_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_advisory_sources_draft'))

    op.drop_table('advisory_sources')
