"""establishment rollups overdue p1

`establishment_rollups.overdue_p1`: the open P1 roadmap actions due before the line's day, so
that the ARS dashboard's « à relancer » list names establishments with overdue P1 actions
instead of guessing from open P1 and overdue counts taken separately (an overdue P2 beside a
P1 not yet due was listed). Existing lines get 0 until refreshed: run
`flask --app careapp rollups refresh` after upgrading to fill it.

Revision ID: a2afee67b70e
Revises: 5701565b1b26
Create Date: 2026-11-29 18:22:15.670443

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a2afee67b70e'
down_revision = '5701565b1b26'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('establishment_rollups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overdue_p1', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('establishment_rollups', schema=None) as batch_op:
        batch_op.drop_column('overdue_p1')
