"""coaching, peer learning, ratings, matching, facilitation, xAPI forwarding and Statement API clients

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 07:03:05.959946
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('lms_xapi_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('secret_hash', sa.String(length=255), nullable=False),
    sa.Column('scope', sa.Enum('read', 'read_write', name='xapiclientscope', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_dt', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_xapi_client')),
    sa.UniqueConstraint('name', name=op.f('uq_lms_xapi_client_name'))
    )
    op.create_table('lms_xapi_forwarder_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('paused_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pause_reason', sa.Text(), nullable=True),
    sa.Column('credentials_key', sa.String(length=64), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sent_dt', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_xapi_forwarder_state'))
    )
    op.create_table('lms_coach_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('capacity >= 0 AND capacity <= 30', name=op.f('ck_lms_coach_profile_capacity_range')),
    sa.CheckConstraint('length(bio) <= 2000', name=op.f('ck_lms_coach_profile_bio_length')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['lms_user.id'], name=op.f('fk_lms_coach_profile_updated_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_coach_profile_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_coach_profile')),
    sa.UniqueConstraint('user_id', name=op.f('uq_lms_coach_profile_user_id'))
    )
    op.create_table('lms_invite_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_invite_token_created_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_invite_token_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_invite_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_lms_invite_token_token_hash'))
    )
    with op.batch_alter_table('lms_invite_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_invite_token_user_id'), ['user_id'], unique=False)

    op.create_table('lms_coach_context_experience',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('challenge_code', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['lms_coach_profile.id'], name=op.f('fk_lms_coach_context_experience_profile_id_lms_coach_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_coach_context_experience')),
    sa.UniqueConstraint('profile_id', 'challenge_code', name=op.f('uq_lms_coach_context_experience_profile_id_challenge_code'))
    )
    op.create_table('lms_coach_phase',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.Enum('primary', 'secondary', 'special', 'all_through', name='schoolphase', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['lms_coach_profile.id'], name=op.f('fk_lms_coach_phase_profile_id_lms_coach_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_coach_phase')),
    sa.UniqueConstraint('profile_id', 'phase', name=op.f('uq_lms_coach_phase_profile_id_phase'))
    )
    op.create_table('lms_coach_strength',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('competency_code', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['lms_coach_profile.id'], name=op.f('fk_lms_coach_strength_profile_id_lms_coach_profile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_coach_strength')),
    sa.UniqueConstraint('profile_id', 'competency_code', name=op.f('uq_lms_coach_strength_profile_id_competency_code'))
    )
    op.create_table('lms_case_study',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('what_i_did', sa.Text(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('transferable', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'shared', name='casestudystatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('shared_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_featured', sa.Boolean(), nullable=False),
    sa.Column('featured_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('featured_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_case_study_enrolment_id_lms_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['featured_by_id'], ['lms_user.id'], name=op.f('fk_lms_case_study_featured_by_id_lms_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_case_study')),
    sa.UniqueConstraint('public_id', name=op.f('uq_lms_case_study_public_id'))
    )
    with op.batch_alter_table('lms_case_study', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_case_study_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('lms_competency_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('level_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('coach', 'facilitator', 'agreed', name='ratingkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('rated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(note) <= 4000', name=op.f('ck_lms_competency_rating_note_length')),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_competency_rating_competency_id_lms_competency'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_competency_rating_enrolment_id_lms_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['level_id'], ['lms_level.id'], name=op.f('fk_lms_competency_rating_level_id_lms_level'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rater_id'], ['lms_user.id'], name=op.f('fk_lms_competency_rating_rater_id_lms_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_competency_rating'))
    )
    with op.batch_alter_table('lms_competency_rating', schema=None) as batch_op:
        batch_op.create_index('ix_lms_competency_rating_enrolment_competency_dt', ['enrolment_id', 'competency_id', 'rated_dt'], unique=False)

    op.create_table('lms_conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('in_person', 'online', name='conversationmode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('shared_notes', sa.Text(), nullable=False),
    sa.Column('next_on', sa.Date(), nullable=True),
    sa.Column('recorded_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('participant_comment', sa.Text(), nullable=False),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_lms_conversation_minutes_positive')),
    sa.CheckConstraint('next_on IS NULL OR next_on > held_on', name=op.f('ck_lms_conversation_next_after_held')),
    sa.ForeignKeyConstraint(['coach_id'], ['lms_user.id'], name=op.f('fk_lms_conversation_coach_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_conversation_enrolment_id_lms_enrolment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_conversation')),
    sa.UniqueConstraint('public_id', name=op.f('uq_lms_conversation_public_id'))
    )
    with op.batch_alter_table('lms_conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_conversation_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_conversation_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('lms_goldfish_challenge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('cohort_module_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('decision_to_make', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'decided', 'outcome_recorded', name='challengestate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('decided_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('outcome_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_module_id'], ['lms_cohort_module.id'], name=op.f('fk_lms_goldfish_challenge_cohort_module_id_lms_cohort_module'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_goldfish_challenge_enrolment_id_lms_enrolment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_goldfish_challenge')),
    sa.UniqueConstraint('public_id', name=op.f('uq_lms_goldfish_challenge_public_id'))
    )
    with op.batch_alter_table('lms_goldfish_challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_goldfish_challenge_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('lms_module_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_module_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('relevance', sa.Integer(), nullable=False),
    sa.Column('stretch', sa.Enum('too_comfortable', 'about_right', 'too_much', name='stretch', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('impact', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('given_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('impact BETWEEN 1 AND 5', name=op.f('ck_lms_module_feedback_impact_range')),
    sa.CheckConstraint('length(comment) <= 2000', name=op.f('ck_lms_module_feedback_comment_length')),
    sa.CheckConstraint('relevance BETWEEN 1 AND 5', name=op.f('ck_lms_module_feedback_relevance_range')),
    sa.ForeignKeyConstraint(['cohort_module_id'], ['lms_cohort_module.id'], name=op.f('fk_lms_module_feedback_cohort_module_id_lms_cohort_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['lms_user.id'], name=op.f('fk_lms_module_feedback_participant_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_module_feedback')),
    sa.UniqueConstraint('cohort_module_id', 'participant_id', name=op.f('uq_lms_module_feedback_cohort_module_id_participant_id'))
    )
    with op.batch_alter_table('lms_module_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_module_feedback_cohort_module_id'), ['cohort_module_id'], unique=False)

    op.create_table('lms_agreed_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('owner', sa.Enum('participant', 'coach', name='actionowner', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('competency_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'done', 'dropped', name='actionstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_agreed_action_competency_id_lms_competency'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['lms_conversation.id'], name=op.f('fk_lms_agreed_action_conversation_id_lms_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_agreed_action')),
    sa.UniqueConstraint('public_id', name=op.f('uq_lms_agreed_action_public_id'))
    )
    with op.batch_alter_table('lms_agreed_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_agreed_action_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('lms_case_study_competency',
    sa.Column('case_study_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_study_id'], ['lms_case_study.id'], name=op.f('fk_lms_case_study_competency_case_study_id_lms_case_study'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_case_study_competency_competency_id_lms_competency'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_study_id', 'competency_id', name=op.f('pk_lms_case_study_competency'))
    )
    op.create_table('lms_challenge_contribution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=36), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('question', 'suggestion', name='contributionkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_dt', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['lms_goldfish_challenge.id'], name=op.f('fk_lms_challenge_contribution_challenge_id_lms_goldfish_challenge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_challenge_contribution_enrolment_id_lms_enrolment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_challenge_contribution')),
    sa.UniqueConstraint('public_id', name=op.f('uq_lms_challenge_contribution_public_id'))
    )
    with op.batch_alter_table('lms_challenge_contribution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_challenge_contribution_challenge_id'), ['challenge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_challenge_contribution_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('lms_conversation_focus',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('coach_rating_id', sa.Integer(), nullable=True),
    sa.Column('agreed_rating_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agreed_rating_id'], ['lms_competency_rating.id'], name=op.f('fk_lms_conversation_focus_agreed_rating_id_lms_competency_rating'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['coach_rating_id'], ['lms_competency_rating.id'], name=op.f('fk_lms_conversation_focus_coach_rating_id_lms_competency_rating'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_conversation_focus_competency_id_lms_competency'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['conversation_id'], ['lms_conversation.id'], name=op.f('fk_lms_conversation_focus_conversation_id_lms_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_conversation_focus')),
    sa.UniqueConstraint('conversation_id', 'competency_id', name=op.f('uq_lms_conversation_focus_conversation_id_competency_id'))
    )
    op.create_table('lms_conversation_preparation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('reflection', sa.Text(), nullable=False),
    sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['lms_conversation.id'], name=op.f('fk_lms_conversation_preparation_conversation_id_lms_conversation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['lms_enrolment.id'], name=op.f('fk_lms_conversation_preparation_enrolment_id_lms_enrolment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_conversation_preparation')),
    sa.UniqueConstraint('conversation_id', name=op.f('uq_lms_conversation_preparation_conversation_id'))
    )
    with op.batch_alter_table('lms_conversation_preparation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_conversation_preparation_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('lms_conversation_private_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coach_id'], ['lms_user.id'], name=op.f('fk_lms_conversation_private_note_coach_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['lms_conversation.id'], name=op.f('fk_lms_conversation_private_note_conversation_id_lms_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_conversation_private_note')),
    sa.UniqueConstraint('conversation_id', name=op.f('uq_lms_conversation_private_note_conversation_id'))
    )
    op.create_table('lms_goldfish_challenge_competency',
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['lms_goldfish_challenge.id'], name=op.f('fk_lms_goldfish_challenge_competency_challenge_id_lms_goldfish_challenge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_goldfish_challenge_competency_competency_id_lms_competency'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('challenge_id', 'competency_id', name=op.f('pk_lms_goldfish_challenge_competency'))
    )
    op.create_table('lms_agreed_action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'done', 'dropped', name='actionstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['lms_agreed_action.id'], name=op.f('fk_lms_agreed_action_update_action_id_lms_agreed_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['lms_user.id'], name=op.f('fk_lms_agreed_action_update_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['lms_conversation.id'], name=op.f('fk_lms_agreed_action_update_conversation_id_lms_conversation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_agreed_action_update'))
    )
    with op.batch_alter_table('lms_agreed_action_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_agreed_action_update_action_id'), ['action_id'], unique=False)

    op.create_table('lms_preparation_competency',
    sa.Column('preparation_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_id'], ['lms_competency.id'], name=op.f('fk_lms_preparation_competency_competency_id_lms_competency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['preparation_id'], ['lms_conversation_preparation.id'], name=op.f('fk_lms_preparation_competency_preparation_id_lms_conversation_preparation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('preparation_id', 'competency_id', name=op.f('pk_lms_preparation_competency'))
    )
    with op.batch_alter_table('lms_programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_gap_days', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('lms_xapi_statement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_lms_xapi_statement_created_dt_id', ['created_dt', 'id'], unique=False)
        batch_op.create_index('ix_lms_xapi_statement_verb_id', ['verb_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lms_xapi_statement', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_xapi_statement_verb_id')
        batch_op.drop_index('ix_lms_xapi_statement_created_dt_id')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_by')

    with op.batch_alter_table('lms_programme', schema=None) as batch_op:
        batch_op.drop_column('min_gap_days')

    op.drop_table('lms_preparation_competency')
    with op.batch_alter_table('lms_agreed_action_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_agreed_action_update_action_id'))

    op.drop_table('lms_agreed_action_update')
    op.drop_table('lms_goldfish_challenge_competency')
    op.drop_table('lms_conversation_private_note')
    with op.batch_alter_table('lms_conversation_preparation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_conversation_preparation_enrolment_id'))

    op.drop_table('lms_conversation_preparation')
    op.drop_table('lms_conversation_focus')
    with op.batch_alter_table('lms_challenge_contribution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_challenge_contribution_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_lms_challenge_contribution_challenge_id'))

    op.drop_table('lms_challenge_contribution')
    op.drop_table('lms_case_study_competency')
    with op.batch_alter_table('lms_agreed_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_agreed_action_conversation_id'))

    op.drop_table('lms_agreed_action')
    with op.batch_alter_table('lms_module_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_module_feedback_cohort_module_id'))

    op.drop_table('lms_module_feedback')
    with op.batch_alter_table('lms_goldfish_challenge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_goldfish_challenge_enrolment_id'))

    op.drop_table('lms_goldfish_challenge')
    with op.batch_alter_table('lms_conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_conversation_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_lms_conversation_coach_id'))

    op.drop_table('lms_conversation')
    with op.batch_alter_table('lms_competency_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_lms_competency_rating_enrolment_competency_dt')

    op.drop_table('lms_competency_rating')
    with op.batch_alter_table('lms_case_study', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_case_study_enrolment_id'))

    op.drop_table('lms_case_study')
    op.drop_table('lms_coach_strength')
    op.drop_table('lms_coach_phase')
    op.drop_table('lms_coach_context_experience')
    with op.batch_alter_table('lms_invite_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_invite_token_user_id'))

    op.drop_table('lms_invite_token')
    op.drop_table('lms_coach_profile')
    op.drop_table('lms_xapi_forwarder_state')
    op.drop_table('lms_xapi_client')
