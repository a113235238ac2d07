"""evidence reviews

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 05:17:58.432383
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lms_evidence_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('accepted', 'needs_more', name='reviewoutcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reviewed_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['lms_evidence.id'], name=op.f('fk_lms_evidence_review_evidence_id_lms_evidence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['lms_user.id'], name=op.f('fk_lms_evidence_review_reviewer_id_lms_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_evidence_review'))
    )
    with op.batch_alter_table('lms_evidence_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_evidence_review_evidence_id'), ['evidence_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lms_evidence_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_evidence_review_evidence_id'))

    op.drop_table('lms_evidence_review')
