"""advisory HTML rendered once when saved; personal feed links

Declared in vendorrisk/advisories/models.py. The advisories and updates already there get their
HTML here, rendered by the same function the app uses (a text too costly to render is kept as
escaped plain text). advisory_updates is append-only, so its triggers are lifted for the
back-fill of the new, derived column only and put back at once.

Revision ID: 0014_advisory_html
Revises: 0013_certificates
Create Date: 2026-12-06 22:30:00

"""
import sqlalchemy as sa
from alembic import op

from vendorrisk.advisories.markup import render_or_escape

# revision identifiers, used by Alembic.
revision = '0014_advisory_html'
down_revision = '0013_certificates'
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = {
    "advisory_updates_no_update": """CREATE TRIGGER advisory_updates_no_update BEFORE UPDATE
        ON advisory_updates BEGIN SELECT RAISE(ABORT, 'advisory_updates is append-only'); END""",
}


def _backfill() -> None:
    bind = op.get_bind()
    advisories = sa.table(
        "advisories",
        sa.column("id", sa.Integer),
        sa.column("summary", sa.Text),
        sa.column("body", sa.Text),
        sa.column("summary_html", sa.Text),
        sa.column("body_html", sa.Text),
    )
    updates = sa.table(
        "advisory_updates",
        sa.column("id", sa.Integer),
        sa.column("body", sa.Text),
        sa.column("body_html", sa.Text),
    )
    for row in bind.execute(sa.select(advisories.c.id, advisories.c.summary, advisories.c.body)).all():
        bind.execute(
            advisories.update()
            .where(advisories.c.id == row.id)
            .values(summary_html=render_or_escape(row.summary), body_html=render_or_escape(row.body))
        )
    rows = bind.execute(sa.select(updates.c.id, updates.c.body)).all()
    if not rows:
        return
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE advisory_updates DISABLE TRIGGER advisory_updates_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS advisory_updates_no_update")
    for row in rows:
        bind.execute(
            updates.update().where(updates.c.id == row.id).values(body_html=render_or_escape(row.body))
        )
    if postgres:
        op.execute("ALTER TABLE advisory_updates ENABLE TRIGGER advisory_updates_append_only")
    else:
        for statement in _SQLITE_TRIGGERS.values():
            op.execute(statement)


def upgrade():
    op.create_table('advisory_feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_advisory_feed_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_advisory_feed_tokens_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_advisory_feed_tokens_user_id'))
    )
    with op.batch_alter_table('advisories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_html', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=False, server_default=''))
    op.add_column('advisory_updates', sa.Column('body_html', sa.Text(), nullable=False, server_default=''))
    _backfill()
    with op.batch_alter_table('advisories', schema=None) as batch_op:
        batch_op.alter_column('summary_html', server_default=None)
        batch_op.alter_column('body_html', server_default=None)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_column('advisory_updates', 'body_html')
    else:
        # SQLite rebuilds the table to drop a column; its triggers go with it and come back.
        op.execute("DROP TRIGGER IF EXISTS advisory_updates_no_update")
        op.execute("DROP TRIGGER IF EXISTS advisory_updates_no_delete")
        with op.batch_alter_table('advisory_updates', schema=None) as batch_op:
            batch_op.drop_column('body_html')
        op.execute(_SQLITE_TRIGGERS["advisory_updates_no_update"])
        op.execute(
            """CREATE TRIGGER advisory_updates_no_delete BEFORE DELETE ON advisory_updates
            BEGIN SELECT RAISE(ABORT, 'advisory_updates is append-only'); END"""
        )
    with op.batch_alter_table('advisories', schema=None) as batch_op:
        batch_op.drop_column('body_html')
        batch_op.drop_column('summary_html')
    op.drop_table('advisory_feed_tokens')
