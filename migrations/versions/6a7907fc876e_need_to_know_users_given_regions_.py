"""Need-to-know: users given regions (or national), cases restricted to named users

Every existing user is made national on upgrade, so that nobody is locked out of what they
saw before: an admin then gives each the regions they should see (Settings, Users). Users made
after this are given regions or national when they are made. No case is restricted on upgrade.

Revision ID: 6a7907fc876e
Revises: c6a793f007b8
Create Date: 2026-12-04 01:34:12.716784

"""
from alembic import op
import sqlalchemy as sa

import planner.models.types


# revision identifiers, used by Alembic.
revision = '6a7907fc876e'
down_revision = 'c6a793f007b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('region_access',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_region_access_region_id_region'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_region_access_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'region_id', name=op.f('pk_region_access'))
    )
    with op.batch_alter_table('region_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_access_region_id'), ['region_id'], unique=False)

    op.create_table('case_access',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], name=op.f('fk_case_access_case_id_case_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_case_access_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'user_id', name=op.f('pk_case_access'))
    )
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_access_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Everyone who could sign in before saw every region: they keep that until an admin says.
    users = sa.table('app_user', sa.column('national', sa.Boolean()))
    op.execute(users.update().values(national=True))

    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_column('restricted')

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('national')

    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_access_user_id'))

    op.drop_table('case_access')
    with op.batch_alter_table('region_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_access_region_id'))

    op.drop_table('region_access')
