"""assessment last reopening: who, when and why

The last reopening of an assessment (ARS or admin decision) with its reason, kept through
the next submission and shown on the overview; every reopening is also in the audit log.

Revision ID: 196bdaed7a46
Revises: 5c1e0d7a9b21
Create Date: 2026-11-29 15:44:45.149264

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '196bdaed7a46'
down_revision = '5c1e0d7a9b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reopened_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reopen_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assessments_reopened_by_id_users'), 'users',
                                    ['reopened_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessments_reopened_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('reopen_reason')
        batch_op.drop_column('reopened_by_id')
        batch_op.drop_column('reopened_at')
