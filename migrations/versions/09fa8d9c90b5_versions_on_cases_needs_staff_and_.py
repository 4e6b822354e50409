"""Versions on cases, needs, staff and absences: edits never lost

Revision ID: 09fa8d9c90b5
Revises: 6a7907fc876e
Create Date: 2026-12-04 01:38:53.934854

"""
from alembic import op
import sqlalchemy as sa

import planner.models.types


# revision identifiers, used by Alembic.
revision = '09fa8d9c90b5'
down_revision = '6a7907fc876e'
branch_labels = None
depends_on = None


# Each table a manager edits, in the order they appear in the models.
TABLES = ('case_record', 'need', 'staff_member', 'absence')


def upgrade():
    # Rows stored before this migration start at version 1, as new rows do.
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False)
            )


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
