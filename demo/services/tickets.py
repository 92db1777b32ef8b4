"""Chamados: drafts with a reserved number, attachments, approval into the process, search.

Every function takes the acting user and enforces visibility here, so the HTML views,
the API and the CLI cannot disagree about who sees what.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.exc import InvalidRequestError

from ..database import writing
from ..extensions import db
from ..models import (
    Attachment,
    Classroom,
    Note,
    Profile,
    StepRecord,
    Ticket,
    TicketStatus,
    User,
)
from . import (
    attachments,
    categories,
    clock,
    deadlines,
    notifications,
    numbering,
    pagination,
    teams,
    workflow,
)
from .deadlines import Deadline, DeadlineState, deadline  # noqa: F401  (the readers' names)
from .errors import Conflict, Forbidden, Invalid, NotFound, Problems, ServiceError

SUBJECT_MAX = 150
DESCRIPTION_MAX = 10_000
#: The lane of the requester's own steps, for drafts and the history.
REQUESTER_GROUP = "Solicitante"


def may_open(user: User) -> bool:
    """Who may open a ticket: requesters (the support team answers them)."""
    return user.profile == Profile.REQUESTER


# --- visibility ------------------------------------------------------------------------


#: What only its author sees: a form not yet sent, and one given up.
PRIVATE = (TicketStatus.DRAFT, TicketStatus.DISCARDED)


def visible(user: User) -> Select[tuple[Ticket]]:
    """Tickets the user may see: a requester their órgão's, the support team all but the classes'.

    A class (turma) is a sandbox: its trainees, whatever profile they play, see only its
    tickets; the trainers see the classes' tickets and nothing else; the real support team
    never sees a class's tickets. Drafts (and discarded drafts) are private to their author:
    nobody else has anything to see in them.
    """
    return select(Ticket).where(*visibility(user))


def visibility(user: User) -> list[ColumnElement[bool]]:
    """The conditions of `visible`, for queries that count tickets rather than list them."""
    private = Ticket.status.not_in(PRIVATE) | (Ticket.requester_id == user.id)
    if user.profile == Profile.REQUESTER:
        return [Ticket.organization_id == user.organization_id, private]
    return [sandbox(user, Ticket.organization_id), Ticket.status.not_in(PRIVATE)]


def sandbox(user: User, organization_id) -> ColumnElement[bool]:
    """The órgãos the support side of `user` works with, as a condition on a column holding an
    organization id: a class's own for its trainees, the classes' for a trainer, every real
    órgão for the real team (the filters' lists of órgãos and people follow the same rule)."""
    classes = select(Classroom.organization_id)
    if user.profile == Profile.TRAINER:
        return organization_id.in_(classes)
    if user.organization is not None and user.organization.classroom is not None:
        return organization_id == user.organization_id
    return organization_id.not_in(classes)


NOT_FOUND = "Chamado não encontrado."


def get_visible(user: User, number: str) -> Ticket:
    """The ticket with this number if the user may see it; NotFound otherwise (any reason)."""
    parsed = numbering.parse_number(number)
    if parsed is None:
        raise NotFound(NOT_FOUND)
    year, sequence = parsed
    ticket = db.session.scalar(
        visible(user).where(Ticket.year == year, Ticket.sequence == sequence)
    )
    if ticket is None:
        raise NotFound(NOT_FOUND)
    return ticket


#: Selecionados shows at most this many tickets for a number without the year.
SEARCH_LIMIT = 50
NUMBER_FIELD = "numero"


def search(user: User, text: str) -> list[Ticket]:
    """Search by Nº do Processo among the tickets the user may see, newest year first.

    The whole number finds that ticket; a number without the year ("3", "000003") finds that
    sequence in every year. Nothing is found for what is no número (see `search_number`).
    """
    parsed = numbering.parse_query(text)
    if parsed is None:
        return []
    return _by_number(user, parsed)


def search_number(user: User, text: str) -> list[Ticket]:
    """`search`, refusing with what to type an empty search or one that is no número."""
    typed = (text or "").strip()
    if not typed:
        raise Invalid("Informe o Nº do Processo para buscar.", NUMBER_FIELD)
    parsed = numbering.parse_query(typed)
    if parsed is None:
        raise Invalid(
            "O Nº do Processo tem só algarismos: o número inteiro (2026-000003) ou só o "
            "final, sem o ano (3 ou 000003).",
            NUMBER_FIELD,
        )
    return _by_number(user, parsed)


def _by_number(user: User, parsed: tuple[int | None, int]) -> list[Ticket]:
    year, sequence = parsed
    query = visible(user).where(Ticket.sequence == sequence, Ticket.status.not_in(PRIVATE))
    if year is not None:
        query = query.where(Ticket.year == year)
    query = query.order_by(Ticket.year.desc()).limit(SEARCH_LIMIT)
    return list(db.session.scalars(query))


def page_size() -> int:
    """How many tickets each page of a list shows (conf: LIST_PAGE_SIZE)."""
    from flask import current_app

    return int(current_app.config["LIST_PAGE_SIZE"])


@dataclass(frozen=True)
class MyArea:
    """Minha Área: what awaits the user first, then their tickets and drafts, a page each."""

    awaiting: list[Ticket]
    submitted: pagination.Page
    drafts: pagination.Page
    discarded: pagination.Page


def awaiting(user: User) -> list[Ticket]:
    """The user's tickets whose current task is theirs (an answer, a validation), by deadline."""
    query = (
        select(Ticket)
        .where(
            Ticket.requester_id == user.id,
            Ticket.status == TicketStatus.OPEN,
            Ticket.current_group == REQUESTER_GROUP,
        )
        .order_by(Ticket.due_at, Ticket.id)
    )
    return list(db.session.scalars(query))


#: `mine` lists at most this many tickets of each kind (Minha Área pages: see `my_area`).
MINE_LIMIT = 100


def mine(user: User) -> tuple[list[Ticket], list[Ticket]]:
    """The user's own tickets: (submitted, newest first) and (drafts, newest first), at most
    MINE_LIMIT of each (discarded drafts are neither)."""
    own = select(Ticket).where(Ticket.requester_id == user.id).order_by(Ticket.id.desc())
    return (
        list(db.session.scalars(own.where(Ticket.status.not_in(PRIVATE)).limit(MINE_LIMIT))),
        list(db.session.scalars(own.where(Ticket.status == TicketStatus.DRAFT).limit(MINE_LIMIT))),
    )


def my_area(
    user: User, submitted_page: int = 1, drafts_page: int = 1, discarded_page: int = 1
) -> MyArea:
    """The user's own tickets, newest first: those awaiting them, then a page of each kind.

    A page past the end is refused (pagination.paginate) with the number of pages.
    """
    own = select(Ticket).where(Ticket.requester_id == user.id).order_by(Ticket.id.desc())
    size = page_size()
    waiting = awaiting(user)
    waiting_ids = [t.id for t in waiting]
    submitted = own.where(Ticket.status.not_in(PRIVATE))
    if waiting_ids:
        submitted = submitted.where(Ticket.id.not_in(waiting_ids))
    return MyArea(
        awaiting=waiting,
        submitted=pagination.paginate(submitted, submitted_page, size),
        drafts=pagination.paginate(
            own.where(Ticket.status == TicketStatus.DRAFT), drafts_page, size, field="rascunhos"
        ),
        discarded=pagination.paginate(
            own.where(Ticket.status == TicketStatus.DISCARDED),
            discarded_page,
            size,
            field="descartados",
        ),
    )


@dataclass(frozen=True)
class Filters:
    """What a list of tickets may be narrowed to (the API's query parameters)."""

    status: TicketStatus | None = None
    category: str | None = None
    step: str | None = None
    deadline: DeadlineState | None = None
    number: str | None = None
    #: Only the tickets the user opened.
    mine: bool = False
    #: "numero": newest first; "prazo": the soonest due first (no deadline last).
    order: str = "numero"


ORDERS = ("numero", "prazo")
PER_PAGE_DEFAULT = 20
PER_PAGE_MAX = 100


@dataclass(frozen=True)
class Page:
    """One page of a list of tickets."""

    items: list[Ticket]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def listing(user: User, filters: Filters, page: int = 1, per_page: int = PER_PAGE_DEFAULT) -> Page:
    """The tickets the user may see, narrowed by `filters`, one page of them."""
    if not 1 <= per_page <= PER_PAGE_MAX:
        raise Invalid(f"Itens por página: escolha um número de 1 a {PER_PAGE_MAX}.", "por_pagina")
    if page < 1:
        raise Invalid("A primeira página é a 1.", "pagina")
    if filters.order not in ORDERS:
        raise Invalid("Ordem desconhecida: use “numero” ou “prazo”.", "ordem")
    query = visible(user)
    if filters.status is not None:
        query = query.where(Ticket.status == filters.status)
    if filters.category:
        if categories.get(filters.category) is None:
            raise Invalid("Categoria desconhecida: veja a lista de categorias.", "categoria")
        query = query.where(Ticket.category_code == filters.category)
    if filters.step:
        if filters.step not in {s.id for s in workflow.current_process().steps}:
            raise Invalid("Etapa desconhecida: veja as etapas do fluxo.", "etapa")
        query = query.where(Ticket.current_step == filters.step)
    if filters.number:
        parsed = numbering.parse_number(filters.number)
        if parsed is None:
            raise Invalid(numbering.BAD_NUMBER.format(text=filters.number[:40]), "numero")
        query = query.where(Ticket.year == parsed[0], Ticket.sequence == parsed[1])
    if filters.mine:
        query = query.where(Ticket.requester_id == user.id)
    if filters.deadline is not None:
        query = query.where(_deadline_is(filters.deadline, clock.now()))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    found = Page([], page, per_page, total)
    if page > found.pages:
        raise Invalid(f"A página {page} não existe: a lista tem {found.pages} página(s).", "pagina")
    if filters.order == "prazo":
        query = query.order_by(Ticket.due_at.is_(None), Ticket.due_at, Ticket.id)
    else:
        query = query.order_by(Ticket.id.desc())
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, per_page, total)


