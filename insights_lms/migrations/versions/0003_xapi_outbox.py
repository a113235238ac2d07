"""xapi statement outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:59:13.991952
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lms_xapi_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('statement', sa.JSON(), nullable=False),
    sa.Column('verb_id', sa.String(length=255), nullable=False),
    sa.Column('object_id', sa.String(length=1024), nullable=False),
    sa.Column('actor_name', sa.String(length=36), nullable=True),
    sa.Column('registration', sa.String(length=36), nullable=True),
    sa.Column('event', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sent', 'conflict', 'rejected', 'dead', name='xapistatementstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stored_dt', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_xapi_statement')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_lms_xapi_statement_statement_id'))
    )
    with op.batch_alter_table('lms_xapi_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_xapi_statement_actor_name'), ['actor_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_xapi_statement_object_id'), ['object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_xapi_statement_registration'), ['registration'], unique=False)
        batch_op.create_index('ix_lms_xapi_statement_status_next_attempt', ['status', 'next_attempt_dt'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lms_xapi_statement', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_xapi_statement_status_next_attempt')
        batch_op.drop_index(batch_op.f('ix_lms_xapi_statement_registration'))
        batch_op.drop_index(batch_op.f('ix_lms_xapi_statement_object_id'))
        batch_op.drop_index(batch_op.f('ix_lms_xapi_statement_actor_name'))

    op.drop_table('lms_xapi_statement')
