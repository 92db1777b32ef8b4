"""The tickets service: numbers, drafts, attachments, approval, deadlines, visibility."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from apoio_chamados import CARLOS, FROZEN, JOAO, MARIA, pdf_bytes, png_bytes, upload, user
from sqlalchemy import func, select

from demo.extensions import db
from demo.models import Attachment, StepRecord, Ticket, TicketStatus
from demo.services import attachments, clock, numbering, tickets
from demo.services.errors import Conflict, Forbidden, NotFound, Problems, ServiceError
from demo.templating import deadline_text, duration

CONSULTA = "consulta-tecnica"


@pytest.fixture
def ctx(app):
    """An app context with the clock frozen at FROZEN."""
    app.config["FROZEN_TIME"] = FROZEN
    with app.app_context():
        yield app


def filled_draft(email: str = MARIA, category: str = CONSULTA) -> Ticket:
    requester = user(email)
    ticket = tickets.open_draft(requester)
    assert tickets.save_draft(ticket, tickets.DraftInput(category, "Assunto", "Descrição")) == []
    return ticket


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("2026-000042", (2026, 42)),
        ("2026000042", (2026, 42)),
        (" 2026/42 ", (2026, 42)),
        ("2026.42", (2026, 42)),
        ("2026 - 42", (2026, 42)),
        ("2026-1", (2026, 1)),
        ("2026-0", None),
        ("2026-", None),
        ("26-42", None),
        ("abc", None),
        ("' OR 1=1 --", None),
        ("%", None),
        ("", None),
        (None, None),
        ("2026-" + "1" * 10, None),
        ("1" * 41, None),
    ],
)
def test_parse_number(typed, parsed):
    assert numbering.parse_number(typed) == parsed


def test_format_number_is_the_documented_readable_form():
    assert numbering.format_number(2026, 1) == "2026-000001"
    assert numbering.format_number(2026, 1_234_567) == "2026-1234567"
    assert numbering.parse_number(numbering.format_number(2026, 987_654)) == (2026, 987_654)


def typed_draft(email: str = MARIA) -> Ticket:
    """A new draft with something typed (an untouched one would be reused by the next opening)."""
    ticket = tickets.open_draft(user(email))
    tickets.save_draft(ticket, tickets.DraftInput(None, "Rascunho", ""))
    return ticket


def test_numbers_are_consecutive_and_by_local_year(ctx):
    first = typed_draft(MARIA)
    second = typed_draft(CARLOS)
    assert (first.number, second.number) == ("2026-000001", "2026-000002")
    # 02:00 UTC on 1 January is still 31 December in Brasília: same year, next number.
    ctx.config["FROZEN_TIME"] = "2027-01-01T02:00:00Z"
    assert typed_draft(MARIA).number == "2026-000003"
    ctx.config["FROZEN_TIME"] = "2027-01-01T03:00:00Z"
    assert typed_draft(MARIA).number == "2027-000001"


def test_only_requesters_open_tickets(ctx):
    with pytest.raises(Forbidden):
        tickets.open_draft(user(JOAO))
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


# --- drafts ----------------------------------------------------------------------------------


def test_draft_starts_the_process_at_abertura(ctx):
    ticket = tickets.open_draft(user(MARIA))
    assert ticket.status == TicketStatus.DRAFT
    assert ticket.current_step == "abertura"
    assert [(s.step, s.assignee.email) for s in ticket.steps] == [("abertura", MARIA)]
    assert tickets.deadline(ticket).state == tickets.DeadlineState.NONE


def test_save_draft_keeps_the_valid_part(ctx):
    ticket = tickets.open_draft(user(MARIA))
    problems = tickets.save_draft(
        ticket, tickets.DraftInput("nao-existe", "  Assunto  ", "x" * (tickets.DESCRIPTION_MAX + 1))
    )
    assert [p.field for p in problems] == ["categoria", "descricao"]
    assert problems[1].message == "A descrição deve ter no máximo 10.000 caracteres."
    db.session.expire_all()
    assert (ticket.category_code, ticket.subject, ticket.description) == (None, "Assunto", "")
    problems = tickets.save_draft(ticket, tickets.DraftInput(CONSULTA, "a" * 151, "ok"))
    assert [p.field for p in problems] == ["assunto"]
    assert (ticket.category_code, ticket.subject, ticket.description) == (CONSULTA, "Assunto", "ok")


def test_save_draft_drops_control_characters(ctx):
    ticket = tickets.open_draft(user(MARIA))
    tickets.save_draft(ticket, tickets.DraftInput(None, "a\x00b\nc\x1b", "l1\x00\r\nl2\rl3\t."))
    db.session.expire_all()
    assert ticket.subject == "ab c"
    assert ticket.description == "l1\nl2\nl3\t."


def test_a_sent_ticket_cannot_be_changed(ctx):
    ticket = filled_draft()
    requester = user(MARIA)
    tickets.add_attachments(ticket, requester, [upload(pdf_bytes(), "a.pdf")])
    tickets.approve(ticket, requester)
    attachment_id = ticket.attachments[0].id
    for change in (
        lambda: tickets.save_draft(ticket, tickets.DraftInput(CONSULTA, "novo", "novo")),
        lambda: tickets.add_attachments(ticket, requester, [upload(png_bytes(), "b.png")]),
        lambda: tickets.remove_attachment(ticket, attachment_id),
        lambda: tickets.approve(ticket, requester),
    ):
        with pytest.raises(Conflict):
            change()
    db.session.expire_all()
    assert ticket.subject == "Assunto"
    assert [a.original_name for a in ticket.attachments] == ["a.pdf"]
    assert len(ticket.steps) == 2


# --- attachments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ana\\tela.png", "tela.png"),
        ("a.pdf\r\nX: y", "a.pdfX: y"),
        ("\x00nul.pdf", "nul.pdf"),
        ("...", "arquivo"),
        ("", "arquivo"),
        (None, "arquivo"),
        ("relato\u0301rio.pdf", "relatório.pdf"),  # NFC
        ("x" * 300 + ".pdf", "x" * 247 + ".pdf"),
    ],
)
def test_clean_name(raw, clean):
    assert attachments.clean_name(raw) == clean


def test_attachment_is_stored_under_a_generated_name(ctx, tmp_path):
    ticket = tickets.open_draft(user(MARIA))
    problems = tickets.add_attachments(ticket, user(MARIA), [upload(png_bytes(), "../../tela.png")])
    assert problems == []
    item = ticket.attachments[0]
    assert item.original_name == "tela.png" and item.content_type == "image/png"
    assert item.size == len(png_bytes()) and len(item.sha256) == 64
    stored = tmp_path / "anexos" / item.stored_name
    assert stored.read_bytes() == png_bytes()
    assert item.stored_name != "tela.png" and not (tmp_path / "tela.png").exists()


CONTENT_CASES = [
    (b"linha;valor\n1;2\n", "dados.csv", True),
    ("relatório em texto".encode("cp1252"), "log.txt", True),
    (b"<html><script>alert(1)</script></html>", "pagina.pdf", False),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "imagem.png", False),
    (png_bytes(), "imagem.pdf", False),  # a real PNG is not a PDF
    (pdf_bytes(), "documento.exe", False),
    (b"MZ\x90\x00" + b"\x00" * 100, "programa.txt", False),
]


def test_type_is_checked_by_content(ctx):
    ticket = tickets.open_draft(user(MARIA))
    for content, name, accepted in CONTENT_CASES:
        problems = tickets.add_attachments(ticket, user(MARIA), [upload(content, name)])
        assert (problems == []) is accepted, (name, [p.message for p in problems])
    assert [a.original_name for a in ticket.attachments] == ["dados.csv", "log.txt"]
    assert [a.content_type for a in ticket.attachments] == ["text/csv", "text/plain"]


def test_files_appear_only_after_the_commit(ctx, tmp_path, monkeypatch):
    """A failed transaction leaves neither a row nor a file (temp file, then moved)."""
    ticket = tickets.open_draft(user(MARIA))
    session = db.session()  # the scoped session's Session, which the service commits
    commit = session.commit
    calls = []

    def failing_commit():
        calls.append(1)
        if len(calls) == 1:  # the write transaction that stores the rows
            raise RuntimeError("falha simulada do banco")
        commit()

    monkeypatch.setattr(session, "commit", failing_commit)
    with pytest.raises(RuntimeError):
        tickets.add_attachments(ticket, user(MARIA), [upload(png_bytes(), "a.png")])
    monkeypatch.undo()
    folder = tmp_path / "anexos"
    assert [p for p in folder.iterdir() if p.is_file()] == []
    assert list((folder / ".tmp").iterdir()) == []
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_removing_an_attachment_deletes_its_file(ctx, tmp_path):
    ticket = tickets.open_draft(user(MARIA))
    tickets.add_attachments(ticket, user(MARIA), [upload(png_bytes(), "a.png")])
    item = ticket.attachments[0]
    stored = tmp_path / "anexos" / item.stored_name
    assert stored.exists()
    tickets.remove_attachment(ticket, item.id)
    assert not stored.exists()
    with pytest.raises(NotFound):
        tickets.remove_attachment(ticket, item.id)


# --- approval, deadline, history --------------------------------------------------------------


def test_deadline_counts_calendar_hours_from_approval(ctx):
    for category, hours, due_utc in (
        ("consulta-tecnica", 2, "2026-11-29T16:00:00+00:00"),
        ("defeito-com-paralisacao", 4, "2026-11-29T18:00:00+00:00"),
        ("defeito-sem-paralisacao", 24, "2026-11-30T14:00:00+00:00"),
    ):
        ctx.config["FROZEN_TIME"] = FROZEN
        ticket = filled_draft(category=category)
        ctx.config["FROZEN_TIME"] = "2026-11-29T14:00:00Z"  # approved two hours after opening
        tickets.approve(ticket, user(MARIA))
        db.session.expire_all()
        assert ticket.due_at == datetime.fromisoformat(due_utc)
        assert ticket.due_at.tzinfo is UTC
        assert ticket.deadline_hours == hours
        assert ticket.opened_at == datetime(2026, 11, 29, 14, tzinfo=UTC)
        assert ticket.created_at == datetime(2026, 11, 29, 12, tzinfo=UTC)


def test_deadline_states(ctx):
    ticket = filled_draft()
    tickets.approve(ticket, user(MARIA))
    opened = clock.parse_utc(FROZEN)
    left = tickets.deadline(ticket, opened)
    assert (
        left.state == tickets.DeadlineState.IN_TIME and deadline_text(left) == "Faltam 2 h 00 min"
    )
    assert tickets.deadline(ticket, opened).state == "no-prazo"
    assert tickets.deadline(ticket, opened + timedelta(minutes=100)).state == "perto"
    late = tickets.deadline(ticket, opened + timedelta(hours=3, minutes=5))
    assert (deadline_text(late), late.state) == ("Vencido há 1 h 05 min", "vencido")


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=3, minutes=20), "3 h 20 min"),
        (timedelta(days=1, hours=2, minutes=5), "1 dia 2 h 05 min"),
        (timedelta(days=2), "2 dias 0 h 00 min"),
    ],
)
def test_duration_in_portuguese(span, text):
    assert duration(span) == text


def test_approval_enters_the_process(ctx):
    ticket = filled_draft()
    tickets.approve(ticket, user(MARIA))
    assert ticket.status == TicketStatus.OPEN
    assert ticket.current_step == "triagem"
    assert tickets.step_name(ticket) == "Triagem"
    history = tickets.history(ticket)
    assert [(h.step_name, h.who, h.outcome) for h in history] == [
        ("Abertura de Chamado", "Maria Souza", "Aprovar"),
        ("Triagem", "Suporte Nível 1", None),
    ]
    listing = tickets.consolidated_steps(ticket)
    assert [(r.step_name, r.who, r.in_progress, r.passes) for r in listing] == [
        ("Abertura de Chamado", "Maria Souza", False, 1),
        ("Triagem", "Suporte Nível 1", True, 1),
    ]


def test_approval_refused_names_every_missing_field(ctx):
    ticket = tickets.open_draft(user(MARIA))
    with pytest.raises(Problems) as refused:
        tickets.approve(ticket, user(MARIA))
    assert [p.field for p in refused.value.problems] == ["categoria", "assunto", "descricao"]
    db.session.expire_all()
    assert ticket.status == TicketStatus.DRAFT and ticket.current_step == "abertura"


def test_concurrent_approvals_make_one_transition(app):
    """A double click, or two tabs: only one Aprovar moves the ticket (both databases)."""
    with app.app_context():
        number = filled_draft().number
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def approve():
        with app.app_context():
            requester = user(MARIA)
            ticket = tickets.get_own(requester, number)
            barrier.wait()
            try:
                tickets.approve(ticket, requester)
                outcomes.append("aprovado")
            except ServiceError as error:
                outcomes.append(error.kind.value)
            except Exception as error:  # reported by the assertion below
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["aprovado", "conflito", "conflito", "conflito"]
    with app.app_context():
        steps = db.session.scalars(select(StepRecord.step).order_by(StepRecord.id)).all()
        assert steps == ["abertura", "triagem"]


# --- visibility ------------------------------------------------------------------------------


def test_visibility_by_organization_and_drafts(ctx):
    mapa_sent = filled_draft(MARIA)
    tickets.approve(mapa_sent, user(MARIA))
    mapa_draft = tickets.open_draft(user("paulo.ramos@agro.gov.br"))
    mgi_sent = filled_draft(CARLOS)
    tickets.approve(mgi_sent, user(CARLOS))
    mgi_draft = tickets.open_draft(user(CARLOS))

    def numbers(email):
        return sorted(db.session.scalars(tickets.visible(user(email))).all(), key=lambda t: t.id)

    assert [t.number for t in numbers(MARIA)] == [mapa_sent.number]
    assert [t.number for t in numbers(CARLOS)] == [mgi_sent.number, mgi_draft.number]
    assert [t.number for t in numbers(JOAO)] == [mapa_sent.number, mgi_sent.number]
    for who, number in (
        (MARIA, mgi_sent.number),
        (MARIA, mapa_draft.number),
    ):
        with pytest.raises(NotFound):
            tickets.get_visible(user(who), number)
    with pytest.raises(NotFound):
        tickets.get_own(user("paulo.ramos@agro.gov.br"), mapa_sent.number)
    assert tickets.search(user(MARIA), mgi_sent.number) == []
    assert tickets.search(user(CARLOS), mgi_draft.number) == []  # drafts are not searched
    assert [t.number for t in tickets.search(user(JOAO), mapa_sent.number)] == [mapa_sent.number]
    assert [t.number for t in tickets.search(user(MARIA), "2026/1")] == [mapa_sent.number]
