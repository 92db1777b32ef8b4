"""Turmas: a trainer's class, its sandbox órgão, its trainees, its sheet, its reset.

A class is its own órgão, so the visibility rule (`tickets.visible`) isolates classes; its
support groups live in the database (`GroupMembership`), so trainees can play the agent's side
without a restart. Creating, resetting and removing a class are each one transaction: the slow
part (hashing the temporary passwords) runs before it, and files are removed after the commit.
"""

from __future__ import annotations

import csv
import io
import os
import random
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..config import read_toml
from ..database import writing
from ..extensions import db
from ..models import (
    Attachment,
    ClassMember,
    Classroom,
    DeadlinePause,
    GroupMembership,
    LoginSession,
    Note,
    Organization,
    OutgoingEmail,
    Profile,
    StepRecord,
    Ticket,
    TicketEvent,
    TicketState,
    TourProgress,
    User,
)
from . import (
    accounts,
    attachments,
    clock,
    delivery,
    passwords,
    tasks,
    teams,
    ticket_search,
    tickets,
    workflow,
)
from .errors import Conflict, Invalid, NotFound, Problems, ServiceError

NAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$")
NAME_RULE = (
    "Use de 1 a 20 letras minúsculas sem acento, números ou hífens, começando e terminando com "
    "letra ou número (por exemplo “turma-a” ou “sala3”)."
)
#: The sheet's columns (the CSV that `turma criar --csv` writes).
SHEET_COLUMNS = ("usuario", "senha")
#: Profiles a trainee may play; an agent also says which group (lane) they work in.
ROLE_REQUESTER = "solicitante"
ROLE_MANAGER = "gestor"
ROLE_AGENT_PREFIX = "atendente:"


@dataclass(frozen=True)
class Person:
    """Someone to enrol: a name and, when imported from a CSV, a real e-mail address."""

    name: str
    email: str | None = None


@dataclass(frozen=True)
class SheetLine:
    """One card of the class sheet."""

    name: str
    user: str
    password: str | None
    role: str


@dataclass(frozen=True)
class Summary:
    """What `turma listar` and the Turmas screen show of a class."""

    name: str
    trainees: int
    tickets: int
    created_at: datetime
    reset_at: datetime | None
    ends_at: datetime | None
    ended: bool


# --- reading ---------------------------------------------------------------------------


def max_trainees() -> int:
    return int(current_app.config["CLASS_MAX_TRAINEES"])


def email_domain() -> str:
    return str(current_app.config["CLASS_EMAIL_DOMAIN"]).strip().lower()


def get(name: str) -> Classroom:
    """The class with this name; NotFound (with the known names) otherwise."""
    clean = (name or "").strip().lower()
    classroom = db.session.scalar(select(Classroom).where(Classroom.name == clean))
    if classroom is None:
        known = ", ".join(db.session.scalars(select(Classroom.name).order_by(Classroom.name)))
        raise NotFound(
            f"Não existe turma chamada “{(name or '').strip()}”."
            + (f" Turmas: {known}." if known else " Nenhuma turma foi criada ainda."),
            "nome",
        )
    return classroom


def find(name: str) -> Classroom | None:
    clean = (name or "").strip().lower()
    return db.session.scalar(select(Classroom).where(Classroom.name == clean))


def of(user: User) -> Classroom | None:
    """The class whose sandbox the user belongs to (a trainee), or None."""
    organization = user.organization
    return organization.classroom if organization is not None else None


def list_all() -> list[Summary]:
    """Every class, by name, with its counts."""
    found = []
    moment = clock.now()
    for classroom in db.session.scalars(select(Classroom).order_by(Classroom.name)):
        trainees = db.session.scalar(
            select(func.count()).where(ClassMember.classroom_id == classroom.id)
        )
        count = db.session.scalar(
            select(func.count()).where(Ticket.organization_id == classroom.organization_id)
        )
        found.append(
            Summary(
                classroom.name,
                trainees,
                count,
                classroom.created_at,
                classroom.reset_at,
                classroom.ends_at,
                classroom.ends_at is not None and classroom.ends_at <= moment,
            )
        )
    return found


def role_of(user: User) -> str:
    """The role key of a trainee: solicitante, gestor, or atendente:<lane>."""
    if user.profile == Profile.AGENT:
        query = select(GroupMembership.lane).where(GroupMembership.user_id == user.id)
        found = sorted(db.session.scalars(query))
        return ROLE_AGENT_PREFIX + (found[0] if found else "")
    return user.profile.value


