"""helpdesk: the Chamados list and its search, triage and ownership, the conversation,
deadlines that pause, satisfaction, discarded drafts

Revision ID: 0008_helpdesk
Revises: 0007_turmas
Create Date: 2026-12-05 10:00:00

"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa

import demo.models
from demo.services import search_text


# revision identifiers, used by Alembic.
revision = '0008_helpdesk'
down_revision = '0007_turmas'
branch_labels = None
depends_on = None

FTS_TABLE = "tickets_fts"
GIN_INDEX = "ix_tickets_search_text"


def upgrade():
    # The process state (some 15 KB of JSON per ticket) leaves the ticket's row for a table of
    # its own: a list filtering a million tickets on their state, dates and groups then reads
    # rows of a few hundred bytes. (SQLite stores a long row in overflow pages that every read
    # of a column after it walks; PostgreSQL keeps long values aside, TOAST, but gains too.)
    op.create_table('ticket_states',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('process_state', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    op.execute(
        "INSERT INTO ticket_states (ticket_id, process_state) SELECT id, process_state FROM tickets"
    )
    # Everything below alters the tables in place, also on SQLite (3.35 or later): rebuilding
    # `tickets` there (Alembic's batch mode) would drop a table that other tables' rows point
    # to, which SQLite refuses while foreign keys are on, as the portal keeps them.
    op.execute("ALTER TABLE tickets DROP COLUMN process_state")
    op.add_column('tickets', sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    op.add_column('tickets', sa.Column('current_group', sa.String(length=120), nullable=True))
    _add_reference('tickets', 'current_assignee_id', 'users')
    op.add_column('tickets', sa.Column('near_at', demo.models.UTCDateTime(), nullable=True))
    op.add_column('tickets', sa.Column('paused_at', demo.models.UTCDateTime(), nullable=True))
    op.add_column('tickets', sa.Column('paused_seconds', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('tickets', sa.Column('discarded_at', demo.models.UTCDateTime(), nullable=True))
    op.add_column('tickets', sa.Column('rating', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_tickets_category_code'), 'tickets', ['category_code'], unique=False)
    op.create_index(op.f('ix_tickets_current_step'), 'tickets', ['current_step'], unique=False)
    op.create_index(op.f('ix_tickets_current_group'), 'tickets', ['current_group'], unique=False)
    op.create_index(op.f('ix_tickets_current_assignee_id'), 'tickets', ['current_assignee_id'], unique=False)
    op.create_index('ix_tickets_status_due_at', 'tickets', ['status', 'due_at'], unique=False)
    op.create_index('ix_tickets_status_opened_at', 'tickets', ['status', 'opened_at'], unique=False)
    op.create_index('ix_tickets_sequence', 'tickets', ['sequence'], unique=False)

    op.add_column('step_records', sa.Column('rating', sa.Integer(), nullable=True))
    _add_reference('attachments', 'step_record_id', 'step_records')
    _add_reference('attachments', 'note_id', 'notes')

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
    op.create_index(op.f('ix_ticket_events_ticket_id'), 'ticket_events', ['ticket_id'], unique=False)

    op.create_table('deadline_pauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=60), nullable=True),
    sa.Column('started_at', demo.models.UTCDateTime(), nullable=False),
    sa.Column('ended_at', demo.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_deadline_pauses_ticket_id'), 'deadline_pauses', ['ticket_id'], unique=False)

    _fill_existing_rows()
    _create_search_index()


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable integer column referring to target.id, added in place on either database."""
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column with its REFERENCES clause; Alembic would want to rebuild.
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {target} (id)")
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(f'fk_{table}_{column}_{target}', table, target, [column], ['id'])


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
    """Back to 0007_turmas (on SQLite, a database whose tickets have step records, notes or
    files cannot be rebuilt while foreign keys are on: run it with PRAGMA foreign_keys=OFF)."""
    connection = op.get_bind()
    if connection.dialect.name == 'postgresql':
        op.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
    elif connection.dialect.name == 'sqlite':
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    op.drop_index(op.f('ix_deadline_pauses_ticket_id'), table_name='deadline_pauses')
    op.drop_table('deadline_pauses')
    op.drop_index(op.f('ix_ticket_events_ticket_id'), table_name='ticket_events')
    op.drop_table('ticket_events')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        if connection.dialect.name == 'postgresql':
            batch_op.drop_constraint('fk_attachments_note_id_notes', type_='foreignkey')
            batch_op.drop_constraint('fk_attachments_step_record_id_step_records', type_='foreignkey')
        batch_op.drop_column('note_id')
        batch_op.drop_column('step_record_id')
    op.drop_column('step_records', 'rating')
    for index in ('ix_tickets_sequence', 'ix_tickets_status_opened_at', 'ix_tickets_status_due_at',
                  op.f('ix_tickets_current_assignee_id'), op.f('ix_tickets_current_group'),
                  op.f('ix_tickets_current_step'), op.f('ix_tickets_category_code')):
        op.drop_index(index, table_name='tickets')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        if connection.dialect.name == 'postgresql':
            batch_op.drop_constraint('fk_tickets_current_assignee_id_users', type_='foreignkey')
        for column in ('rating', 'discarded_at', 'paused_seconds', 'paused_at', 'near_at',
                       'current_assignee_id', 'current_group', 'search_text'):
            batch_op.drop_column(column)
        batch_op.add_column(sa.Column('process_state', sa.Text(), nullable=False, server_default=''))
    op.execute(
        "UPDATE tickets SET process_state = (SELECT s.process_state FROM ticket_states s "
        "WHERE s.ticket_id = tickets.id)"
    )
    op.drop_table('ticket_states')
