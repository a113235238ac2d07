"""participant journey: evidence, tasks, self-assessment, attendance, school context, calendar, reminders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:29:25.187408
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lms_audit_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['lms_user.id'], name=op.f('fk_lms_audit_record_actor_id_lms_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_audit_record'))
    )
    with op.batch_alter_table('lms_audit_record', schema=None) as batch_op:
        batch_op.create_index('ix_lms_audit_record_object', ['object_type', 'object_id'], unique=False)

    op.create_table('lms_calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reset_dt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_calendar_feed_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_calendar_feed')),
    sa.UniqueConstraint('token', name=op.f('uq_lms_calendar_feed_token')),
    sa.UniqueConstraint('user_id', name=op.f('uq_lms_calendar_feed_user_id'))
    )
    op.create_table('lms_school_context',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.Enum('primary', 'secondary', 'special', 'all_through', name='schoolphase', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('pupils', sa.Integer(), nullable=True),
    sa.Column('staff', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pupils IS NULL OR (pupils >= 1 AND pupils <= 10000)', name=op.f('ck_lms_school_context_pupils_range')),
    sa.CheckConstraint('staff IS NULL OR (staff >= 1 AND staff <= 5000)', name=op.f('ck_lms_school_context_staff_range')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_school_context_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_school_context')),
    sa.UniqueConstraint('user_id', name=op.f('uq_lms_school_context_user_id'))
    )
    op.create_table('lms_challenge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['lms_programme.id'], name=op.f('fk_lms_challenge_programme_id_lms_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_challenge')),
    sa.UniqueConstraint('programme_id', 'code', name=op.f('uq_lms_challenge_programme_id_code'))
    )
    op.create_table('lms_context_challenge_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_context_id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('rated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('weight >= 0 AND weight <= 4', name=op.f('ck_lms_context_challenge_rating_weight_range')),
    sa.ForeignKeyConstraint(['challenge_id'], ['lms_challenge.id'], name=op.f('fk_lms_context_challenge_rating_challenge_id_lms_challenge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_context_id'], ['lms_school_context.id'], name=op.f('fk_lms_context_challenge_rating_school_context_id_lms_school_context'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_context_challenge_rating'))
    )
    with op.batch_alter_table('lms_context_challenge_rating', schema=None) as batch_op:
        batch_op.create_index('ix_lms_context_challenge_rating_context_challenge', ['school_context_id', 'challenge_id', 'rated_dt'], unique=False)

    op.create_table('lms_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_module_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('present', 'late', 'apologies', 'absent', name='attendancestatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_module_id'], ['lms_cohort_module.id'], name=op.f('fk_lms_attendance_cohort_module_id_lms_cohort_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['lms_user.id'], name=op.f('fk_lms_attendance_participant_id_lms_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['lms_user.id'], name=op.f('fk_lms_attendance_recorded_by_id_lms_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_attendance')),
    sa.UniqueConstraint('cohort_module_id', 'participant_id', name=op.f('uq_lms_attendance_cohort_module_id_participant_id'))
    )
    with op.batch_alter_table('lms_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_attendance_participant_id'), ['participant_id'], unique=False)

    op.create_table('lms_module_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_module_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('learned', sa.Text(), nullable=False),
    sa.Column('will_trial', sa.Text(), nullable=False),
    sa.Column('completed_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_module_id'], ['lms_cohort_module.id'], name=op.f('fk_lms_module_completion_cohort_module_id_lms_cohort_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['lms_user.id'], name=op.f('fk_lms_module_completion_participant_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_module_completion')),
    sa.UniqueConstraint('cohort_module_id', 'participant_id', name=op.f('uq_lms_module_completion_cohort_module_id_participant_id'))
    )
    with op.batch_alter_table('lms_module_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_module_completion_participant_id'), ['participant_id'], unique=False)

    op.create_table('lms_self_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('occasion', sa.Enum('start', 'after_module', 'end', name='assessmentoccasion', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('rated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(occasion = 'after_module' AND module_id IS NOT NULL) OR (occasion <> 'after_module' AND module_id IS NULL)", name=op.f('ck_lms_self_rating_module_iff_after_module')),
    sa.CheckConstraint('length(comment) <= 2000', name=op.f('ck_lms_self_rating_comment_length')),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_self_rating_competency_id_lms_competency'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_self_rating_enrolment_id_lms_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['level_id'], ['lms_level.id'], name=op.f('fk_lms_self_rating_level_id_lms_level'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['module_id'], ['lms_module.id'], name=op.f('fk_lms_self_rating_module_id_lms_module'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_self_rating'))
    )
    with op.batch_alter_table('lms_self_rating', schema=None) as batch_op:
        batch_op.create_index('ix_lms_self_rating_enrolment_competency_dt', ['enrolment_id', 'competency_id', 'rated_dt'], unique=False)

    op.create_table('lms_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=True),
    sa.Column('cohort_task_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_deleted', sa.Boolean(), nullable=False),
    sa.Column('deleted_dt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cohort_task_id'], ['lms_cohort_task.id'], name=op.f('fk_lms_evidence_cohort_task_id_lms_cohort_task'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_evidence_enrolment_id_lms_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['lms_module.id'], name=op.f('fk_lms_evidence_module_id_lms_module'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['lms_user.id'], name=op.f('fk_lms_evidence_owner_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_evidence')),
    sa.UniqueConstraint('public_id', name=op.f('uq_lms_evidence_public_id'))
    )
    with op.batch_alter_table('lms_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_evidence_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('lms_reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('task_due', 'module_soon', name='reminderkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('cohort_task_id', sa.Integer(), nullable=True),
    sa.Column('cohort_module_id', sa.Integer(), nullable=True),
    sa.Column('sent_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'task_due' AND cohort_task_id IS NOT NULL AND cohort_module_id IS NULL) OR (kind = 'module_soon' AND cohort_module_id IS NOT NULL AND cohort_task_id IS NULL)", name=op.f('ck_lms_reminder_sent_one_target')),
    sa.ForeignKeyConstraint(['cohort_module_id'], ['lms_cohort_module.id'], name=op.f('fk_lms_reminder_sent_cohort_module_id_lms_cohort_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cohort_task_id'], ['lms_cohort_task.id'], name=op.f('fk_lms_reminder_sent_cohort_task_id_lms_cohort_task'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_reminder_sent_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_reminder_sent')),
    sa.UniqueConstraint('user_id', 'cohort_module_id', name=op.f('uq_lms_reminder_sent_user_id_cohort_module_id')),
    sa.UniqueConstraint('user_id', 'cohort_task_id', name=op.f('uq_lms_reminder_sent_user_id_cohort_task_id'))
    )
    op.create_table('lms_task_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('cohort_task_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'reviewed', name='responsestatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_dt', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cohort_task_id'], ['lms_cohort_task.id'], name=op.f('fk_lms_task_response_cohort_task_id_lms_cohort_task'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_task_response_enrolment_id_lms_enrolment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_task_response')),
    sa.UniqueConstraint('enrolment_id', 'cohort_task_id', name=op.f('uq_lms_task_response_enrolment_id_cohort_task_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_lms_task_response_public_id'))
    )
    op.create_table('lms_evidence_challenge',
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['lms_challenge.id'], name=op.f('fk_lms_evidence_challenge_challenge_id_lms_challenge'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['evidence_id'], ['lms_evidence.id'], name=op.f('fk_lms_evidence_challenge_evidence_id_lms_evidence'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evidence_id', 'challenge_id', name=op.f('pk_lms_evidence_challenge'))
    )
    op.create_table('lms_evidence_competency',
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_evidence_competency_competency_id_lms_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_id'], ['lms_evidence.id'], name=op.f('fk_lms_evidence_competency_evidence_id_lms_evidence'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evidence_id', 'competency_id', name=op.f('pk_lms_evidence_competency'))
    )
    op.create_table('lms_evidence_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('mimetype', sa.String(length=128), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('thumbnail_key', sa.String(length=64), nullable=True),
    sa.Column('uploaded_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['lms_evidence.id'], name=op.f('fk_lms_evidence_file_evidence_id_lms_evidence'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_evidence_file')),
    sa.UniqueConstraint('public_id', name=op.f('uq_lms_evidence_file_public_id')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_lms_evidence_file_storage_key'))
    )
    with op.batch_alter_table('lms_evidence_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_evidence_file_evidence_id'), ['evidence_id'], unique=False)

    op.create_table('lms_task_response_challenge',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['lms_challenge.id'], name=op.f('fk_lms_task_response_challenge_challenge_id_lms_challenge'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['response_id'], ['lms_task_response.id'], name=op.f('fk_lms_task_response_challenge_response_id_lms_task_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'challenge_id', name=op.f('pk_lms_task_response_challenge'))
    )
    op.create_table('lms_task_response_evidence',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['lms_evidence.id'], name=op.f('fk_lms_task_response_evidence_evidence_id_lms_evidence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['lms_task_response.id'], name=op.f('fk_lms_task_response_evidence_response_id_lms_task_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'evidence_id', name=op.f('pk_lms_task_response_evidence'))
    )


def downgrade() -> None:
    op.drop_table('lms_task_response_evidence')
    op.drop_table('lms_task_response_challenge')
    with op.batch_alter_table('lms_evidence_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_evidence_file_evidence_id'))

    op.drop_table('lms_evidence_file')
    op.drop_table('lms_evidence_competency')
    op.drop_table('lms_evidence_challenge')
    op.drop_table('lms_task_response')
    op.drop_table('lms_reminder_sent')
    with op.batch_alter_table('lms_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_evidence_enrolment_id'))

    op.drop_table('lms_evidence')
    with op.batch_alter_table('lms_self_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_self_rating_enrolment_competency_dt')

    op.drop_table('lms_self_rating')
    with op.batch_alter_table('lms_module_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_module_completion_participant_id'))

    op.drop_table('lms_module_completion')
    with op.batch_alter_table('lms_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_attendance_participant_id'))

    op.drop_table('lms_attendance')
    with op.batch_alter_table('lms_context_challenge_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_context_challenge_rating_context_challenge')

    op.drop_table('lms_context_challenge_rating')
    op.drop_table('lms_challenge')
    op.drop_table('lms_school_context')
    op.drop_table('lms_calendar_feed')
    with op.batch_alter_table('lms_audit_record', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_audit_record_object')

    op.drop_table('lms_audit_record')
