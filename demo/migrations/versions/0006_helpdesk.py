"""helpdesk: the Chamados list and its search, triage and ownership, the conversation,
deadlines that pause, satisfaction, discarded drafts

Revision ID: 0006_helpdesk
Revises: 7c2f9a1d4e60
Create Date: 2026-12-05 10:00:00

"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa

import demo.models
from demo.services import search_text


# revision identifiers, used by Alembic.
revision = '0006_helpdesk'
down_revision = '7c2f9a1d4e60'
branch_labels = None
depends_on = None

FTS_TABLE = "tickets_fts"
GIN_INDEX = "ix_tickets_search_text"


#: The tickets' columns in the order the table is rebuilt with on SQLite: the large texts last.
#: SQLite stores a row's columns in order and spills a long row into overflow pages; a ticket's
#: process state is some 15 KB, so every column after it costs reading those pages. Last, it is
#: read only by whoever asks for it, and a list filtering a million rows on their state, dates
#: and groups never touches it. (PostgreSQL keeps long values out of the row already: TOAST.)
TICKET_COLUMNS = (
    'id', 'number', 'year', 'sequence', 'organization_id', 'requester_id', 'status',
    'category_code', 'current_step', 'current_group', 'current_assignee_id', 'created_at',
    'opened_at', 'due_at', 'near_at', 'deadline_hours', 'paused_at', 'paused_seconds',
    'closed_at', 'breached_at', 'discarded_at', 'rating', 'version', 'subject', 'search_text',
    'description', 'process_state',
)


def upgrade():
    with op.batch_alter_table(
        'tickets', schema=None, partial_reordering=[TICKET_COLUMNS]
    ) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('current_group', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('current_assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('near_at', demo.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('paused_at', demo.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('paused_seconds', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('discarded_at', demo.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('rating', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_tickets_current_assignee_id_users', 'users', ['current_assignee_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_tickets_category_code'), ['category_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_current_step'), ['current_step'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_current_group'), ['current_group'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_current_assignee_id'), ['current_assignee_id'], unique=False)
        batch_op.create_index('ix_tickets_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_tickets_status_opened_at', ['status', 'opened_at'], unique=False)
        batch_op.create_index('ix_tickets_sequence', ['sequence'], unique=False)

    with op.batch_alter_table('step_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating', sa.Integer(), nullable=True))

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_record_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('note_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_attachments_step_record_id_step_records', 'step_records', ['step_record_id'], ['id']
        )
        batch_op.create_foreign_key('fk_attachments_note_id_notes', 'notes', ['note_id'], ['id'])

    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', demo.models.UTCDateTime(), nullable=False),
    sa.Column('step', sa.String(length=60), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('old_value', sa.String(length=300), nullable=False),
    sa.Column('new_value', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_events_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('deadline_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=60), nullable=True),
    sa.Column('started_at', demo.models.UTCDateTime(), nullable=False),
    sa.Column('ended_at', demo.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deadline_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_pauses_ticket_id'), ['ticket_id'], unique=False)

    _fill_existing_rows()
    _create_search_index()


def _fill_existing_rows():
    """The new columns of the tickets already there, as the portal would have written them."""
    connection = op.get_bind()
    tickets = sa.table(
        'tickets',
        sa.column('id'), sa.column('number'), sa.column('subject'), sa.column('description'),
        sa.column('search_text'), sa.column('current_group'), sa.column('current_assignee_id'),
        sa.column('due_at', demo.models.UTCDateTime()), sa.column('deadline_hours'),
        sa.column('near_at', demo.models.UTCDateTime()),
    )
    records = sa.table(
        'step_records',
        sa.column('id'), sa.column('ticket_id'), sa.column('step'), sa.column('group'),
        sa.column('assignee_id'), sa.column('finished_at', demo.models.UTCDateTime()),
    )
    attachments = sa.table(
        'attachments',
        sa.column('id'), sa.column('ticket_id'), sa.column('step'), sa.column('uploaded_by_id'),
        sa.column('uploaded_at', demo.models.UTCDateTime()), sa.column('step_record_id'),
    )
    open_records = {
        row.ticket_id: row
        for row in connection.execute(
            sa.select(records).where(records.c.finished_at.is_(None)).order_by(records.c.id)
        )
    }
    for row in connection.execute(sa.select(tickets)).all():
        current = open_records.get(row.id)
        near = None
        if row.due_at is not None and row.deadline_hours:
            near = row.due_at - timedelta(hours=row.deadline_hours) * 0.25
        connection.execute(
            tickets.update().where(tickets.c.id == row.id).values(
                search_text=search_text.document(row.number, row.subject, row.description),
                current_group=current.group if current else None,
                current_assignee_id=current.assignee_id if current else None,
                near_at=near,
            )
        )
    # Each attachment under the pass it was sent with: the first pass through its step, by
    # its uploader, that ended after the upload (or is still open).
    passes = connection.execute(sa.select(records).order_by(records.c.id)).all()
    for item in connection.execute(sa.select(attachments)).all():
        candidates = [
            r for r in passes
            if r.ticket_id == item.ticket_id and r.step == item.step
            and r.assignee_id == item.uploaded_by_id
            and (r.finished_at is None or r.finished_at >= item.uploaded_at)
        ]
        if candidates:
            connection.execute(
                attachments.update().where(attachments.c.id == item.id).values(
                    step_record_id=candidates[0].id
                )
            )


def _create_search_index():
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        op.execute(
            f"CREATE INDEX {GIN_INDEX} ON tickets USING gin (to_tsvector('simple', search_text))"
        )
    elif connection.dialect.name == 'sqlite':
        # External content: the words live in tickets.search_text; the portal keeps the index in
        # step (demo/services/ticket_search.py). Prefix indexes make "relat*" cheap.
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='tickets', "
            "content_rowid='id', tokenize='unicode61', prefix='2 3')"
        )
        op.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        op.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
    elif connection.dialect.name == 'sqlite':
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    with op.batch_alter_table('deadline_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_pauses_ticket_id'))
    op.drop_table('deadline_pauses')
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_events_ticket_id'))
    op.drop_table('ticket_events')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint('fk_attachments_note_id_notes', type_='foreignkey')
        batch_op.drop_constraint('fk_attachments_step_record_id_step_records', type_='foreignkey')
        batch_op.drop_column('note_id')
        batch_op.drop_column('step_record_id')
    with op.batch_alter_table('step_records', schema=None) as batch_op:
        batch_op.drop_column('rating')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_sequence')
        batch_op.drop_index('ix_tickets_status_opened_at')
        batch_op.drop_index('ix_tickets_status_due_at')
        batch_op.drop_index(batch_op.f('ix_tickets_current_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_tickets_current_group'))
        batch_op.drop_index(batch_op.f('ix_tickets_current_step'))
        batch_op.drop_index(batch_op.f('ix_tickets_category_code'))
        batch_op.drop_constraint('fk_tickets_current_assignee_id_users', type_='foreignkey')
        batch_op.drop_column('rating')
        batch_op.drop_column('discarded_at')
        batch_op.drop_column('paused_seconds')
        batch_op.drop_column('paused_at')
        batch_op.drop_column('near_at')
        batch_op.drop_column('current_assignee_id')
        batch_op.drop_column('current_group')
        batch_op.drop_column('search_text')