def roles() -> list[tuple[str, str]]:
    """(key, label) of every role a trainee may play, the groups read from the BPMN lanes."""
    options = [(ROLE_REQUESTER, "Solicitante")]
    for lane in lanes():
        options.append((ROLE_AGENT_PREFIX + lane, f"Atendente ({lane})"))
    options.append((ROLE_MANAGER, "Gestor"))
    return options


def lanes() -> list[str]:
    """The support groups of a class: the process's lanes other than the requester's."""
    seen: list[str] = []
    for step in workflow.current_process().steps:
        if step.lane and step.lane != teams.REQUESTER_LANE and step.lane not in seen:
            seen.append(step.lane)
    return seen


def sheet(classroom: Classroom) -> list[SheetLine]:
    """The class sheet: each trainee's user and, until the first access, the password."""
    labels = dict(roles())
    return [
        SheetLine(
            member.user.name,
            member.user.email,
            member.sheet_password if member.user.must_change_password else None,
            labels.get(role_of(member.user), member.user.profile.label),
        )
        for member in classroom.members
    ]


def sheet_csv(lines: list[SheetLine]) -> str:
    """The sheet as CSV (UTF-8, columns usuario,senha)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SHEET_COLUMNS)
    for line in lines:
        writer.writerow((line.user, line.password or ""))
    return out.getvalue()


# --- the people of a CSV ---------------------------------------------------------------

_NAME_COLUMNS = {"nome", "nome completo", "name"}
_EMAIL_COLUMNS = {"email", "e-mail", "e mail", "correio eletronico", "usuario"}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_people(data: bytes) -> list[Person]:
    """Read a CSV of people (columns nome and email, in UTF-8; “,” or “;”).

    Every problem is reported at once, with its line: bad e-mails, repeated e-mails, empty names.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            "O arquivo CSV não está em UTF-8 (talvez em Latin-1/Windows-1252). Salve-o de novo "
            "como “CSV UTF-8” e tente outra vez.",
            "arquivo",
        ) from exc
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise Invalid(
            "O arquivo CSV está vazio: a primeira linha deve ser “nome,email”.", "arquivo"
        )
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = [_fold(cell) for cell in next(reader)]
    name_at = next((i for i, cell in enumerate(header) if cell in _NAME_COLUMNS), None)
    email_at = next((i for i, cell in enumerate(header) if cell in _EMAIL_COLUMNS), None)
    missing = [label for label, at in (("nome", name_at), ("email", email_at)) if at is None]
    if missing:
        found = ", ".join(f"“{cell}”" for cell in header) or "nenhuma"
        raise Invalid(
            f"Falta a coluna {' e a coluna '.join(f'“{m}”' for m in missing)} na primeira linha "
            f"do CSV (colunas encontradas: {found}).",
            "arquivo",
        )
    people: list[Person] = []
    problems: list[ServiceError] = []
    first_line: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        cells = [cell.strip() for cell in row]
        name = cells[name_at] if name_at < len(cells) else ""
        raw = cells[email_at] if email_at < len(cells) else ""
        if not name or len(name) > 200:
            problems.append(
                Invalid(f"Linha {number}: informe o nome (até 200 caracteres).", "arquivo")
            )
            continue
        try:
            email = accounts.normalise_email(raw)
        except Invalid:
            problems.append(Invalid(f"Linha {number}: e-mail inválido: “{raw}”.", "arquivo"))
            continue
        if email in first_line:
            problems.append(
                Invalid(
                    f"Linha {number}: o e-mail {email} já aparece na linha {first_line[email]}.",
                    "arquivo",
                )
            )
            continue
        first_line[email] = number
        people.append(Person(name, email))
    if problems:
        raise Problems(problems)
    if not people:
        raise Invalid("O arquivo CSV não tem nenhuma pessoa depois da primeira linha.", "arquivo")
    return people


# --- creating ----------------------------------------------------------------------------


def clean_name(name: str) -> str:
    clean = (name or "").strip().lower()
    if not NAME_PATTERN.match(clean):
        raise Invalid(f"Nome de turma inválido: “{(name or '').strip()}”. {NAME_RULE}", "nome")
    return clean


def _check_count(count: int) -> None:
    limit = max_trainees()
    if count < 1:
        raise Invalid("Uma turma precisa de pelo menos 1 aluno.", "alunos")
    if count > limit:
        raise Invalid(
            f"Uma turma pode ter no máximo {limit} alunos (CLASS_MAX_TRAINEES em "
            f"conf/portal.toml); foram pedidos {count}. Divida-os em mais turmas.",
            "alunos",
        )


