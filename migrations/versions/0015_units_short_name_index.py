"""units: an index on (district_id, short_name), which every load of a unit asks

`Unit.short_name_shared` (whether another unit of the district has the same short name, as two 家服中心
do) is read with each unit: a contact's own unit on nearly every command, the units a 求助 tags. Without
an index each read scanned every unit; with all of Taiwan's townships that is about 5,500 rows.

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_units_district_short_name", "units", ["district_id", "short_name"])


def downgrade() -> None:
    op.drop_index("ix_units_district_short_name", table_name="units")
