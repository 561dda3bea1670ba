"""room features: screen shares (who shared, when, on which media stream), 書き込み strokes on shown
pages, whether the rep lets the customer draw, and the rep's meeting notes (商談記録)

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
    op.create_table('annotation_strokes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.String(length=32), nullable=False),
    sa.Column('show_id', sa.Integer(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.String(length=32), nullable=False),
    sa.Column('stroke_id', sa.String(length=32), nullable=False),
    sa.Column('tool', sa.String(length=16), nullable=False),
    sa.Column('color', sa.String(length=7), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('points', sa.Text(), nullable=False),
    sa.Column('drawn_at', sa.Float(), nullable=False),
    sa.Column('removed_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ),
    sa.ForeignKeyConstraint(['show_id'], ['document_shows.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('annotation_strokes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annotation_strokes_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annotation_strokes_show_id'), ['show_id'], unique=False)
    op.create_table('drawing_permissions',
    sa.Column('meeting_id', sa.String(length=32), nullable=False),
    sa.Column('allowed', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ),
    sa.PrimaryKeyConstraint('meeting_id')
    )
    op.create_table('meeting_notes',
    sa.Column('meeting_id', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], ),
    sa.PrimaryKeyConstraint('meeting_id')
    )


def downgrade() -> None:
    op.drop_table('meeting_notes')
    op.drop_table('drawing_permissions')
    with op.batch_alter_table('annotation_strokes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annotation_strokes_show_id'))
        batch_op.drop_index(batch_op.f('ix_annotation_strokes_meeting_id'))
    op.drop_table('annotation_strokes')
    with op.batch_alter_table('screen_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screen_shares_meeting_id'))
    op.drop_table('screen_shares')
