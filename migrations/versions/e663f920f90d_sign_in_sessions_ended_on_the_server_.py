"""Sign-in: sessions ended on the server, accounts locked after wrong passwords

Revision ID: e663f920f90d
Revises: 1e3c561c9099
Create Date: 2026-12-03 20:54:26.103316

"""
import secrets

from alembic import op
import sqlalchemy as sa

import planner.models.types


# revision identifiers, used by Alembic.
revision = 'e663f920f90d'
down_revision = '1e3c561c9099'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', planner.models.types.UTCDateTime(), nullable=True))

    # Each existing account gets a token of its own; sessions signed in before it end.
    users = sa.table('app_user', sa.column('id', sa.Integer()), sa.column('session_token', sa.String()))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(session_token=secrets.token_urlsafe(32))
        )

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64), nullable=False)


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_sign_ins')
        batch_op.drop_column('session_token')
