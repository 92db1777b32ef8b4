"""Chamados: every ticket the support team may see, filtered, searched, sorted, a page at a
time, and the same list exported as CSV for a spreadsheet.

`parse` reads the filters as a person (or the API) sends them — strings, perhaps wrong — and
refuses what cannot be used, every field at once, in Portuguese. `page` and `export` run them.
Everything the database can do is done there: the search through its full-text index
(services/ticket_search.py), the deadline filters on the stored instants
(services/deadlines.py), counting up to a limit.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import defer, joinedload

from ..extensions import db
from ..models import Organization, Profile, Ticket, TicketStatus, User
from . import (
    categories,
    clock,
    dashboard,
    deadlines,
    numbering,
    pagination,
    satisfaction,
    search_text,
    teams,
    ticket_search,
    tickets,
    workflow,
)
from .errors import Invalid, NotFound, Problems

#: The states a listed ticket can be in (drafts are their authors' own).
STATES = {TicketStatus.OPEN.value: "Em atendimento", TicketStatus.CLOSED.value: "Encerrado"}
#: The deadline filters: the first four for open tickets, the last two for closed ones.
DEADLINES = {
    "no-prazo": "No prazo",
    "perto": "Perto do vencimento",
    "vencido": "Vencido",
    "parado": "Parado (aguardando o solicitante)",
    "cumprido": "Encerrado no prazo",
    "descumprido": "Encerrado fora do prazo",
}
ORDERS = {
    "recentes": "Abertos mais recentemente",
    "antigos": "Abertos há mais tempo",
    "prazo": "Prazo mais próximo",
    "numero": "Nº do Processo",
}
DEFAULT_ORDER = "recentes"
#: A responsible of "nobody": the task waits in its group's queue.
NOBODY = "ninguem"
#: "Any rating": the tickets that have one.
ANY_RATING = "todas"
#: A list is counted up to this many tickets ("mais de 10.000"); its pages stop there.
COUNT_LIMIT = 10_000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to; every field optional."""

    state: str | None = None
    step: str | None = None
    category: str | None = None
    organization: str | None = None  # an órgão's acronym
    requester: str | None = None  # an e-mail
    group: str | None = None
    responsible: str | None = None  # an e-mail, or NOBODY
    start: date | None = None  # opened on or after (local day)
    end: date | None = None  # opened on or before (local day)
    period: str | None = None  # the Painel's "last N days"
    deadline: str | None = None
    rating: str | None = None  # "1"…"5" or ANY_RATING
    text: str = ""
    order: str = DEFAULT_ORDER
    page: int = 1
    #: The values as typed, to show the form again (a refused filter keeps what was typed).
    typed: dict[str, str] = field(default_factory=dict, compare=False)

    def query_args(self, **changes) -> dict[str, str]:
        """The filters as the query string that reproduces them (for links and pages)."""
        args = {key: value for key, value in self.typed.items() if value}
        args.update({key: str(value) for key, value in changes.items()})
        if args.get("pagina") == "1":
            del args["pagina"]
        return {key: value for key, value in args.items() if value}


#: The names of the filters in a query string (the form's fields, the API's parameters).
FIELDS = (
    "situacao",
    "etapa",
    "categoria",
    "orgao",
    "solicitante",
    "grupo",
    "responsavel",
    "de",
    "ate",
    "periodo",
    "prazo",
    "avaliacao",
    "busca",
    "ordem",
    "pagina",
)


def may_list(user: User) -> bool:
    """The Chamados list is the support team's."""
    return teams.is_support_team(user)


