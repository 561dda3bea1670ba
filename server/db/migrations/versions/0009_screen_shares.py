"""screen shares: who shared a screen in a meeting, when, and on which media stream

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screen_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.String(length=32), nullable=False),
    sa.Column('participant_id', sa.String(length=32), nullable=False),
    sa.Column('stream_id', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.Float(), nullable=False),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('screen_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screen_shares_meeting_id'), ['meeting_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('screen_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screen_shares_meeting_id'))
    op.drop_table('screen_shares')
