"""account recovery: retired reset links, sign-in unlock links, API token expiry, link markers

Declared in vendorrisk/accounts/models.py (password_reset_tokens.retired_at, sign_in_unlocks),
vendorrisk/api/models.py (api_tokens.expires_at) and vendorrisk/mail/models.py
(outbox_messages.link_marker).

Tokens that exist at the upgrade expire 90 days after it (the default lifetime of a new
token), so no script stops working on the day of the upgrade. Messages queued before the
upgrade carry the old fixed placeholder; it becomes their marker so their links still go out.

Revision ID: 0010_account_recovery
Revises: 0009_api_tokens
Create Date: 2026-12-06 18:52:28.201705

"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_account_recovery'
down_revision = '0009_api_tokens'
branch_labels = None
depends_on = None

LEGACY_PLACEHOLDER = "[[secure-link]]"


def upgrade():
    op.create_table('sign_in_unlocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_unlocks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_unlocks')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_unlocks_token_hash'))
    )
    with op.batch_alter_table('sign_in_unlocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_unlocks_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
    api_tokens = sa.table('api_tokens', sa.column('expires_at', sa.DateTime()))
    expiry = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=90)
    op.execute(api_tokens.update().values(expires_at=expiry))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_marker', sa.String(length=64), nullable=True))
    outbox = sa.table(
        'outbox_messages', sa.column('link_marker', sa.String()), sa.column('link_purpose', sa.String())
    )
    op.execute(
        outbox.update()
        .where(outbox.c.link_purpose.is_not(None))
        .values(link_marker=LEGACY_PLACEHOLDER)
    )

    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('password_reset_tokens', schema=None) as batch_op:
        batch_op.drop_column('retired_at')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('link_marker')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('sign_in_unlocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_unlocks_user_id'))

    op.drop_table('sign_in_unlocks')