def parse(args: Mapping[str, str]) -> Filters:
    """Read the filters from strings; Problems (one per field) when any cannot be used."""
    typed = {name: str(args.get(name) or "").strip() for name in FIELDS}
    problems: list[Invalid] = []
    values: dict = {}

    def check(name: str, condition: bool, message: str) -> None:
        if not condition:
            problems.append(Invalid(message, name))

    state = typed["situacao"]
    check("situacao", not state or state in STATES, f"Situação desconhecida: “{_short(state)}”.")
    values["state"] = state or None

    step = typed["etapa"]
    steps = {s.id for s in workflow.current_process().steps}
    check("etapa", not step or step in steps, f"Etapa desconhecida: “{_short(step)}”.")
    values["step"] = step or None

    category = typed["categoria"]
    check(
        "categoria",
        not category or categories.get(category) is not None,
        f"Categoria desconhecida: “{_short(category)}”.",
    )
    values["category"] = category or None

    acronym = typed["orgao"].upper()
    if acronym:
        known = db.session.scalar(select(Organization.id).where(Organization.acronym == acronym))
        check("orgao", known is not None, f"Órgão desconhecido: “{_short(typed['orgao'])}”.")
    values["organization"] = acronym or None

    requester = typed["solicitante"].lower()
    if requester:
        found = db.session.scalar(select(User.id).where(User.email == requester))
        check(
            "solicitante",
            found is not None,
            f"Nenhuma conta com o e-mail “{_short(typed['solicitante'])}”.",
        )
    values["requester"] = requester or None

    group = typed["grupo"]
    known_groups = {*teams.group_names(), tickets.REQUESTER_GROUP}
    check("grupo", not group or group in known_groups, f"Grupo desconhecido: “{_short(group)}”.")
    values["group"] = group or None

    responsible = typed["responsavel"].lower()
    if responsible and responsible != NOBODY:
        person = db.session.scalar(select(User).where(User.email == responsible))
        check(
            "responsavel",
            person is not None and teams.is_support_team(person),
            f"“{_short(typed['responsavel'])}” não é da equipe de suporte.",
        )
    values["responsible"] = responsible or None

    for name, key in (("de", "start"), ("ate", "end")):
        values[key] = None
        if typed[name]:
            try:
                values[key] = _date(typed[name])
            except ValueError:
                problems.append(
                    Invalid(
                        f"Data inválida: “{_short(typed[name])}”. Use o formato dd/mm/aaaa, "
                        "com um dia que exista.",
                        name,
                    )
                )
    if values["start"] and values["end"] and values["start"] > values["end"]:
        problems.append(Invalid("A data inicial é depois da data final.", "de"))

    period = typed["periodo"]
    check(
        "periodo",
        not period or period in dashboard.PERIODS,
        f"Período desconhecido: “{_short(period)}”.",
    )
    values["period"] = period or None

    deadline = typed["prazo"]
    check(
        "prazo",
        not deadline or deadline in DEADLINES,
        f"Situação de prazo desconhecida: “{_short(deadline)}”.",
    )
    values["deadline"] = deadline or None

    rating = typed["avaliacao"]
    allowed = {str(v) for v in satisfaction.LABELS} | {ANY_RATING}
    check(
        "avaliacao",
        not rating or rating in allowed,
        f"Avaliação desconhecida: “{_short(rating)}”. Escolha uma nota de "
        f"{satisfaction.RATING_MIN} a {satisfaction.RATING_MAX}.",
    )
    values["rating"] = rating or None

    text = str(args.get("busca") or "")
    if len(text) > search_text.QUERY_MAX:
        problems.append(
            Invalid(
                f"A busca aceita até {search_text.QUERY_MAX} caracteres; esta tem "
                f"{len(text):,}.".replace(",", ".")
                + " Use algumas palavras do assunto ou da descrição.",
                "busca",
            )
        )
        typed["busca"] = text[: search_text.QUERY_MAX]
    elif text.strip() and not search_text.words(text):
        problems.append(
            Invalid(
                "A busca precisa de ao menos uma letra ou algarismo (acentos e sinais sozinhos "
                "não buscam nada).",
                "busca",
            )
        )
    values["text"] = text.strip()

    order = typed["ordem"] or DEFAULT_ORDER
    check("ordem", order in ORDERS, f"Ordem desconhecida: “{_short(order)}”.")
    values["order"] = order

    try:
        values["page"] = pagination.page_number(typed["pagina"])
    except Invalid as error:
        problems.append(error)
        values["page"] = 1

    if problems:
        raise Problems(problems)
    return Filters(**values, typed=typed)


def empty() -> Filters:
    """No filter at all (the form shown after a refusal keeps what was typed instead)."""
    return Filters()


@dataclass(frozen=True)
class Row:
    """One ticket as the list (and the CSV) shows it."""

    summary: tickets.Summary
    state: str
    group: str | None


@dataclass(frozen=True)
class ListPage:
    filters: Filters
    page: pagination.Page  # of Row


def page(user: User, filters: Filters) -> ListPage:
    """The page of the list the filters ask for (NotFound for who may not list).

    In two steps: the ids of the page, sorted and cut by the database from narrow rows, then
    those few tickets with what they show. Sorting ten thousand matches of a common word costs
    little when each is an id and a date, and much when each is a whole ticket.
    """
    if not may_list(user):
        raise NotFound("Página não encontrada.")
    size = tickets.page_size()
    ids_query = _filtered(user, filters).with_only_columns(Ticket.id)
    total, pages, capped = pagination.count(ids_query, filters.page, size, COUNT_LIMIT)
    ids = list(
        db.session.scalars(
            ids_query.order_by(*_order(filters.order)).limit(size).offset((filters.page - 1) * size)
        )
    )
    loaded = {
        ticket.id: ticket
        for ticket in db.session.scalars(
            select(Ticket).options(*_LIST_LOADING).where(Ticket.id.in_(ids))
        )
    }
    moment = clock.now()
    rows = [_row(loaded[ticket_id], moment) for ticket_id in ids]
    found = pagination.Page(rows, filters.page, pages, total, size, capped)
    return ListPage(filters, found)


