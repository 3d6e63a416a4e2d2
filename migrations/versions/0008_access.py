"""access: city-level units, approval card versions, who was sent an application's card

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_city_level", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("application_version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("notified_approvers", sa.JSON(), nullable=True))
    # City units are copied into every district of their city: a name found in all of them is city-level
    # (`roster seed` sets the flag from the data file from now on).
    op.execute("""
        UPDATE units SET is_city_level = TRUE WHERE id IN (
            SELECT u.id FROM units u JOIN districts d ON d.id = u.district_id
            WHERE (SELECT COUNT(*) FROM units u2 JOIN districts d2 ON d2.id = u2.district_id
                   WHERE u2.name = u.name AND d2.city = d.city)
                = (SELECT COUNT(*) FROM districts d3 WHERE d3.city = d.city)
              AND (SELECT COUNT(*) FROM districts d4 WHERE d4.city = d.city) > 1)
    """)


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("notified_approvers")
        batch_op.drop_column("application_version")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("is_city_level")
