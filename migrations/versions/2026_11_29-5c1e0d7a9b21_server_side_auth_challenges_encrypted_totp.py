"""Server-side authentication challenges; TOTP secrets encrypted at rest

Revision ID: 5c1e0d7a9b21
Revises: ab0fd99ddf57
Create Date: 2026-11-29 15:30:00

The login step between password and code, and an enrolment's new key, were kept in the signed
cookie: whoever held the signing key could forge them. They now live in `auth_challenges`.
TOTP secrets already stored are encrypted with the first key of CAREAPP_TOTP_KEYS.
"""
import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

# revision identifiers, used by Alembic.
revision = '5c1e0d7a9b21'
down_revision = 'ab0fd99ddf57'
branch_labels = None
depends_on = None


def _box() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in current_app.config["TOTP_KEYS"]])


def upgrade():
    op.create_table('auth_challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('target', sa.String(length=2048), nullable=False),
    sa.Column('candidate_secret', sa.String(length=255), nullable=True),
    sa.Column('stepped_up', sa.Boolean(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_challenges_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_challenges')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_challenges_token_hash'))
    )
    with op.batch_alter_table('auth_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_challenges_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=32),
                              type_=sa.String(length=255), existing_nullable=True)

    users = sa.table('users', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))
    bind = op.get_bind()
    box = _box()
    for user_id, secret in bind.execute(sa.select(users.c.id, users.c.totp_secret)
                                        .where(users.c.totp_secret.is_not(None))).all():
        try:
            box.decrypt(secret.encode())
            continue  # already encrypted
        except InvalidToken:
            pass
        bind.execute(users.update().where(users.c.id == user_id)
                     .values(totp_secret=box.encrypt(secret.encode()).decode()))


def downgrade():
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))
    bind = op.get_bind()
    box = _box()
    for user_id, token in bind.execute(sa.select(users.c.id, users.c.totp_secret)
                                       .where(users.c.totp_secret.is_not(None))).all():
        bind.execute(users.update().where(users.c.id == user_id)
                     .values(totp_secret=box.decrypt(token.encode()).decode()))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255),
                              type_=sa.String(length=32), existing_nullable=True)

    with op.batch_alter_table('auth_challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_challenges_user_id'))

    op.drop_table('auth_challenges')