def parse_end(text: str | None) -> datetime | None:
    """An end date typed as dd/mm/aaaa or aaaa-mm-dd: the class ends at that day's midnight."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(text, pattern)
        except ValueError:
            continue
        end = (day + timedelta(days=1)).replace(tzinfo=clock.LOCAL_ZONE)
        if end <= clock.now():
            raise Invalid("A data de término já passou: informe uma data futura.", "termino")
        return end
    raise Invalid(f"Data de término inválida: “{text}” (use dd/mm/aaaa).", "termino")


def _new_passwords(count: int, salt: str) -> list[tuple[str, str]]:
    """(password, hash) pairs, hashed side by side on every core (argon2 releases the GIL).

    CLASS_PASSWORD_SEED (captures of the manual only) makes the passwords reproducible.
    """
    seed = current_app.config.get("CLASS_PASSWORD_SEED")
    rng = random.Random(f"{seed}:{salt}") if seed else None
    plain = [passwords.temporary_password(rng) for _ in range(count)]
    if count <= 1:
        return [(p, passwords.hash_password(p)) for p in plain]
    with ThreadPoolExecutor(max_workers=min(count, os.cpu_count() or 1)) as pool:
        return list(zip(plain, pool.map(passwords.hash_password, plain), strict=True))


def create(
    name: str,
    count: int | None = None,
    people: list[Person] | None = None,
    ends_at: datetime | None = None,
) -> tuple[Classroom, list[SheetLine]]:
    """Create a class: its órgão, its trainees (N, or the people of a CSV), its demo tickets.

    Everything commits together or not at all; the sheet (users and temporary passwords) is
    returned for the trainer to hand out.
    """
    clean = clean_name(name)
    if people is None:
        if count is None:
            raise Invalid("Informe o número de alunos ou um arquivo CSV com as pessoas.", "alunos")
        people = [Person(f"Aluno {index:02d} da {clean}") for index in range(1, count + 1)]
    _check_count(len(people))
    width = 3 if len(people) > 99 else 2
    keyed = []
    for index, person in enumerate(people, start=1):
        email = person.email or f"aluno{index:0{width}d}.{clean}@{email_domain()}"
        keyed.append((person, email))
    secrets_and_hashes = _new_passwords(len(people), f"{clean}:0")
    try:
        with writing():
            if find(clean) is not None:
                raise Conflict(f"Já existe uma turma chamada “{clean}”.", "nome")
            acronym = clean.upper()
            if db.session.scalar(select(Organization).where(Organization.acronym == acronym)):
                raise Conflict(
                    f"Já existe um órgão com a sigla {acronym}: escolha outro nome.", "nome"
                )
            taken = sorted(
                db.session.scalars(
                    select(User.email).where(User.email.in_([email for _, email in keyed]))
                )
            )
            if taken:
                shown = ", ".join(taken[:10]) + ("…" if len(taken) > 10 else "")
                raise Conflict(f"Já existe conta para: {shown}. Nada foi criado.", "arquivo")
            organization = Organization(acronym=acronym, name=f"Turma {clean}")
            classroom = Classroom(name=clean, organization=organization, ends_at=ends_at)
            db.session.add_all([organization, classroom])
            for position, ((person, email), (secret, hashed)) in enumerate(
                zip(keyed, secrets_and_hashes, strict=True), start=1
            ):
                user = User(
                    email=email,
                    name=person.name,
                    organization=organization,
                    profile=Profile.REQUESTER,
                )
                db.session.add(user)
                classroom.members.append(
                    ClassMember(
                        user=user,
                        position=position,
                        has_mailbox=person.email is not None,
                        sheet_password=secret,
                    )
                )
                _give_temporary(user, secret, hashed, mailed=person.email is not None)
            db.session.flush()
            _demo_tickets(classroom)
    except IntegrityError as exc:
        # Two creations of the same name at once: the UNIQUE constraints decided.
        raise Conflict(f"Já existe uma turma chamada “{clean}”.", "nome") from exc
    return classroom, sheet(classroom)


def _give_temporary(user: User, secret: str, hashed: str, mailed: bool) -> None:
    if mailed:
        accounts.issue_temporary_password(user, secret, hashed, "conta_criada")
    else:
        accounts.set_temporary_hash(user, hashed)


# --- the demo tickets --------------------------------------------------------------------


def _demo_people(classroom: Classroom) -> tuple[User, User]:
    """The class's example requester and agent (no password: nobody logs in as them)."""
    domain = email_domain()
    organization = classroom.organization
    requester = db.session.scalar(
        select(User).where(User.email == f"exemplo.{classroom.name}@{domain}")
    )
    if requester is None:
        requester = User(
            email=f"exemplo.{classroom.name}@{domain}",
            name="Solicitante de exemplo",
            organization=organization,
            profile=Profile.REQUESTER,
        )
        agent = User(
            email=f"equipe.{classroom.name}@{domain}",
            name="Equipe de exemplo",
            organization=organization,
            profile=Profile.AGENT,
        )
        db.session.add_all([requester, agent])
        db.session.flush()
        for lane in lanes():
            db.session.add(
                GroupMembership(organization_id=organization.id, user_id=agent.id, lane=lane)
            )
        db.session.flush()
    agent = db.session.scalar(select(User).where(User.email == f"equipe.{classroom.name}@{domain}"))
    return requester, agent


