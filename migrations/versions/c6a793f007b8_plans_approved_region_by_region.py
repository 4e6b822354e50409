"""Plans approved region by region

Revision ID: c6a793f007b8
Revises: e663f920f90d
Create Date: 2026-12-04 01:36:28.326633

"""
from alembic import op
import sqlalchemy as sa

import planner.models.types


# revision identifiers, used by Alembic.
revision = 'c6a793f007b8'
down_revision = 'e663f920f90d'
branch_labels = None
depends_on = None


def upgrade():
    # A national run's regions are approved one by one; a run approved before keeps its
    # approved_at, which still means the whole run.
    op.create_table('plan_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('approved_at', planner.models.types.UTCDateTime(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_name', sa.String(length=80), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['app_user.id'], name=op.f('fk_plan_approval_approved_by_id_app_user')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_plan_approval_region_id_region')),
    sa.ForeignKeyConstraint(['run_id'], ['plan_run.id'], name=op.f('fk_plan_approval_run_id_plan_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_approval')),
    sa.UniqueConstraint('run_id', 'region_id', name=op.f('uq_plan_approval_run_id'))
    )


def downgrade():
    op.drop_table('plan_approval')