def _row(ticket: Ticket, moment: datetime) -> Row:
    return Row(
        tickets.summary(ticket, moment),
        STATES.get(ticket.status.value, ticket.status.value),
        ticket.current_group,
    )


#: What a listed ticket loads: none of its long texts, and its órgão and people in the same query
#: (its process state, in a table of its own, is never read).
_LIST_LOADING = (
    defer(Ticket.description),
    defer(Ticket.search_text),
    joinedload(Ticket.organization),
    joinedload(Ticket.requester),
    joinedload(Ticket.current_assignee),
)


def _query(user: User, filters: Filters) -> Select:
    """The whole filtered list, sorted, each ticket loaded for showing (the CSV's)."""
    return _filtered(user, filters).options(*_LIST_LOADING).order_by(*_order(filters.order))


def _filtered(user: User, filters: Filters) -> Select:
    """The tickets the filters keep, among those the user may see (no order)."""
    moment = clock.now()
    query = tickets.visible(user).where(Ticket.status.in_([TicketStatus.OPEN, TicketStatus.CLOSED]))
    if filters.state:
        query = query.where(Ticket.status == TicketStatus(filters.state))
    if filters.step:
        query = query.where(Ticket.current_step == filters.step)
    if filters.category:
        query = query.where(Ticket.category_code == filters.category)
    if filters.organization:
        org = select(Organization.id).where(Organization.acronym == filters.organization)
        query = query.where(Ticket.organization_id == org.scalar_subquery())
    if filters.requester:
        person = select(User.id).where(User.email == filters.requester)
        query = query.where(Ticket.requester_id == person.scalar_subquery())
    if filters.group:
        query = query.where(Ticket.current_group == filters.group)
    if filters.responsible == NOBODY:
        query = query.where(
            Ticket.status == TicketStatus.OPEN,
            Ticket.current_assignee_id.is_(None),
            Ticket.current_group != tickets.REQUESTER_GROUP,
        )
    elif filters.responsible:
        person = select(User.id).where(User.email == filters.responsible)
        query = query.where(Ticket.current_assignee_id == person.scalar_subquery())
    if filters.start:
        query = query.where(Ticket.opened_at >= _local_midnight(filters.start))
    if filters.end:
        query = query.where(Ticket.opened_at < _local_midnight(filters.end + timedelta(days=1)))
    if filters.period:
        start = dashboard.since(filters.period)
        if start is not None:
            query = query.where(Ticket.opened_at >= start)
    if filters.deadline:
        query = query.where(_deadline_condition(filters.deadline, moment))
    if filters.rating == ANY_RATING:
        query = query.where(Ticket.rating.is_not(None))
    elif filters.rating:
        query = query.where(Ticket.rating == int(filters.rating))
    if filters.text:
        query = query.where(_text_condition(filters.text))
    return query


def _deadline_condition(name: str, moment: datetime):
    is_open = Ticket.status == TicketStatus.OPEN
    is_closed = Ticket.status == TicketStatus.CLOSED
    return {
        "no-prazo": lambda: and_(is_open, deadlines.in_time(moment)),
        "perto": lambda: and_(is_open, deadlines.near(moment)),
        "vencido": lambda: and_(is_open, deadlines.overdue(moment)),
        "parado": lambda: and_(is_open, deadlines.stopped()),
        "cumprido": lambda: and_(is_closed, deadlines.met()),
        "descumprido": lambda: and_(is_closed, ~deadlines.met()),
    }[name]()


def _text_condition(text: str):
    """Every word in the número, subject or description; a número also by itself."""
    dialect = db.session.get_bind().dialect.name
    condition = ticket_search.matching(dialect, search_text.words(text))
    number = numbering.parse_query(text)
    if number is not None:
        year, sequence = number
        by_number = Ticket.sequence == sequence
        if year is not None:
            by_number = and_(by_number, Ticket.year == year)
        condition = or_(by_number, condition)
    return condition