_HOURS_AGO = {
    # how long ago each example was approved, as a share of its category's deadline
    "triagem": 0.1,
    "perto-do-prazo": 0.85,
    "vencido": 1.5,
    "aguardando-solicitante": 0.3,
    "solucionado": 0.5,
}


def _demo_tickets(classroom: Classroom) -> int:
    """Open the class's example tickets through the same services a person uses, each at the
    instant that puts it in its state now (inside the caller's transaction)."""
    from . import categories

    requester, agent = _demo_people(classroom)
    moment = clock.now()
    opened = 0
    for item in read_toml("demo.toml").get("turma_chamados", []):
        situation = item["situacao"]
        if situation not in _HOURS_AGO:
            raise ValueError(f"conf/demo.toml: situação desconhecida {situation!r}")
        category = categories.get(item["categoria"])
        start = moment - timedelta(hours=category.hours * _HOURS_AGO[situation])
        with clock.at(start):
            ticket = tickets.open_draft(requester)
            tickets.save_draft(
                ticket, tickets.DraftInput(item["categoria"], item["assunto"], item["descricao"])
            )
            tickets.approve(ticket, requester)
        comment = item.get("comentario", "")
        later = start + timedelta(minutes=10)
        if situation == "aguardando-solicitante":
            with clock.at(later):
                tasks.act(ticket, agent, "informacao", comment, ticket.version)
        elif situation == "solucionado":
            with clock.at(later):
                tasks.act(ticket, agent, "resolver", "", ticket.version)
            with clock.at(later + timedelta(minutes=5)):
                tasks.act(ticket, agent, "solucionar", comment, ticket.version)
            with clock.at(later + timedelta(minutes=20)):
                tasks.act(ticket, requester, "aceitar", "", ticket.version)
        opened += 1
    return opened


# --- roles ---------------------------------------------------------------------------------


def set_role(name: str, user_email: str, role: str) -> User:
    """Make a trainee play a role: solicitante, gestor, or atendente of one group."""
    valid = dict(roles())
    if role not in valid:
        options = ", ".join(key for key, _ in roles())
        raise Invalid(f"Papel desconhecido: “{role}”. Papéis: {options}.", "papel")
    with writing():
        classroom = get(name)
        member = db.session.scalar(
            select(ClassMember)
            .join(User, User.id == ClassMember.user_id)
            .where(
                ClassMember.classroom_id == classroom.id,
                User.email == (user_email or "").strip().lower(),
            )
        )
        if member is None:
            raise NotFound(
                f"A turma {classroom.name} não tem o aluno “{(user_email or '').strip()}”.",
                "usuario",
            )
        user = member.user
        db.session.execute(delete(GroupMembership).where(GroupMembership.user_id == user.id))
        if role.startswith(ROLE_AGENT_PREFIX):
            user.profile = Profile.AGENT
            db.session.add(
                GroupMembership(
                    organization_id=classroom.organization_id,
                    user_id=user.id,
                    lane=role[len(ROLE_AGENT_PREFIX) :],
                )
            )
        else:
            user.profile = Profile(role)
        # The menu and the screens follow the profile: the trainee logs in again.
        accounts.end_all_sessions(user)
    return user


# --- resetting and removing ----------------------------------------------------------------


@dataclass
class _Removed:
    stored_files: list[str]
    email_ids: set[int]


