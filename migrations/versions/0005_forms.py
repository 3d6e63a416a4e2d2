"""forms tables

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('template', sa.String(length=40), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('broadcast_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_forms_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forms'))
    )
    with op.batch_alter_table('forms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forms_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forms_status'), ['status'], unique=False)

    op.create_table('form_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_form_responses_form_id_forms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_form_responses_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_responses')),
    sa.UniqueConstraint('form_id', 'unit_id', name=op.f('uq_form_responses_form_id'))
    )
    with op.batch_alter_table('form_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_responses_form_id'), ['form_id'], unique=False)

    op.create_table('form_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_form_targets_form_id_forms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_form_targets_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_targets')),
    sa.UniqueConstraint('form_id', 'unit_id', name=op.f('uq_form_targets_form_id'))
    )
    with op.batch_alter_table('form_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_targets_form_id'), ['form_id'], unique=False)

    op.create_table('form_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('via', sa.String(length=10), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['form_responses.id'], name=op.f('fk_form_revisions_response_id_form_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_revisions')),
    sa.UniqueConstraint('response_id', 'number', name=op.f('uq_form_revisions_response_id'))
    )
    with op.batch_alter_table('form_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_revisions_response_id'), ['response_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('form_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_revisions_response_id'))

    op.drop_table('form_revisions')
    with op.batch_alter_table('form_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_targets_form_id'))

    op.drop_table('form_targets')
    with op.batch_alter_table('form_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_responses_form_id'))

    op.drop_table('form_responses')
    with op.batch_alter_table('forms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forms_status'))
        batch_op.drop_index(batch_op.f('ix_forms_district_id'))

    op.drop_table('forms')
