"""roadmap action origins

One gap, one action: when a question and a register item (D2 checklist, exercise register)
state the same gap, the roadmap makes one action of them; `origins` lists every origin it
stands for ([{"kind", "ref", "label": {"fr", "en"}}]) so that the page can name them. Empty
(NULL) for actions generated before this revision until the next roadmap update.

Revision ID: 5701565b1b26
Revises: a6421094d2b7
Create Date: 2026-11-29 17:40:23.766109

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5701565b1b26'
down_revision = 'a6421094d2b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('roadmap_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origins', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('roadmap_actions', schema=None) as batch_op:
        batch_op.drop_column('origins')