def _clear_activity(classroom: Classroom) -> _Removed:
    """Inside a transaction: delete the class's tickets, e-mails and tour progress."""
    organization_id = classroom.organization_id
    # Hold the year's ticket counters first: a trainee opening a ticket right now either
    # committed before (and is deleted below) or waits until this transaction ends.
    numbering_lock()
    ticket_ids = select(Ticket.id).where(Ticket.organization_id == organization_id)
    stored = list(
        db.session.scalars(
            select(Attachment.stored_name).where(Attachment.ticket_id.in_(ticket_ids))
        )
    )
    # Attachments first: they point at their step records and notes.
    for model in (Attachment, StepRecord, Note, TicketEvent, DeadlinePause, TicketState):
        db.session.execute(
            delete(model)
            .where(model.ticket_id.in_(ticket_ids))
            .execution_options(synchronize_session=False)
        )
    ticket_search.forget_many(ticket_ids)
    db.session.execute(
        delete(Ticket)
        .where(Ticket.organization_id == organization_id)
        .execution_options(synchronize_session=False)
    )
    email_ids = set(
        db.session.scalars(
            select(OutgoingEmail.id).where(OutgoingEmail.organization_id == organization_id)
        )
    )
    db.session.execute(
        delete(OutgoingEmail)
        .where(OutgoingEmail.organization_id == organization_id)
        .execution_options(synchronize_session=False)
    )
    people = select(User.id).where(User.organization_id == organization_id)
    db.session.execute(
        delete(TourProgress)
        .where(TourProgress.user_id.in_(people))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id.in_(people), LoginSession.ended_at.is_(None))
        .values(ended_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return _Removed(stored, email_ids)


def numbering_lock() -> None:
    """Hold this year's ticket counter row (every new ticket updates it)."""
    from . import numbering

    year = clock.now().astimezone(clock.LOCAL_ZONE).year
    numbering.lock_year(year)


def reset(name: str) -> tuple[Classroom, list[SheetLine]]:
    """Reiniciar: remove the class's tickets, attachments, e-mails and history, put every
    trainee back at first access with a new temporary password, keep the accounts.

    Safe while the portal runs: the class's sessions end in the same transaction.
    """
    classroom = get(name)
    members = [(m.id, m.user_id, m.has_mailbox) for m in classroom.members]
    generation = (classroom.reset_at or classroom.created_at).isoformat()
    fresh = _new_passwords(len(members), f"{classroom.name}:{generation}")
    with writing():
        classroom = get(name)
        db.session.refresh(classroom, with_for_update=True)
        # The trainees' rows before the ticket counters, in the order opening a draft takes
        # them (its user, then the counter): the other order deadlocks on PostgreSQL.
        db.session.execute(
            select(User.id)
            .where(User.organization_id == classroom.organization_id)
            .order_by(User.id)
            .with_for_update()
        )
        removed = _clear_activity(classroom)
        by_id = {m.id: m for m in classroom.members}
        for (member_id, _user_id, mailed), (secret, hashed) in zip(members, fresh, strict=True):
            member = by_id.get(member_id)
            if member is None:
                continue
            member.sheet_password = secret
            member.user.password_hash = None
            _give_temporary(member.user, secret, hashed, mailed=mailed)
        classroom.reset_at = clock.now()
        db.session.flush()
        _demo_tickets(classroom)
    _remove_files(removed)
    return classroom, sheet(classroom)


def remove(name: str) -> str:
    """Remover: the class, its accounts and everything they did."""
    with writing():
        classroom = get(name)
        db.session.refresh(classroom, with_for_update=True)
        removed = _clear_activity(classroom)
        organization_id = classroom.organization_id
        people = select(User.id).where(User.organization_id == organization_id)
        db.session.execute(delete(ClassMember).where(ClassMember.classroom_id == classroom.id))
        db.session.execute(
            delete(GroupMembership).where(GroupMembership.organization_id == organization_id)
        )
        db.session.execute(
            delete(LoginSession)
            .where(LoginSession.user_id.in_(people))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            delete(Classroom)
            .where(Classroom.id == classroom.id)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            delete(User)
            .where(User.organization_id == organization_id)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            delete(Organization)
            .where(Organization.id == organization_id)
            .execution_options(synchronize_session=False)
        )
        clean = classroom.name
    db.session.expire_all()
    _remove_files(removed)
    return clean


def _remove_files(removed: _Removed) -> None:
    """After the commit: the attachments' files and the outbox's .eml files of the class."""
    for stored in removed.stored_files:
        attachments.delete_file(stored)
    delivery.delete_files(removed.email_ids)


def trainee_ended(user: User) -> Classroom | None:
    """The class of a trainee whose class has ended (their account no longer works)."""
    classroom = of(user)
    if classroom and classroom.ends_at is not None and classroom.ends_at <= clock.now():
        return classroom
    return None
