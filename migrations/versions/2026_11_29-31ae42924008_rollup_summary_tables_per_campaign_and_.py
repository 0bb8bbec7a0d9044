"""rollup summary tables per campaign and scope

The dashboards' indicators per campaign × scope (region code or "national") × kind, as a JSON
payload; kept up to date by careapp/rollups/refresh.py. Fill them after upgrading with
`flask --app careapp rollups refresh`.

Revision ID: 31ae42924008
Revises: 196bdaed7a46
Create Date: 2026-11-29 16:02:32.320845

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '31ae42924008'
down_revision = '196bdaed7a46'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rollup_summaries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_rollup_summaries_campaign_id_campaigns'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_summaries')),
        sa.UniqueConstraint('campaign_id', 'scope', 'kind',
                            name=op.f('uq_rollup_summaries_campaign_id')),
    )


def downgrade():
    op.drop_table('rollup_summaries')
