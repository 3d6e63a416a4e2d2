"""calendar tables

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("group_line_id", sa.String(length=64), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["district_id"], ["districts.id"], name=op.f("fk_calendar_calls_district_id_districts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_calls")),
    )
    with op.batch_alter_table("calendar_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_calls_district_id"), ["district_id"], unique=False)

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["districts.id"], name=op.f("fk_calendar_feeds_district_id_districts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("district_id", name=op.f("uq_calendar_feeds_district_id")),
    )
    op.create_table(
        "calendar_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=80), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("joinable", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["districts.id"],
                                name=op.f("fk_calendar_activities_district_id_districts")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_calendar_activities_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_activities")),
        sa.UniqueConstraint("uid", name=op.f("uq_calendar_activities_uid")),
    )
    with op.batch_alter_table("calendar_activities", schema=None) as batch_op:
        batch_op.create_index("ix_calendar_activities_district_start", ["district_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_calendar_activities_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "calendar_call_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("answered_by", sa.String(length=64), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calendar_calls.id"],
                                name=op.f("fk_calendar_call_answers_call_id_calendar_calls")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_calendar_call_answers_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_call_answers")),
        sa.UniqueConstraint("call_id", "unit_id", name=op.f("uq_calendar_call_answers_call_id")),
    )


def downgrade() -> None:
    op.drop_table("calendar_call_answers")
    with op.batch_alter_table("calendar_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_activities_unit_id"))
        batch_op.drop_index("ix_calendar_activities_district_start")
    op.drop_table("calendar_activities")
    op.drop_table("calendar_feeds")
    with op.batch_alter_table("calendar_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_calls_district_id"))
    op.drop_table("calendar_calls")
