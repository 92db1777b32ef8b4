"""a whole class at once: session expiry, login failure counters, the outgoing e-mail table

Revision ID: 7c2f9a1d4e60
Revises: 660e5d492511
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import demo.models


# revision identifiers, used by Alembic.
revision = '7c2f9a1d4e60'
down_revision = '660e5d492511'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', demo.models.UTCDateTime(), nullable=True))
    # Sessions opened before this migration were last seen when they were opened.
    op.execute("UPDATE login_sessions SET last_seen_at = created_at")
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=demo.models.UTCDateTime(), nullable=False)

    op.create_table('login_failures',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', demo.models.UTCDateTime(), nullable=False),
    sa.Column('locked_until', demo.models.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )

    op.create_table('outgoing_emails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', demo.models.UTCDateTime(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('message', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.Enum('pendente', 'enviado', 'recusado', name='emailstatus', native_enum=False, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', demo.models.UTCDateTime(), nullable=False),
    sa.Column('claimed_until', demo.models.UTCDateTime(), nullable=True),
    sa.Column('sent_at', demo.models.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outgoing_emails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_emails_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('outgoing_emails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_emails_status'))
    op.drop_table('outgoing_emails')
    op.drop_table('login_failures')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
