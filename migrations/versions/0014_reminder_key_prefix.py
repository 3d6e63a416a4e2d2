"""reminders: an index PostgreSQL can use for `key LIKE 'prefix%'` whatever the database's collation

Cancelling a request's or a meeting's reminders looks them up by key prefix (bot/reminders.py cancel and
pending). Under a non-C collation (en_US.UTF-8, zh_TW.UTF-8) the unique index on key cannot serve a LIKE,
so each claim scanned every scheduled reminder; varchar_pattern_ops can. SQLite needs nothing here.

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_reminders_key_prefix", "reminders", ["key"],
                        postgresql_ops={"key": "varchar_pattern_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_reminders_key_prefix", table_name="reminders")
