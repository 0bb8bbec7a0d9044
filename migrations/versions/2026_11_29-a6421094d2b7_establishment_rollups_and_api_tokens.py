"""establishment rollups and api tokens

`establishment_rollups`: one line per campaign × establishment for the dashboards' tables
(careapp/rollups/refresh.py keeps it up to date; fill it after upgrading with
`flask --app careapp rollups refresh`). `api_tokens`: personal tokens of the JSON API, hashed.

Revision ID: a6421094d2b7
Revises: 31ae42924008
Create Date: 2026-11-29 17:03:20.236232

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a6421094d2b7'
down_revision = '31ae42924008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('establishment_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('establishment_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=2), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overall', sa.Double(), nullable=True),
    sa.Column('overall_level', sa.Integer(), nullable=True),
    sa.Column('socle_rate', sa.Double(), nullable=True),
    sa.Column('axes', sa.JSON(), nullable=False),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('d2_met', sa.Integer(), nullable=False),
    sa.Column('d2_total', sa.Integer(), nullable=False),
    sa.Column('d2_unknown', sa.Integer(), nullable=False),
    sa.Column('last_exercise_on', sa.Date(), nullable=True),
    sa.Column('retex_missing', sa.Integer(), nullable=False),
    sa.Column('open_actions', sa.Integer(), nullable=False),
    sa.Column('open_p1', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_establishment_rollups_assessment_id_assessments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_establishment_rollups_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['establishment_id'], ['establishments.id'], name=op.f('fk_establishment_rollups_establishment_id_establishments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_establishment_rollups')),
    sa.UniqueConstraint('campaign_id', 'establishment_id', name=op.f('uq_establishment_rollups_campaign_id'))
    )
    with op.batch_alter_table('establishment_rollups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_establishment_rollups_establishment_id'), ['establishment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_establishment_rollups_region_code'), ['region_code'], unique=False)



def downgrade():
    with op.batch_alter_table('establishment_rollups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_establishment_rollups_region_code'))
        batch_op.drop_index(batch_op.f('ix_establishment_rollups_establishment_id'))

    op.drop_table('establishment_rollups')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
