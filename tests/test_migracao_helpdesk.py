"""Migration 0008 on a database that already has tickets: each keeps its process state (now in
its own table), gets its search words, group and holder, and its files go under their messages."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from demo.extensions import db
from demo.models import Ticket, User
from demo.services import demo_data, ticket_list, workflow

BEFORE = "0007_turmas"


def test_tickets_made_before_the_migration_come_through_it(empty_app):
    with empty_app.app_context():
        upgrade(revision=BEFORE)
        demo_data.load()  # organisations and users, in the old schema too
        proc = workflow.current_process()
        state = workflow.complete(proc, workflow.start(proc), "abertura", None, {})
        connection = db.session.connection()
        maria = connection.execute(
            sa.text("SELECT id, organization_id FROM users WHERE email = :e"),
            {"e": "maria.souza@agro.gov.br"},
        ).one()
        connection.execute(
            sa.text(
                "INSERT INTO tickets (id, number, year, sequence, organization_id, requester_id, "
                "status, category_code, subject, description, process_state, current_step, "
                "created_at, opened_at, due_at, deadline_hours, version) VALUES (1, "
                "'2026-000001', 2026, 1, :org, :user, 'aberto', 'consulta-tecnica', "
                "'Relatório não exporta', 'A planilha vem vazia.', :state, 'triagem', "
                "'2026-11-29 12:00:00', '2026-11-29 12:00:00', '2026-11-29 14:00:00', 2, 2)"
            ),
            {"org": maria.organization_id, "user": maria.id, "state": state},
        )
        for record in (
            "(1, 1, 'abertura', 'Abertura de Chamado', 'Solicitante', :user, "
            "'2026-11-29 11:50:00', '2026-11-29 12:00:00')",
            "(2, 1, 'triagem', 'Triagem', 'Suporte Nível 1', NULL, '2026-11-29 12:00:00', NULL)",
        ):
            connection.execute(
                sa.text(
                    'INSERT INTO step_records (id, ticket_id, step, step_name, "group", '
                    f"assignee_id, started_at, finished_at, comment) VALUES {record[:-1]}, '')"
                ),
                {"user": maria.id},
            )
        connection.execute(
            sa.text(
                "INSERT INTO attachments (ticket_id, stored_name, original_name, content_type, "
                "size, sha256, uploaded_by_id, uploaded_at, step) VALUES (1, 'abc', 'tela.png', "
                "'image/png', 10, 'x', :user, '2026-11-29 11:55:00', 'abertura')"
            ),
            {"user": maria.id},
        )
        db.session.commit()

        upgrade()
        ticket = db.session.get(Ticket, 1)
        assert ticket.process_state == state  # moved to ticket_states, intact
        assert ticket.search_text == "2026 000001 relatorio nao exporta a planilha vem vazia"
        assert (ticket.current_group, ticket.current_assignee_id) == ("Suporte Nível 1", None)
        assert ticket.near_at is not None and ticket.paused_seconds == 0
        assert ticket.attachments[0].step_record_id == 1  # under the form it came with
        # Found by the words the migration indexed (FTS5 or the GIN index).
        gestor = db.session.scalar(sa.select(User).where(User.email == "ana.costa@suporte.gov.br"))
        found = ticket_list.page(gestor, ticket_list.parse({"busca": "relatório planilha"}))
        assert [row.summary.ticket.number for row in found.page.items] == ["2026-000001"]
        db.session.remove()

        # And back: the state returns to the ticket's row. (SQLite rebuilds `tickets` to drop its
        # columns, which it refuses while their step records point to them and foreign keys are
        # on: the migration's downgrade says so.)
        if db.engine.dialect.name != "postgresql":
            return
        downgrade(revision=BEFORE)
        restored = db.session.execute(sa.text("SELECT process_state FROM tickets")).scalar_one()
        assert restored == state
        db.session.remove()
