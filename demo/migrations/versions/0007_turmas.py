"""classes (turmas): their sandbox órgão, trainees, groups in the database, tour progress

Revision ID: 0007_turmas
Revises: 0005_api
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import demo.models


# revision identifiers, used by Alembic.
revision = '0007_turmas'
down_revision = '0005_api'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('classrooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_at', demo.models.UTCDateTime(), nullable=False),
    sa.Column('reset_at', demo.models.UTCDateTime(), nullable=True),
    sa.Column('ends_at', demo.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('organization_id')
    )
    op.create_table('class_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('has_mailbox', sa.Boolean(), nullable=False),
    sa.Column('sheet_password', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['classroom_id'], ['classrooms.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id')
    )
    with op.batch_alter_table('class_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_members_classroom_id'), ['classroom_id'], unique=False)
    op.create_table('group_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lane', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'lane', name='uq_group_memberships')
    )
    with op.batch_alter_table('group_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_memberships_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_memberships_user_id'), ['user_id'], unique=False)
    op.create_table('tour_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('chapter', sa.String(length=100), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('started_at', demo.models.UTCDateTime(), nullable=False),
    sa.Column('step_since', demo.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', demo.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'chapter', name='uq_tour_progress')
    )
    with op.batch_alter_table('tour_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tour_progress_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('outgoing_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outgoing_emails_organization_id'), ['organization_id'], unique=False)
        batch_op.create_foreign_key('fk_outgoing_emails_organization_id', 'organizations', ['organization_id'], ['id'])


def downgrade():
    with op.batch_alter_table('outgoing_emails', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outgoing_emails_organization_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outgoing_emails_organization_id'))
        batch_op.drop_column('organization_id')
    with op.batch_alter_table('tour_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tour_progress_user_id'))
    op.drop_table('tour_progress')
    with op.batch_alter_table('group_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_group_memberships_organization_id'))
    op.drop_table('group_memberships')
    with op.batch_alter_table('class_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_members_classroom_id'))
    op.drop_table('class_members')
    op.drop_table('classrooms')
