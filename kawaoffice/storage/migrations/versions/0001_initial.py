"""Initial schema: partners, projects, dispatch, tours, audit

Revision ID: 0001_initial
Revises: (none)
Create Date: 2026-11-23 08:29:50.410104

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0001_initial'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=255), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'])
    op.create_index('ix_audit_log_record', 'audit_log', ['table_name', 'row_id'])
    op.create_index(op.f('ix_audit_log_user'), 'audit_log', ['user'])

    op.create_table('conflict_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('subject_table', sa.String(length=64), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('other_table', sa.String(length=64), nullable=True),
    sa.Column('other_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_overrides'))
    )
    op.create_index('ix_conflict_overrides_subject', 'conflict_overrides', ['subject_table', 'subject_id'])

    op.create_table('contacts',
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_kana', sa.String(length=100), nullable=False),
    sa.Column('given_kana', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_local', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('mobile', sa.String(length=40), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('successor_id', sa.Integer(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['successor_id'], ['contacts.id'], name=op.f('fk_contacts_successor_id_contacts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    op.create_index(op.f('ix_contacts_email'), 'contacts', ['email'])
    op.create_index(op.f('ix_contacts_successor_id'), 'contacts', ['successor_id'])

    op.create_table('facilities',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_ja', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('hall_name_ja', sa.String(length=200), nullable=False),
    sa.Column('hall_name_en', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('address_en', sa.String(length=300), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('meeting_point_ja', sa.String(length=300), nullable=False),
    sa.Column('meeting_point_en', sa.String(length=300), nullable=False),
    sa.Column('map_note', sa.Text(), nullable=False),
    sa.Column('observes_public_holidays', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facilities')),
    sa.UniqueConstraint('code', name=op.f('uq_facilities_code'))
    )
    op.create_table('organizations',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name_ja', sa.String(length=200), nullable=False),
    sa.Column('name_kana', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_local', sa.String(length=200), nullable=False),
    sa.Column('abbreviation', sa.String(length=40), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations'))
    )
    op.create_index('ix_organizations_kind_country', 'organizations', ['kind', 'country'])
    op.create_index(op.f('ix_organizations_name_kana'), 'organizations', ['name_kana'])

    op.create_table('schemes',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_ja', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schemes')),
    sa.UniqueConstraint('code', name=op.f('uq_schemes_code'))
    )
    op.create_table('staff',
    sa.Column('staff_no', sa.String(length=20), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_kana', sa.String(length=100), nullable=False),
    sa.Column('given_kana', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('passport_expiry', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('staff_no', name=op.f('uq_staff_staff_no'))
    )
    op.create_table('technologies',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_ja', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('dac_code', sa.String(length=5), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_technologies')),
    sa.UniqueConstraint('code', name=op.f('uq_technologies_code'))
    )
    op.create_table('closed_dates',
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_closed_dates_facility_id_facilities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closed_dates')),
    sa.UniqueConstraint('facility_id', 'closed_on', name=op.f('uq_closed_dates_facility_id_closed_on'))
    )
    op.create_table('courses',
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_ja', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('min_group', sa.Integer(), nullable=False),
    sa.Column('max_group', sa.Integer(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('duration_min > 0', name=op.f('ck_courses_duration_positive')),
    sa.CheckConstraint('min_group >= 1 AND max_group >= min_group', name=op.f('ck_courses_group_limits')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_courses_facility_id_facilities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses')),
    sa.UniqueConstraint('facility_id', 'code', name=op.f('uq_courses_facility_id_code'))
    )
    op.create_index(op.f('ix_courses_facility_id'), 'courses', ['facility_id'])

    op.create_table('employments',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on', name=op.f('ck_employments_ended_after_started')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_employments_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_employments_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employments'))
    )
    op.create_index(op.f('ix_employments_contact_id'), 'employments', ['contact_id'])
    op.create_index(op.f('ix_employments_organization_id'), 'employments', ['organization_id'])

    op.create_table('facility_weekdays',
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=True),
    sa.Column('closes', sa.Time(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('closed OR (opens IS NOT NULL AND closes IS NOT NULL AND closes > opens)', name=op.f('ck_facility_weekdays_hours')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_facility_weekdays_weekday_range')),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_facility_weekdays_facility_id_facilities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facility_weekdays')),
    sa.UniqueConstraint('facility_id', 'weekday', name=op.f('uq_facility_weekdays_facility_id_weekday'))
    )
    op.create_table('memberships',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('left_on IS NULL OR left_on >= joined_on', name=op.f('ck_memberships_left_after_joined')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_memberships_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    op.create_index(op.f('ix_memberships_organization_id'), 'memberships', ['organization_id'])

    op.create_table('organization_technologies',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('technology_id', sa.Integer(), nullable=False),
    sa.Column('product_name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_technologies_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technology_id'], ['technologies.id'], name=op.f('fk_organization_technologies_technology_id_technologies'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_technologies')),
    sa.UniqueConstraint('organization_id', 'technology_id', name=op.f('uq_organization_technologies_organization_id_technology_id'))
    )
    op.create_index(op.f('ix_organization_technologies_organization_id'), 'organization_technologies', ['organization_id'])
    op.create_index(op.f('ix_organization_technologies_technology_id'), 'organization_technologies', ['technology_id'])

    op.create_table('scheme_stages',
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_ja', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('iati_status', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('iati_status BETWEEN 1 AND 6', name=op.f('ck_scheme_stages_iati_status_range')),
    sa.ForeignKeyConstraint(['scheme_id'], ['schemes.id'], name=op.f('fk_scheme_stages_scheme_id_schemes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheme_stages')),
    sa.UniqueConstraint('scheme_id', 'code', name=op.f('uq_scheme_stages_scheme_id_code'))
    )
    op.create_index(op.f('ix_scheme_stages_scheme_id'), 'scheme_stages', ['scheme_id'])

    op.create_table('staff_languages',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_languages_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_languages')),
    sa.UniqueConstraint('staff_id', 'language', name=op.f('uq_staff_languages_staff_id_language'))
    )
    op.create_index(op.f('ix_staff_languages_staff_id'), 'staff_languages', ['staff_id'])

    op.create_table('staff_skills',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_skills_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_skills')),
    sa.UniqueConstraint('staff_id', 'skill', name=op.f('uq_staff_skills_staff_id_skill'))
    )
    op.create_index(op.f('ix_staff_skills_staff_id'), 'staff_skills', ['staff_id'])

    op.create_table('staff_trainings',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_trainings_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_trainings'))
    )
    op.create_index(op.f('ix_staff_trainings_staff_id'), 'staff_trainings', ['staff_id'])

    op.create_table('course_stops',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name_ja', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_course_stops_minutes_positive')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_stops_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_stops'))
    )
    op.create_index(op.f('ix_course_stops_course_id'), 'course_stops', ['course_id'])

    op.create_table('projects',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title_ja', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=120), nullable=False),
    sa.Column('counterpart_id', sa.Integer(), nullable=True),
    sa.Column('lead_staff_id', sa.Integer(), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('budget_yen', sa.BigInteger(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('next_action', sa.String(length=300), nullable=False),
    sa.Column('next_action_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['counterpart_id'], ['organizations.id'], name=op.f('fk_projects_counterpart_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lead_staff_id'], ['staff.id'], name=op.f('fk_projects_lead_staff_id_staff'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scheme_id'], ['schemes.id'], name=op.f('fk_projects_scheme_id_schemes'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['stage_id'], ['scheme_stages.id'], name=op.f('fk_projects_stage_id_scheme_stages'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('code', name=op.f('uq_projects_code'))
    )
    op.create_index(op.f('ix_projects_counterpart_id'), 'projects', ['counterpart_id'])
    op.create_index(op.f('ix_projects_lead_staff_id'), 'projects', ['lead_staff_id'])
    op.create_index(op.f('ix_projects_scheme_id'), 'projects', ['scheme_id'])
    op.create_index(op.f('ix_projects_stage_id'), 'projects', ['stage_id'])
    op.create_index(op.f('ix_projects_state'), 'projects', ['state'])

    op.create_table('bookings',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('group_name', sa.String(length=300), nullable=False),
    sa.Column('group_name_en', sa.String(length=300), nullable=False),
    sa.Column('visitor_type', sa.String(length=32), nullable=False),
    sa.Column('training_course', sa.String(length=300), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('interpreter_needed', sa.Boolean(), nullable=False),
    sa.Column('interests', sa.Text(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('transport_notes', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_bookings_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_bookings_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_bookings_project_id_projects'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('code', name=op.f('uq_bookings_code'))
    )
    op.create_index(op.f('ix_bookings_country'), 'bookings', ['country'])
    op.create_index(op.f('ix_bookings_organization_id'), 'bookings', ['organization_id'])
    op.create_index(op.f('ix_bookings_project_id'), 'bookings', ['project_id'])
    op.create_index(op.f('ix_bookings_status'), 'bookings', ['status'])

    op.create_table('dispatches',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('departure_on', sa.Date(), nullable=False),
    sa.Column('return_on', sa.Date(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('return_on >= departure_on', name=op.f('ck_dispatches_return_after_departure')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_dispatches_project_id_projects'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatches')),
    sa.UniqueConstraint('code', name=op.f('uq_dispatches_code'))
    )
    op.create_index(op.f('ix_dispatches_country'), 'dispatches', ['country'])
    op.create_index('ix_dispatches_dates', 'dispatches', ['departure_on', 'return_on'])
    op.create_index(op.f('ix_dispatches_project_id'), 'dispatches', ['project_id'])
    op.create_index(op.f('ix_dispatches_status'), 'dispatches', ['status'])

    op.create_table('project_participants',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('role BETWEEN 1 AND 4', name=op.f('ck_project_participants_role_range')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_project_participants_organization_id_organizations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_participants_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_participants')),
    sa.UniqueConstraint('project_id', 'organization_id', 'role', name=op.f('uq_project_participants_project_id_organization_id_role'))
    )
    op.create_index(op.f('ix_project_participants_organization_id'), 'project_participants', ['organization_id'])
    op.create_index(op.f('ix_project_participants_project_id'), 'project_participants', ['project_id'])

    op.create_table('project_sdg_targets',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=8), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_sdg_targets_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_sdg_targets')),
    sa.UniqueConstraint('project_id', 'target', name=op.f('uq_project_sdg_targets_project_id_target'))
    )
    op.create_index(op.f('ix_project_sdg_targets_project_id'), 'project_sdg_targets', ['project_id'])

    op.create_table('project_sectors',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('dac_code', sa.String(length=5), nullable=False),
    sa.Column('percentage', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_sectors_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_sectors')),
    sa.UniqueConstraint('project_id', 'dac_code', name=op.f('uq_project_sectors_project_id_dac_code'))
    )
    op.create_index(op.f('ix_project_sectors_project_id'), 'project_sectors', ['project_id'])

    op.create_table('stage_events',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('from_stage_id', sa.Integer(), nullable=True),
    sa.Column('to_stage_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['from_stage_id'], ['scheme_stages.id'], name=op.f('fk_stage_events_from_stage_id_scheme_stages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_stage_events_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_stage_id'], ['scheme_stages.id'], name=op.f('fk_stage_events_to_stage_id_scheme_stages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_events'))
    )
    op.create_index(op.f('ix_stage_events_project_id'), 'stage_events', ['project_id'])

    op.create_table('booking_presenters',
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_presenters_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_booking_presenters_organization_id_organizations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_presenters')),
    sa.UniqueConstraint('booking_id', 'organization_id', name=op.f('uq_booking_presenters_booking_id_organization_id'))
    )
    op.create_index(op.f('ix_booking_presenters_booking_id'), 'booking_presenters', ['booking_id'])
    op.create_index(op.f('ix_booking_presenters_organization_id'), 'booking_presenters', ['organization_id'])

    op.create_table('booking_segments',
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('meeting_point', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_booking_segments_ends_after_starts')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_segments_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_booking_segments_course_id_courses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], name=op.f('fk_booking_segments_facility_id_facilities'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_segments'))
    )
    op.create_index(op.f('ix_booking_segments_booking_id'), 'booking_segments', ['booking_id'])
    op.create_index('ix_booking_segments_facility_time', 'booking_segments', ['facility_id', 'starts_at', 'ends_at'])
    op.create_index(op.f('ix_booking_segments_starts_at'), 'booking_segments', ['starts_at'])

    op.create_table('dispatch_members',
    sa.Column('dispatch_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('(staff_id IS NULL) <> (contact_id IS NULL)', name=op.f('ck_dispatch_members_staff_xor_contact')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_dispatch_members_contact_id_contacts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['dispatch_id'], ['dispatches.id'], name=op.f('fk_dispatch_members_dispatch_id_dispatches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_dispatch_members_staff_id_staff'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_members')),
    sa.UniqueConstraint('dispatch_id', 'contact_id', name=op.f('uq_dispatch_members_dispatch_id_contact_id')),
    sa.UniqueConstraint('dispatch_id', 'staff_id', name=op.f('uq_dispatch_members_dispatch_id_staff_id'))
    )
    op.create_index(op.f('ix_dispatch_members_contact_id'), 'dispatch_members', ['contact_id'])
    op.create_index(op.f('ix_dispatch_members_dispatch_id'), 'dispatch_members', ['dispatch_id'])
    op.create_index(op.f('ix_dispatch_members_staff_id'), 'dispatch_members', ['staff_id'])

    op.create_table('itinerary_legs',
    sa.Column('dispatch_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('start_tz', sa.String(length=64), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_tz', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('destination', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.CheckConstraint('ends_at >= starts_at', name=op.f('ck_itinerary_legs_ends_after_starts')),
    sa.ForeignKeyConstraint(['dispatch_id'], ['dispatches.id'], name=op.f('fk_itinerary_legs_dispatch_id_dispatches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itinerary_legs'))
    )
    op.create_index(op.f('ix_itinerary_legs_dispatch_id'), 'itinerary_legs', ['dispatch_id'])

    op.create_table('local_needs',
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('counterpart_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('dac_code', sa.String(length=5), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('dispatch_id', sa.Integer(), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('learned_on', sa.Date(), nullable=False),
    sa.Column('passed_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_local_needs_booking_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['counterpart_id'], ['organizations.id'], name=op.f('fk_local_needs_counterpart_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['dispatch_id'], ['dispatches.id'], name=op.f('fk_local_needs_dispatch_id_dispatches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_local_needs_project_id_projects'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_needs'))
    )
    op.create_index(op.f('ix_local_needs_counterpart_id'), 'local_needs', ['counterpart_id'])
    op.create_index(op.f('ix_local_needs_learned_on'), 'local_needs', ['learned_on'])
    op.create_index(op.f('ix_local_needs_project_id'), 'local_needs', ['project_id'])

    op.create_table('need_technologies',
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('technology_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['local_needs.id'], name=op.f('fk_need_technologies_need_id_local_needs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technology_id'], ['technologies.id'], name=op.f('fk_need_technologies_technology_id_technologies'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need_technologies')),
    sa.UniqueConstraint('need_id', 'technology_id', name=op.f('uq_need_technologies_need_id_technology_id'))
    )
    op.create_index(op.f('ix_need_technologies_need_id'), 'need_technologies', ['need_id'])
    op.create_index(op.f('ix_need_technologies_technology_id'), 'need_technologies', ['technology_id'])

    op.create_table('segment_staff',
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['segment_id'], ['booking_segments.id'], name=op.f('fk_segment_staff_segment_id_booking_segments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_segment_staff_staff_id_staff'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment_staff')),
    sa.UniqueConstraint('segment_id', 'staff_id', name=op.f('uq_segment_staff_segment_id_staff_id'))
    )
    op.create_index(op.f('ix_segment_staff_segment_id'), 'segment_staff', ['segment_id'])
    op.create_index(op.f('ix_segment_staff_staff_id'), 'segment_staff', ['staff_id'])


def downgrade() -> None:
    """Drop every table, dependants first (their indexes go with them)."""
    op.drop_table('segment_staff')
    op.drop_table('need_technologies')
    op.drop_table('local_needs')
    op.drop_table('itinerary_legs')
    op.drop_table('dispatch_members')
    op.drop_table('booking_segments')
    op.drop_table('booking_presenters')
    op.drop_table('stage_events')
    op.drop_table('project_sectors')
    op.drop_table('project_sdg_targets')
    op.drop_table('project_participants')
    op.drop_table('dispatches')
    op.drop_table('bookings')
    op.drop_table('projects')
    op.drop_table('course_stops')
    op.drop_table('staff_trainings')
    op.drop_table('staff_skills')
    op.drop_table('staff_languages')
    op.drop_table('scheme_stages')
    op.drop_table('organization_technologies')
    op.drop_table('memberships')
    op.drop_table('facility_weekdays')
    op.drop_table('employments')
    op.drop_table('courses')
    op.drop_table('closed_dates')
    op.drop_table('technologies')
    op.drop_table('staff')
    op.drop_table('schemes')
    op.drop_table('organizations')
    op.drop_table('facilities')
    op.drop_table('contacts')
    op.drop_table('conflict_overrides')
    op.drop_table('audit_log')
