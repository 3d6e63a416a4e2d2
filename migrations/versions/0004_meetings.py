"""meetings tables

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('type_key', sa.String(length=40), nullable=False),
    sa.Column('type_name', sa.String(length=40), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('group_line_id', sa.String(length=64), nullable=True),
    sa.Column('organiser_line_id', sa.String(length=64), nullable=True),
    sa.Column('minutes_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('minutes_label', sa.String(length=120), nullable=True),
    sa.Column('cases_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cases_label', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_meetings_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_status'), ['status'], unique=False)

    op.create_table('meeting_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.Column('answered_by', sa.String(length=64), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_attendance_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_meeting_attendance_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendance')),
    sa.UniqueConstraint('meeting_id', 'unit_id', name=op.f('uq_meeting_attendance_meeting_id'))
    )
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendance_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('tracked_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_tracked_items_district_id_districts')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_tracked_items_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracked_items')),
    sa.UniqueConstraint('district_id', 'number', name=op.f('uq_tracked_items_district_id'))
    )
    with op.batch_alter_table('tracked_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracked_items_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracked_items_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracked_items_status'), ['status'], unique=False)

    op.create_table('tracked_item_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('author_line_id', sa.String(length=64), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['tracked_items.id'], name=op.f('fk_tracked_item_notes_item_id_tracked_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_tracked_item_notes_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracked_item_notes'))
    )
    with op.batch_alter_table('tracked_item_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracked_item_notes_item_id'), ['item_id'], unique=False)

    op.create_table('tracked_item_owners',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['tracked_items.id'], name=op.f('fk_tracked_item_owners_item_id_tracked_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_tracked_item_owners_unit_id_units')),
    sa.PrimaryKeyConstraint('item_id', 'unit_id', name=op.f('pk_tracked_item_owners'))
    )


def downgrade() -> None:
    op.drop_table('tracked_item_owners')
    with op.batch_alter_table('tracked_item_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracked_item_notes_item_id'))

    op.drop_table('tracked_item_notes')
    with op.batch_alter_table('tracked_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracked_items_status'))
        batch_op.drop_index(batch_op.f('ix_tracked_items_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_tracked_items_district_id'))

    op.drop_table('tracked_items')
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendance_meeting_id'))

    op.drop_table('meeting_attendance')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_status'))
        batch_op.drop_index(batch_op.f('ix_meetings_starts_at'))
        batch_op.drop_index(batch_op.f('ix_meetings_district_id'))

    op.drop_table('meetings')
