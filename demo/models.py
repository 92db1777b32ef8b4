"""SQLAlchemy 2.0 typed models of the portal."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .services.clock import now


class UTCDateTime(TypeDecorator):
    """Store instants as naive UTC and give them back aware.

    DateTime(timezone=True) silently drops the offset on SQLite, so the UTC
    normalisation happens here, the same on every database.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Profile(enum.StrEnum):
    """What a user does in the portal."""

    REQUESTER = "solicitante"
    AGENT = "atendente"
    MANAGER = "gestor"
    TRAINER = "instrutor"

    @property
    def label(self) -> str:
        return {
            "solicitante": "Solicitante",
            "atendente": "Atendente",
            "gestor": "Gestor",
            "instrutor": "Instrutor",
        }[self.value]


class Organization(db.Model):
    """An órgão: the unit whose tickets its users may see."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    acronym: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    users: Mapped[list[User]] = relationship(back_populates="organization")
    #: The class (turma) this órgão is the sandbox of, if any.
    classroom: Mapped[Classroom | None] = relationship(back_populates="organization")


class Classroom(db.Model):
    """A turma: its own órgão (its sandbox), its trainees, and an optional end date."""

    __tablename__ = "classrooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: After this instant the class's accounts stop working (None: no end).
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(back_populates="classroom")
    members: Mapped[list[ClassMember]] = relationship(
        back_populates="classroom", order_by="ClassMember.position", cascade="all, delete-orphan"
    )


class ClassMember(db.Model):
    """A trainee of a class, with the temporary password of the class sheet.

    The sheet's password is kept only until the trainee's first access (then it is useless and
    wiped), so that the trainer can print the sheet again.
    """

    __tablename__ = "class_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classrooms.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    position: Mapped[int]
    #: Accounts made for the class (not imported from a CSV) have no mailbox behind them.
    has_mailbox: Mapped[bool] = mapped_column(default=False)
    sheet_password: Mapped[str | None] = mapped_column(String(64))

    classroom: Mapped[Classroom] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class GroupMembership(db.Model):
    """A user who works the tasks of one lane of the process in one órgão (a class's groups).

    The real support groups live in conf/equipes.toml; a class's groups live here, so trainees
    can play the agent's side without a restart.
    """

    __tablename__ = "group_memberships"
    __table_args__ = (db.UniqueConstraint("user_id", "lane", name="uq_group_memberships"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lane: Mapped[str] = mapped_column(String(120))

    user: Mapped[User] = relationship()


class TourProgress(db.Model):
    """How far a user got in the guided tour of one chapter of the manual."""

    __tablename__ = "tour_progress"
    __table_args__ = (db.UniqueConstraint("user_id", "chapter", name="uq_tour_progress"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    chapter: Mapped[str] = mapped_column(String(100))
    #: Index of the step shown now (0-based); equal to `total` once the chapter is done.
    step: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    #: When the current step was reached: "stuck for how long" counts from here.
    step_since: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)


class User(UserMixin, db.Model):
    """One account, shared by the support site and the mapa site."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    profile: Mapped[Profile] = mapped_column(
        db.Enum(
            Profile, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        )
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    temp_password_hash: Mapped[str | None] = mapped_column(String(255))
    temp_password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    organization: Mapped[Organization] = relationship(back_populates="users")

    #: The token of the LoginSession this object was loaded for (Flask-Login's user id).
    login_token = None

    def get_id(self) -> str | None:
        return self.login_token

    @property
    def must_change_password(self) -> bool:
        """True until the user replaces the e-mailed temporary password."""
        return self.password_hash is None


class LoginSession(db.Model):
    """A server-side login on one site: logout, a password change or expiry really ends it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    site: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    #: Last request seen, to a minute or so: the idle expiry counts from here.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """Failed logins counted for one key (an account, or a client address), shared by all.

    Every worker and every instance of the portal reads the same rows, so a guesser gains
    nothing by switching site, process or machine.
    """

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EmailStatus(enum.StrEnum):
    """Where an outgoing e-mail is."""

    PENDING = "pendente"
    SENT = "enviado"
    REFUSED = "recusado"

    @property
    def label(self) -> str:
        return {"pendente": "Na fila", "enviado": "Enviado", "recusado": "Recusado"}[self.value]


class OutgoingEmail(db.Model):
    """An e-mail written in the transaction of the event that caused it, then delivered.

    The sender delivers the rows in order, retrying with backoff while the mail server is
    away; a permanent refusal is kept for the gestor to see.
    """

    __tablename__ = "outgoing_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    #: The whole message (RFC 5322 bytes); emptied once sent unless the portal keeps copies.
    message: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[EmailStatus] = mapped_column(
        db.Enum(
            EmailStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=EmailStatus.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    #: A sender holds the row until then while it talks to the mail server.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: The órgão the e-mail is about (a class's e-mails go with the class when it is reset).
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)

    organization: Mapped[Organization | None] = relationship()


class ServiceRequest(db.Model):
    """A public-service request on the mapa site (shown in the user's Minha área there)."""

    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    protocol: Mapped[str] = mapped_column(String(40), unique=True)
    service: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(60))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    details: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship()


class TicketStatus(enum.StrEnum):
    """Where a ticket is in its life (the engine holds the detail)."""

    DRAFT = "rascunho"
    OPEN = "aberto"
    CLOSED = "encerrado"
    #: A draft its author gave up: the row (and its número) stays, so numbering has no gaps.
    DISCARDED = "descartado"


class TicketCounter(db.Model):
    """The last ticket number given in a year: updated in the transaction that inserts."""

    __tablename__ = "ticket_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Ticket(db.Model):
    """A chamado: one instance of the ticket process."""

    __tablename__ = "tickets"
    __table_args__ = (
        db.UniqueConstraint("year", "sequence", name="uq_tickets_year_sequence"),
        # The Chamados list: its filters and sort orders, at a million tickets.
        Index("ix_tickets_status_due_at", "status", "due_at"),
        Index("ix_tickets_status_opened_at", "status", "opened_at"),
        Index("ix_tickets_sequence", "sequence"),
        # The full-text index of search_text is each database's own (a GIN expression index
        # on PostgreSQL, an FTS5 table on SQLite): the migration creates it and
        # services/ticket_search.py names it, outside the metadata (see SEARCH_OBJECTS there).
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[TicketStatus] = mapped_column(
        db.Enum(
            TicketStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    category_code: Mapped[str | None] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(150), default="")
    current_step: Mapped[str | None] = mapped_column(String(60), index=True)
    #: The group whose queue holds the current task (the step's lane, unless reassigned).
    current_group: Mapped[str | None] = mapped_column(String(120), index=True)
    #: Who took the current task (mirrors the open step record, for the lists' filters).
    current_assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the deadline falls, with every finished pause added (services/deadlines.py).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: From when the deadline counts as near (its last quarter), pauses added likewise.
    near_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline_hours: Mapped[int | None]
    #: Set while the clock is stopped (waiting on the requester); None while it runs.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Seconds the clock stood still in finished pauses (already added to due_at).
    paused_seconds: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The requester's latest satisfaction rating (1–5), given on accepting a solution.
    rating: Mapped[int | None]
    #: Bumped by every move: a move made from a stale page matches no row and is refused.
    version: Mapped[int] = mapped_column(default=1)
    # The large texts last, as the table stores them (see migration 0008).
    description: Mapped[str] = mapped_column(Text, default="")
    #: Número, subject and description folded (services/search_text.py): what search reads.
    search_text: Mapped[str] = mapped_column(Text, default="")

    organization: Mapped[Organization] = relationship()
    #: The process's state, in a table of its own (see TicketState).
    state: Mapped[TicketState] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", lazy="select"
    )
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    current_assignee: Mapped[User | None] = relationship(foreign_keys=[current_assignee_id])
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="ticket", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    steps: Mapped[list[StepRecord]] = relationship(
        back_populates="ticket", order_by="StepRecord.id", cascade="all, delete-orphan"
    )
    notes: Mapped[list[Note]] = relationship(
        back_populates="ticket", order_by="Note.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )
    pauses: Mapped[list[DeadlinePause]] = relationship(
        back_populates="ticket", order_by="DeadlinePause.id", cascade="all, delete-orphan"
    )

    @property
    def process_state(self) -> str:
        """The process's serialized state (SpiffWorkflow's JSON)."""
        return self.state.process_state

    @process_state.setter
    def process_state(self, value: str) -> None:
        if self.state is None:
            self.state = TicketState(process_state=value)
        else:
            self.state.process_state = value


class TicketState(db.Model):
    """A ticket's process state: some 15 KB of JSON, read only by whoever moves the ticket.

    Apart from the ticket's row so that the lists, the queues and the Painel, which read
    thousands of tickets, never carry it (in SQLite a long row spills into overflow pages that
    every read of the columns stored after it walks).
    """

    __tablename__ = "ticket_states"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    process_state: Mapped[str] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship(back_populates="state")


class Attachment(db.Model):
    """An anexo: stored under a generated name; the original name is metadata only."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    step: Mapped[str] = mapped_column(String(60))
    #: The message the file came with: a pass through a step (the form, an answer, a
    #: solution) or a comment. The conversation shows each file under its own message.
    step_record_id: Mapped[int | None] = mapped_column(ForeignKey("step_records.id"))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id"))

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User] = relationship()
    step_record: Mapped[StepRecord | None] = relationship(back_populates="attachments")
    note: Mapped[Note | None] = relationship(back_populates="attachments")


class StepRecord(db.Model):
    """One pass of a ticket through a step of its process: the history behind Status/Listagem."""

    __tablename__ = "step_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    step: Mapped[str] = mapped_column(String(60))
    step_name: Mapped[str] = mapped_column(String(120))
    group: Mapped[str] = mapped_column(String(120))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[str | None] = mapped_column(String(60))
    comment: Mapped[str] = mapped_column(Text, default="")
    #: The satisfaction rating (1–5) given with this acceptance of a solution.
    rating: Mapped[int | None]

    ticket: Mapped[Ticket] = relationship(back_populates="steps")
    assignee: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="step_record", order_by="Attachment.id"
    )


class Note(db.Model):
    """A message on a ticket: a public reply, an internal note of the team, or a system note."""

    __tablename__ = "notes"

    PUBLIC = "publica"
    INTERNAL = "interna"
    SYSTEM = "sistema"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    step: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)

    ticket: Mapped[Ticket] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="note", order_by="Attachment.id"
    )


class TicketEvent(db.Model):
    """A change made to a ticket outside its process: who, when, why, from what to what.

    A category changed in triage, a task reassigned or taken back, a closed ticket reopened.
    """

    __tablename__ = "ticket_events"

    CATEGORY = "categoria"
    REASSIGNED = "reatribuicao"
    TAKEN_BACK = "retomada"
    REOPENED = "reabertura"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    step: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text, default="")
    #: What it was and what it became, as the people read them (a category's or a group's name).
    old_value: Mapped[str] = mapped_column(String(300), default="")
    new_value: Mapped[str] = mapped_column(String(300), default="")

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class DeadlinePause(db.Model):
    """A stretch of time during which a ticket's deadline clock stood still."""

    __tablename__ = "deadline_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    #: The step waited in (the requester's), or None for the time a ticket spent closed.
    step: Mapped[str | None] = mapped_column(String(60))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    ticket: Mapped[Ticket] = relationship(back_populates="pauses")


class TokenScope(enum.StrEnum):
    """What a personal access token may do through the API."""

    READ = "leitura"
    WRITE = "escrita"

    @property
    def label(self) -> str:
        return {"leitura": "Leitura", "escrita": "Leitura e escrita"}[self.value]


class ApiToken(db.Model):
    """A personal access token of the API: its owner, name, scope and lifetime.

    Only a keyed hash of the token is kept (services/api_tokens.py): the token itself is
    shown once, when it is created. The request counter of the current minute lives in the row,
    so every worker and every instance of the portal count the same calls.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[TokenScope] = mapped_column(
        db.Enum(
            TokenScope, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        )
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, so that its owner can tell tokens apart.
    hint: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    window_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    window_calls: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()
