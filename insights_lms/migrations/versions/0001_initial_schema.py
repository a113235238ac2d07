"""initial schema: framework, programme, cohorts, users

Revision ID: 0001
Revises:
Create Date: 2026-11-23 03:36:14.880068
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lms_framework',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_framework')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_framework_code'))
    )
    op.create_table('lms_login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('attempted_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_login_attempt'))
    )
    with op.batch_alter_table('lms_login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_lms_login_attempt_email_dt', ['email', 'attempted_dt'], unique=False)

    op.create_table('lms_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('school', sa.String(length=200), nullable=False),
    sa.Column('school_phase', sa.Enum('primary', 'secondary', 'special', 'all_through', name='schoolphase', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('role_in_school', sa.String(length=200), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_dt', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_user')),
    sa.UniqueConstraint('email', name=op.f('uq_lms_user_email')),
    sa.UniqueConstraint('public_id', name=op.f('uq_lms_user_public_id')),
    sa.UniqueConstraint('session_token', name=op.f('uq_lms_user_session_token'))
    )
    op.create_table('lms_domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['lms_framework.id'], name=op.f('fk_lms_domain_framework_id_lms_framework'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_domain')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_lms_domain_framework_id_code'))
    )
    op.create_table('lms_programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['lms_framework.id'], name=op.f('fk_lms_programme_framework_id_lms_framework')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_programme')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_programme_code'))
    )
    op.create_table('lms_scale',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['lms_framework.id'], name=op.f('fk_lms_scale_framework_id_lms_framework'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_scale')),
    sa.UniqueConstraint('framework_id', name=op.f('uq_lms_scale_framework_id'))
    )
    op.create_table('lms_cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['lms_programme.id'], name=op.f('fk_lms_cohort_programme_id_lms_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_cohort')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_cohort_code'))
    )
    op.create_table('lms_competency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('domain_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['domain_id'], ['lms_domain.id'], name=op.f('fk_lms_competency_domain_id_lms_domain'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['framework_id'], ['lms_framework.id'], name=op.f('fk_lms_competency_framework_id_lms_framework'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['lms_competency.id'], name=op.f('fk_lms_competency_parent_id_lms_competency'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_competency')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_lms_competency_framework_id_code'))
    )
    op.create_table('lms_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scale_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['scale_id'], ['lms_scale.id'], name=op.f('fk_lms_level_scale_id_lms_scale'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_level')),
    sa.UniqueConstraint('scale_id', 'code', name=op.f('uq_lms_level_scale_id_code')),
    sa.UniqueConstraint('scale_id', 'value', name=op.f('uq_lms_level_scale_id_value'))
    )
    op.create_table('lms_module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('launch', 'workshop', 'celebration', 'study_visit', name='modulekind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('objectives', sa.JSON(), nullable=False),
    sa.Column('planned_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('planned_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['lms_programme.id'], name=op.f('fk_lms_module_programme_id_lms_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_module')),
    sa.UniqueConstraint('programme_id', 'code', name=op.f('uq_lms_module_programme_id_code')),
    sa.UniqueConstraint('programme_id', 'sequence', name=op.f('uq_lms_module_programme_id_sequence'))
    )
    op.create_table('lms_coach_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('coach_id <> participant_id', name=op.f('ck_lms_coach_assignment_not_self')),
    sa.ForeignKeyConstraint(['coach_id'], ['lms_user.id'], name=op.f('fk_lms_coach_assignment_coach_id_lms_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_coach_assignment_cohort_id_lms_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['lms_user.id'], name=op.f('fk_lms_coach_assignment_participant_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_coach_assignment')),
    sa.UniqueConstraint('cohort_id', 'participant_id', name=op.f('uq_lms_coach_assignment_cohort_id_participant_id'))
    )
    op.create_table('lms_cohort_module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_lms_cohort_module_ends_after_start')),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_cohort_module_cohort_id_lms_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['lms_module.id'], name=op.f('fk_lms_cohort_module_module_id_lms_module'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_cohort_module')),
    sa.UniqueConstraint('cohort_id', 'module_id', name=op.f('uq_lms_cohort_module_cohort_id_module_id'))
    )
    op.create_table('lms_enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('participant', 'coach', 'facilitator', name='cohortrole', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('registration', sa.String(length=36), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_enrolment_cohort_id_lms_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_enrolment_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_enrolment')),
    sa.UniqueConstraint('cohort_id', 'user_id', 'role', name=op.f('uq_lms_enrolment_cohort_id_user_id_role')),
    sa.UniqueConstraint('registration', name=op.f('uq_lms_enrolment_registration'))
    )
    op.create_table('lms_level_descriptor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_level_descriptor_competency_id_lms_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['level_id'], ['lms_level.id'], name=op.f('fk_lms_level_descriptor_level_id_lms_level'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_level_descriptor')),
    sa.UniqueConstraint('competency_id', 'level_id', name=op.f('uq_lms_level_descriptor_competency_id_level_id'))
    )
    op.create_table('lms_module_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('expert_input', 'leadership_provocation', 'goldfish_bowl', 'virtual_study_visit', 'study_visit', 'peer_learning', 'reflection', 'networking', name='activitykind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['lms_module.id'], name=op.f('fk_lms_module_activity_module_id_lms_module'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_module_activity'))
    )
    op.create_table('lms_module_competency',
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_module_competency_competency_id_lms_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['lms_module.id'], name=op.f('fk_lms_module_competency_module_id_lms_module'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('module_id', 'competency_id', name=op.f('pk_lms_module_competency'))
    )
    op.create_table('lms_practical_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('after_module_id', sa.Integer(), nullable=False),
    sa.Column('before_module_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('expected_evidence', sa.Text(), nullable=False),
    sa.Column('planned_opens', sa.DateTime(timezone=True), nullable=True),
    sa.Column('planned_due', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['after_module_id'], ['lms_module.id'], name=op.f('fk_lms_practical_task_after_module_id_lms_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['before_module_id'], ['lms_module.id'], name=op.f('fk_lms_practical_task_before_module_id_lms_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['lms_programme.id'], name=op.f('fk_lms_practical_task_programme_id_lms_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_practical_task')),
    sa.UniqueConstraint('programme_id', 'code', name=op.f('uq_lms_practical_task_programme_id_code'))
    )
    op.create_table('lms_cohort_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('due_at > opens_at', name=op.f('ck_lms_cohort_task_due_after_opens')),
    sa.ForeignKeyConstraint(['cohort_id'], ['lms_cohort.id'], name=op.f('fk_lms_cohort_task_cohort_id_lms_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['lms_practical_task.id'], name=op.f('fk_lms_cohort_task_task_id_lms_practical_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_cohort_task')),
    sa.UniqueConstraint('cohort_id', 'task_id', name=op.f('uq_lms_cohort_task_cohort_id_task_id'))
    )
    op.create_table('lms_task_competency',
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_task_competency_competency_id_lms_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['lms_practical_task.id'], name=op.f('fk_lms_task_competency_task_id_lms_practical_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('task_id', 'competency_id', name=op.f('pk_lms_task_competency'))
    )


def downgrade() -> None:
    op.drop_table('lms_task_competency')
    op.drop_table('lms_cohort_task')
    op.drop_table('lms_practical_task')
    op.drop_table('lms_module_competency')
    op.drop_table('lms_module_activity')
    op.drop_table('lms_level_descriptor')
    op.drop_table('lms_enrolment')
    op.drop_table('lms_cohort_module')
    op.drop_table('lms_coach_assignment')
    op.drop_table('lms_module')
    op.drop_table('lms_level')
    op.drop_table('lms_competency')
    op.drop_table('lms_cohort')
    op.drop_table('lms_scale')
    op.drop_table('lms_programme')
    op.drop_table('lms_domain')
    op.drop_table('lms_user')
    with op.batch_alter_table('lms_login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_login_attempt_email_dt')

    op.drop_table('lms_login_attempt')
    op.drop_table('lms_framework')
