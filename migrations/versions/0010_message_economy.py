"""message economy: the counted-messages ledger, who sent each push, digests per group

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("capability", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=60), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("to_group", sa.Boolean(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_ledger")),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_message_ledger_outbox_id")),
    )
    op.create_index(op.f("ix_message_ledger_month"), "message_ledger", ["month"], unique=False)
    op.create_table(
        "quota_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("limit", sa.Integer(), nullable=True),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("ledger_upto", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota_snapshots")),
    )
    op.create_index(op.f("ix_quota_snapshots_month"), "quota_snapshots", ["month"], unique=False)
    op.create_index(op.f("ix_quota_snapshots_read_at"), "quota_snapshots", ["read_at"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capability", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("purpose", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("bundled_into", sa.Integer(), nullable=True))
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_digest", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_time", sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("digest_time")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_column("in_digest")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("bundled_into")
        batch_op.drop_column("urgent")
        batch_op.drop_column("purpose")
        batch_op.drop_column("capability")
    op.drop_index(op.f("ix_quota_snapshots_read_at"), table_name="quota_snapshots")
    op.drop_index(op.f("ix_quota_snapshots_month"), table_name="quota_snapshots")
    op.drop_table("quota_snapshots")
    op.drop_index(op.f("ix_message_ledger_month"), table_name="message_ledger")
    op.drop_table("message_ledger")