def _deadline_is(wanted: DeadlineState, moment: datetime):
    """The SQL condition for `deadline(ticket).state == wanted` (see `deadline`)."""
    running = (Ticket.status == TicketStatus.OPEN) & Ticket.due_at.is_not(None)
    hours = db.session.scalars(
        select(Ticket.deadline_hours).where(Ticket.deadline_hours.is_not(None)).distinct()
    ).all()
    # The last quarter of each deadline in use: the per-row hours become constants.
    near = or_(
        false(),
        *(
            (Ticket.deadline_hours == h) & (Ticket.due_at <= moment + timedelta(hours=h) * 0.25)
            for h in hours
        ),
    )
    match wanted:
        case DeadlineState.NONE:
            return Ticket.due_at.is_(None)
        case DeadlineState.CLOSED:
            return (Ticket.status == TicketStatus.CLOSED) & Ticket.due_at.is_not(None)
        case DeadlineState.OVERDUE:
            return running & (Ticket.due_at < moment)
        case DeadlineState.NEAR:
            return running & (Ticket.due_at >= moment) & near
        case _:
            return running & (Ticket.due_at >= moment) & ~near


# --- the draft -------------------------------------------------------------------------


def open_draft(user: User, reuse: bool = True) -> Ticket:
    """Open the form (Abertura de Chamado): the user's untouched draft if there is one,
    otherwise a new draft with the next number reserved and the process started.

    Clicking "Abertura de Chamado" again without typing anything gives the same código: no
    número is spent on an empty form. The user's row is locked first, so two clicks at once
    cannot both find no draft and both reserve a number (SQLite's BEGIN IMMEDIATE already
    holds the whole database). A program (the API) asks for a new draft every time
    (`reuse=False`): two of its calls at once must never fill the same draft.
    """
    if not may_open(user):
        raise Forbidden("Somente solicitantes abrem chamados.")
    proc = workflow.current_process()
    state = workflow.start(proc)
    step_id = workflow.ready_step(proc, state)
    moment = clock.now()
    year = moment.astimezone(clock.LOCAL_ZONE).year
    with writing():
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
        untouched = _untouched_draft(user) if reuse else None
        if untouched is not None:
            return untouched
        sequence = numbering.next_sequence(year)
        ticket = Ticket(
            number=numbering.format_number(year, sequence),
            year=year,
            sequence=sequence,
            organization_id=user.organization_id,
            requester=user,
            status=TicketStatus.DRAFT,
            process_state=state,
            created_at=moment,
        )
        enter_step(ticket, proc, step_id, moment, assignee=user)
        db.session.add(ticket)
    return ticket