def _order(name: str) -> list:
    return {
        "recentes": [Ticket.opened_at.desc(), Ticket.id.desc()],
        "antigos": [Ticket.opened_at, Ticket.id],
        "prazo": [Ticket.due_at, Ticket.id],
        "numero": [Ticket.year, Ticket.sequence],
    }[name]


def _date(text: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            found = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if found.year < EARLIEST_YEAR:
            raise ValueError(text)
        return found
    raise ValueError(text)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_ZONE)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


# --- choices for the form ------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What the filter form offers."""

    steps: list[workflow.Step]
    categories: list[categories.Category]
    organizations: list[Organization]
    groups: list[str]
    team: list[User]


def choices(user: User) -> Choices:
    """The filters' options: the órgãos and the team of the user's side only (a class's
    agent never sees the real órgãos or people listed, nor the real team a class's)."""
    proc = workflow.current_process()
    return Choices(
        steps=list(proc.steps),
        categories=categories.all_categories(),
        organizations=list(
            db.session.scalars(
                select(Organization)
                .where(tickets.sandbox(user, Organization.id))
                .order_by(Organization.acronym)
            )
        ),
        groups=[*teams.group_names(), tickets.REQUESTER_GROUP],
        team=list(
            db.session.scalars(
                select(User)
                .where(
                    User.profile.in_([Profile.AGENT, Profile.MANAGER]),
                    tickets.sandbox(user, User.organization_id),
                )
                .order_by(User.name)
            )
        ),
    )


# --- CSV -----------------------------------------------------------------------------------

CSV_HEADER = (
    "Nº do Processo",
    "Assunto",
    "Situação",
    "Etapa",
    "Categoria",
    "Órgão",
    "Solicitante",
    "E-mail do solicitante",
    "Grupo",
    "Responsável",
    "Aberto em",
    "Prazo",
    "Situação do prazo",
    "Encerrado em",
    "Avaliação",
)
#: A cell starting with one of these would be a formula in a spreadsheet.
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def export_limit() -> int:
    """The most rows one CSV export carries (conf: EXPORT_MAX_ROWS)."""
    return int(current_app.config["EXPORT_MAX_ROWS"])


def check_export(user: User, filters: Filters) -> int:
    """How many rows the export will have; Invalid when more than the limit."""
    if not may_list(user):
        raise NotFound("Página não encontrada.")
    limit = export_limit()
    counted = _filtered(user, filters).with_only_columns(Ticket.id).limit(limit + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    if total > limit:
        raise Invalid(
            f"A exportação está limitada a {limit:,} chamados e esta lista tem mais. ".replace(
                ",", "."
            )
            + "Refine os filtros (um período menor, uma categoria, uma situação) e exporte de "
            "novo.",
            "exportar",
        )
    return total


def export(user: User, filters: Filters) -> Iterator[str]:
    """The filtered list as CSV for a pt-BR spreadsheet: UTF-8 with BOM, `;`, dd/mm/aaaa.

    Call `check_export` first. Lines are produced as the rows are read, a batch at a time, so
    a large export never sits whole in memory.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def line(values) -> str:
        writer.writerow([_cell(value) for value in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(CSV_HEADER)
    moment = clock.now()
    query = _query(user, filters).execution_options(yield_per=500)
    for ticket in db.session.scalars(query):
        row = _row(ticket, moment)
        summary = row.summary
        yield line(
            (
                ticket.number,
                ticket.subject,
                row.state,
                summary.step_name,
                summary.category.name if summary.category else "",
                ticket.organization.acronym,
                ticket.requester.name,
                ticket.requester.email,
                ticket.current_group or "",
                ticket.current_assignee.name if ticket.current_assignee else "",
                _when(ticket.opened_at),
                _when(summary.deadline.due_at),
                deadline_words(summary.deadline),
                _when(ticket.closed_at),
                ticket.rating or "",
            )
        )


def deadline_words(deadline: deadlines.Deadline) -> str:
    """The deadline's state in words, as the CSV writes it."""
    state = deadlines.DeadlineState
    return {
        state.NONE: "",
        state.IN_TIME: "No prazo",
        state.NEAR: "Perto do vencimento",
        state.OVERDUE: "Vencido",
        state.PAUSED: "Parado (aguardando o solicitante)",
        state.CLOSED: "Encerrado no prazo" if deadline.met else "Encerrado fora do prazo",
    }[deadline.state]


def _when(moment: datetime | None) -> str:
    return moment.astimezone(clock.LOCAL_ZONE).strftime("%d/%m/%Y %H:%M") if moment else ""


def _cell(value) -> str:
    text = str(value)
    return "'" + text if _FORMULA.match(text) else text
