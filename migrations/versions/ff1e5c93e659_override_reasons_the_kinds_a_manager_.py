"""Override reasons: the kinds a manager ticks, one row each

Revision ID: ff1e5c93e659
Revises: 09fa8d9c90b5
Create Date: 2026-12-04 01:34:54.661877

"""
from alembic import op
import sqlalchemy as sa

import planner.models.types


# revision identifiers, used by Alembic.
revision = 'ff1e5c93e659'
down_revision = '09fa8d9c90b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('override_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('continuity', 'better_suited', 'workload', 'circumstances', 'other', name='override_reason', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposed_assignment.id'], name=op.f('fk_override_category_proposal_id_proposed_assignment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_override_category'))
    )
    with op.batch_alter_table('override_category', schema=None) as batch_op:
        batch_op.create_index('ix_override_category_proposal', ['proposal_id', 'category'], unique=True)

    # Overrides made before the categories gave their reason in words alone: they read as
    # "Other", with those words as the detail.
    proposals = sa.table('proposed_assignment', sa.column('id', sa.Integer()), sa.column('overridden', sa.Boolean()))
    categories = sa.table('override_category', sa.column('proposal_id', sa.Integer()), sa.column('category', sa.String()))
    op.execute(
        categories.insert().from_select(
            ['proposal_id', 'category'],
            sa.select(proposals.c.id, sa.literal('other')).where(proposals.c.overridden == sa.true()),
        )
    )


def downgrade():
    with op.batch_alter_table('override_category', schema=None) as batch_op:
        batch_op.drop_index('ix_override_category_proposal')

    op.drop_table('override_category')