def _untouched_draft(user: User) -> Ticket | None:
    """The user's newest draft with nothing typed, chosen or attached yet."""
    query = (
        select(Ticket)
        .where(
            Ticket.requester_id == user.id,
            Ticket.status == TicketStatus.DRAFT,
            Ticket.category_code.is_(None),
            Ticket.subject == "",
            Ticket.description == "",
            ~select(Attachment.id).where(Attachment.ticket_id == Ticket.id).exists(),
        )
        .order_by(Ticket.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def discard_draft(ticket: Ticket, user: User) -> Ticket:
    """Descartar: the author gives up a draft. The row and its número stay, marked discarded,
    so numbering keeps no gap; it leaves Minha Área's drafts and can no longer be sent."""
    if ticket.requester_id != user.id:
        raise NotFound(NOT_FOUND)
    moment = clock.now()
    with writing():
        _lock_draft(ticket)
        _finish_record(ticket, ticket.current_step, moment, decision=None)
        ticket.status = TicketStatus.DISCARDED
        ticket.discarded_at = moment
        ticket.current_step = None
        ticket.current_group = None
        ticket.current_assignee_id = None
    return ticket


def get_own(user: User, number: str) -> Ticket:
    """A ticket the user opened (a draft, or one already sent); NotFound for anyone else's."""
    ticket = get_visible(user, number)
    if ticket.requester_id != user.id:
        raise NotFound(NOT_FOUND)
    return ticket


@dataclass
class DraftInput:
    """What the requester typed in the form (any of it may be invalid)."""

    category: str | None
    subject: str
    description: str


def _checked(data: DraftInput) -> tuple[list[ServiceError], str, str, bool]:
    """The problems of what was typed, and the cleaned subject and description."""
    problems = []
    known_category = not data.category or categories.get(data.category) is not None
    if not known_category:
        problems.append(Invalid("Categoria desconhecida: escolha uma das opções.", "categoria"))
    subject = _clean_text(data.subject, multiline=False).strip()
    if len(subject) > SUBJECT_MAX:
        problems.append(
            Invalid(f"O assunto deve ter no máximo {SUBJECT_MAX} caracteres.", "assunto")
        )
    description = _clean_text(data.description, multiline=True)
    if len(description) > DESCRIPTION_MAX:
        problems.append(
            Invalid(
                f"A descrição deve ter no máximo {DESCRIPTION_MAX:,} caracteres.".replace(",", "."),
                "descricao",
            )
        )
    return problems, subject, description, known_category


def save_draft(ticket: Ticket, data: DraftInput) -> list[ServiceError]:
    """Keep what is valid of the typed text; return the problems (the form shows them)."""
    problems, subject, description, known_category = _checked(data)
    with writing():
        _lock_draft(ticket)
        if known_category:
            ticket.category_code = data.category or ticket.category_code
        if len(subject) <= SUBJECT_MAX:
            ticket.subject = subject
        if len(description) <= DESCRIPTION_MAX:
            ticket.description = description
    return problems


def update_draft(ticket: Ticket, data: DraftInput) -> Ticket:
    """Change the draft all at once or not at all (the API): Problems when anything is wrong.

    A field given as None keeps its value.
    """
    _require_draft(ticket)
    data = DraftInput(
        data.category,
        ticket.subject if data.subject is None else data.subject,
        ticket.description if data.description is None else data.description,
    )
    problems, subject, description, _known = _checked(data)
    if problems:
        raise Problems(problems)
    with writing():
        _lock_draft(ticket)
        ticket.category_code = data.category or ticket.category_code
        ticket.subject = subject
        ticket.description = description
    return ticket


def new_draft(user: User, data: DraftInput | None) -> Ticket:
    """A new draft filled with `data` in one transaction (the API): refused whole, before a
    número is reserved, when a field is wrong; never an untouched draft of a human's click."""
    if data is not None:
        check_draft(data)
    with writing():
        ticket = open_draft(user, reuse=False)
        if data is not None:
            update_draft(ticket, data)
    return ticket


def check_draft(data: DraftInput) -> None:
    """Refuse, before anything is written, what update_draft would refuse."""
    problems = _checked(DraftInput(data.category, data.subject or "", data.description or ""))[0]
    if problems:
        raise Problems(problems)


def add_attachments(
    ticket: Ticket, user: User, files: list[tuple[BinaryIO, str | None]]
) -> list[ServiceError]:
    """Store the acceptable files on the draft; return one problem per refused file."""
    return _attach(ticket, user, files)[1]


def attach(ticket: Ticket, user: User, stream: BinaryIO, name: str | None) -> Attachment:
    """Store one file on the draft and return its row; refused (nothing stored) otherwise."""
    rows, problems = _attach(ticket, user, [(stream, name)])
    if problems:
        raise problems[0]
    return rows[0]


def _attach(
    ticket: Ticket, user: User, files: list[tuple[BinaryIO, str | None]]
) -> tuple[list[Attachment], list[ServiceError]]:
    _require_draft(ticket)
    problems: list[ServiceError] = []
    staged: list[attachments.StagedFile] = []
    room = attachments.max_count() - len(ticket.attachments)
    # Files are checked and copied before the ticket is locked: a large upload must not hold
    # the write lock that every other form is waiting for.
    for stream, name in files:
        if len(staged) >= room:
            problems.append(_too_many(name))
            continue
        try:
            staged.append(attachments.stage(stream, name))
        except Invalid as error:
            problems.append(error)
    if not staged:
        return [], problems
    with attachments.placed_after_commit(staged):
        _lock_draft(ticket)
        # Another request of the same user may have attached files in the meantime.
        while staged and len(ticket.attachments) + len(staged) > attachments.max_count():
            extra = staged.pop()
            extra.discard()
            problems.append(_too_many(extra.original_name))
        step = ticket.current_step or ""
        record = _open_record(ticket)
        rows = [attachments.row(item, user, step, step_record=record) for item in staged]
        ticket.attachments.extend(rows)
    return rows, problems


def _open_record(ticket: Ticket) -> StepRecord | None:
    return next((r for r in reversed(ticket.steps) if r.finished_at is None), None)


def _too_many(name: str | None) -> Invalid:
    return Invalid(
        f"“{attachments.clean_name(name)}” não foi anexado: o limite é de "
        f"{attachments.max_count()} arquivos por chamado.",
        "anexos",
    )


def remove_attachment(ticket: Ticket, attachment_id: int) -> None:
    """Remove an attachment of a draft (after approval attachments are part of the record)."""
    with writing():
        _lock_draft(ticket)
        attachment = next((a for a in ticket.attachments if a.id == attachment_id), None)
        if attachment is None:
            raise NotFound("Anexo não encontrado neste chamado.", "anexos")
        stored = attachment.stored_name
        ticket.attachments.remove(attachment)
    attachments.delete_file(stored)


def approve(ticket: Ticket, user: User) -> Ticket:
    """Aprovar: check the form, hand the ticket to the support team and start the deadline.

    The ticket is locked first, so a double click (or two tabs) approves it only once.
    """
    proc = workflow.current_process()
    with writing():
        _lock_draft(ticket)
        problems = []
        category = categories.get(ticket.category_code)
        if category is None:
            problems.append(Invalid("Escolha a categoria do chamado.", "categoria"))
        if not ticket.subject.strip():
            problems.append(Invalid("Informe o assunto do chamado.", "assunto"))
        if not ticket.description.strip():
            problems.append(Invalid("Descreva a sua solicitação.", "descricao"))
        if problems:
            raise Problems(problems)
        moment = clock.now()
        step_id = ticket.current_step
        ticket.process_state = workflow.complete(proc, ticket.process_state, step_id, None, {})
        _finish_record(ticket, step_id, moment, decision=None)
        ticket.status = TicketStatus.OPEN
        ticket.opened_at = moment
        deadlines.start(ticket, category.hours, moment)
        enter_step(ticket, proc, workflow.ready_step(proc, ticket.process_state), moment)
        # The receipt and the group's notice commit with the approval, or not at all.
        notifications.opened(ticket, category)
    return ticket


def _require_draft(ticket: Ticket) -> None:
    if ticket.status == TicketStatus.DISCARDED:
        raise Conflict("Este rascunho foi descartado e não pode mais ser alterado nem enviado.")
    if ticket.status != TicketStatus.DRAFT:
        raise Conflict("Este chamado já foi enviado e não pode mais ser alterado.")


def _lock_draft(ticket: Ticket) -> None:
    """Inside a write transaction: hold the ticket's row, reloaded; it must still be a draft.

    Without the lock two requests could both read "rascunho" and both approve (PostgreSQL);
    SQLite's BEGIN IMMEDIATE already holds the whole database.
    """
    try:
        db.session.refresh(ticket, with_for_update=True)
    except InvalidRequestError as exc:
        # Deleted meanwhile (its class was reset while the form was open).
        raise NotFound(NOT_FOUND) from exc
    _require_draft(ticket)


def _clean_text(text: str | None, multiline: bool) -> str:
    """Drop control characters (PostgreSQL refuses NUL in text); keep line breaks if asked."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = "\n\t" if multiline else ""
    return "".join(
        ch if ch in kept or unicodedata.category(ch) != "Cc" else (" " if ch in "\n\t" else "")
        for ch in text
    )


def new_record(proc: workflow.Process, step_id: str, moment: datetime, assignee=None) -> StepRecord:
    """The history record of a step the ticket enters now."""
    step = proc.step(step_id)
    return StepRecord(
        step=step.id,
        step_name=step.name,
        group=step.lane or REQUESTER_GROUP,
        assignee=assignee,
        started_at=moment,
    )


def enter_step(
    ticket: Ticket, proc: workflow.Process, step_id: str | None, moment: datetime, assignee=None
) -> None:
    """The ticket is now at `step_id` (None: closed): its record, group and holder with it.

    A step of the requester's lane is the requester's own task.
    """
    ticket.current_step = step_id
    if step_id is None:
        ticket.current_group = None
        ticket.current_assignee_id = None
        return
    record = new_record(proc, step_id, moment, assignee=assignee)
    if record.group == REQUESTER_GROUP and assignee is None:
        record.assignee = ticket.requester
    ticket.steps.append(record)
    ticket.current_group = record.group
    ticket.current_assignee_id = record.assignee.id if record.assignee else None


def _finish_record(ticket: Ticket, step_id: str, moment: datetime, decision: str | None) -> None:
    for record in reversed(ticket.steps):
        if record.step == step_id and record.finished_at is None:
            record.finished_at = moment
            record.decision = decision
            return


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """The fluxo vivo: the process's steps, which the ticket completed, where it is now."""

    bpmn_xml: str
    steps: list[tuple[workflow.Step, str]]  # (step, "atual" | "concluida" | "")
    completed: set[str]
    current: str | None


def flow(ticket: Ticket) -> Flow:
    """Where the ticket stands in its process, step by step."""
    proc = workflow.current_process()
    done = set(workflow.completed_steps(proc, ticket.process_state))
    steps = [
        (
            step,
            "atual" if step.id == ticket.current_step else "concluida" if step.id in done else "",
        )
        for step in proc.steps
    ]
    return Flow(proc.bpmn_xml, steps, done, ticket.current_step)


def opening_attachments(ticket: Ticket) -> list[Attachment]:
    """The files sent with the form itself (Acessar); the later ones belong to their messages."""
    first = ticket.steps[0] if ticket.steps else None
    if first is None:
        return []
    return [
        item
        for item in ticket.attachments
        if item.step_record_id == first.id
        # a file stored before messages had their own files: by its step
        or (item.step_record_id is None and item.note_id is None and item.step == first.step)
    ]


def attachment_of(ticket: Ticket, attachment_id: int) -> Attachment:
    """One attachment of a ticket the user may see, with its file; NotFound otherwise."""
    item = next((a for a in ticket.attachments if a.id == attachment_id), None)
    if item is None or not attachments.path_of(item.stored_name).is_file():
        raise NotFound("Anexo não encontrado.")
    return item


def public_notes(ticket: Ticket) -> list[Note]:
    """The notes everyone who sees the ticket reads: public replies and the portal's own."""
    return [note for note in ticket.notes if note.kind != Note.INTERNAL]


def internal_notes(user: User, ticket: Ticket) -> list[Note]:
    """The support team's internal notes: for the team only, never for a requester."""
    if not teams.is_support_team(user):
        return []
    return [note for note in ticket.notes if note.kind == Note.INTERNAL]


def step_name(ticket: Ticket) -> str:
    """The name of the ticket's current step, or "Encerrado" (or "Descartado")."""
    if ticket.status == TicketStatus.DISCARDED:
        return "Descartado"
    if ticket.current_step is None:
        return "Encerrado"
    return workflow.current_process().step(ticket.current_step).name


@dataclass(frozen=True)
class PauseRow:
    """One stop of the deadline clock, as the history shows it."""

    step_name: str  # the step waited in, or "Encerrado" for the time a ticket spent closed
    started_at: datetime
    ended_at: datetime | None
    duration: timedelta


def pauses(ticket: Ticket, at: datetime | None = None) -> list[PauseRow]:
    """Every stop of the clock, oldest first; the one still running lasts until now."""
    proc = workflow.current_process()
    moment = at or clock.now()
    rows = []
    for stop in ticket.pauses:
        name = "Encerrado" if stop.step is None else _step_name(proc, stop.step)
        end = stop.ended_at or moment
        rows.append(PauseRow(name, stop.started_at, stop.ended_at, end - stop.started_at))
    return rows


def _step_name(proc: workflow.Process, step_id: str) -> str:
    try:
        return proc.step(step_id).name
    except KeyError:  # a step the process no longer has
        return step_id


@dataclass(frozen=True)
class HistoryRow:
    """One pass through a step, as Status shows it."""

    step_name: str
    who: str
    started_at: datetime
    finished_at: datetime | None
    duration: timedelta
    #: The label in the BPMN of how the pass ended ("Resolver", "Aprovar"); None while it is
    #: open, or when the step ends without a named way out (an answer).
    outcome: str | None
    comment: str


def history(ticket: Ticket, at: datetime | None = None) -> list[HistoryRow]:
    """Status: every pass through every step, oldest first, with who, when and how long."""
    proc = workflow.current_process()
    moment = at or clock.now()
    rows = []
    for record in ticket.steps:
        end = record.finished_at or moment
        rows.append(
            HistoryRow(
                step_name=record.step_name,
                who=record.assignee.name if record.assignee else record.group,
                started_at=record.started_at,
                finished_at=record.finished_at,
                duration=end - record.started_at,
                outcome=_outcome(proc, record),
                comment=record.comment,
            )
        )
    return rows


def _outcome(proc: workflow.Process, record: StepRecord) -> str | None:
    if record.finished_at is None:
        return None
    if record.decision and record.decision in proc.decisions(record.step):
        return proc.decision_label(record.step, record.decision)
    # A step done without a decision: the name of its flow in the BPMN ("Aprovar").
    return proc.completion_label(record.step)


@dataclass(frozen=True)
class ListingRow:
    """One step, consolidated over all its passes, as Listagem shows it."""

    step_name: str
    who: str
    started_at: datetime
    finished_at: datetime | None
    passes: int
    in_progress: bool


def consolidated_steps(ticket: Ticket) -> list[ListingRow]:
    """Listagem: the steps in the order first reached, each summed up in one line."""
    grouped: dict[str, list[StepRecord]] = {}
    for record in ticket.steps:
        grouped.setdefault(record.step, []).append(record)
    rows = []
    for records in grouped.values():
        open_pass = any(r.finished_at is None for r in records)
        people = sorted({r.assignee.name for r in records if r.assignee})
        rows.append(
            ListingRow(
                step_name=records[0].step_name,
                who=", ".join(people) or records[0].group,
                started_at=records[0].started_at,
                finished_at=None if open_pass else records[-1].finished_at,
                passes=len(records),
                in_progress=open_pass,
            )
        )
    return rows


@dataclass(frozen=True)
class Summary:
    """What lists and headers show of a ticket."""

    ticket: Ticket
    category: categories.Category | None
    step_name: str
    deadline: Deadline
    #: Who has the current task: a person's name, "Na fila" (its group's queue), "Solicitante",
    #: or "—" when there is no task.
    responsible: str = "—"


#: The responsible of a task waiting in its group's queue.
IN_QUEUE = "Na fila"


def summary(ticket: Ticket, at: datetime | None = None) -> Summary:
    """Summarise a ticket for a list or a header."""
    return Summary(
        ticket,
        categories.get(ticket.category_code),
        step_name(ticket),
        deadline(ticket, at),
        responsible(ticket),
    )


def responsible(ticket: Ticket) -> str:
    """Who has the ticket's current task, in words."""
    if ticket.status != TicketStatus.OPEN or ticket.current_step is None:
        return "—"
    if ticket.current_group == REQUESTER_GROUP:
        return REQUESTER_GROUP
    if ticket.current_assignee is not None:
        return ticket.current_assignee.name
    return IN_QUEUE
