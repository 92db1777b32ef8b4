"""Delivering the outbox table: in order, once, with retries while the mail server is away.

A pass takes the messages that are due, oldest first, holds each one with a short claim
(so two senders never send the same row), hands it over and records the result:

- the server is unreachable, hangs or drops the connection: the pass stops there, so nothing
  overtakes the message that could not go, and the next pass starts again from it;
- the server refuses one message for now (4xx): that message waits, with a backoff;
- the server refuses it for good (5xx): it is marked *recusado* for the gestor to see.

With no mail server configured, messages are written as .eml files to the outbox folder.
"""

from __future__ import annotations

import smtplib
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select, update

from ..database import end_read, writing
from ..extensions import db
from ..models import EmailStatus, OutgoingEmail, Profile
from . import clock
from .errors import NotFound

#: How long a sender holds a message it is delivering (longer than any SMTP timeout).
CLAIM = timedelta(minutes=5)
BATCH = 200


class ServerAway(Exception):
    """The mail server cannot be reached or dropped the conversation: try later, in order."""


class Refused(Exception):
    """The server refused one message; `permanent` when it will never take it."""

    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


@dataclass
class Report:
    """What one pass did."""

    sent: int = 0
    refused: int = 0
    deferred: int = 0
    server_away: str | None = None
    errors: list[str] = field(default_factory=list)


def deliver_due(limit: int = BATCH) -> Report:
    """One pass over the messages that are due now."""
    report = Report()
    moment = clock.now()
    due = list(
        db.session.scalars(
            select(OutgoingEmail.id)
            .where(
                OutgoingEmail.status == EmailStatus.PENDING,
                OutgoingEmail.next_attempt_at <= moment,
                or_(OutgoingEmail.claimed_until.is_(None), OutgoingEmail.claimed_until <= moment),
            )
            .order_by(OutgoingEmail.id)
            .limit(limit)
        )
    )
    end_read()
    if not due:
        return report
    with _transport() as transport:
        for message_id in due:
            claimed = _claim(message_id)
            if claimed is None:
                continue  # another sender has it
            try:
                transport.send(*claimed, message_id)
            except ServerAway as away:
                _release(message_id, str(away))
                report.server_away = str(away)
                break
            except Refused as refusal:
                _refused(message_id, str(refusal), refusal.permanent)
                if refusal.permanent:
                    report.refused += 1
                else:
                    report.deferred += 1
            else:
                _sent(message_id)
                report.sent += 1
    return report


def _claim(message_id: int) -> tuple[str, bytes] | None:
    """Hold one message for this sender; its recipient and bytes, or None if taken."""
    moment = clock.now()
    with writing():
        claimed = db.session.execute(
            update(OutgoingEmail)
            .where(
                OutgoingEmail.id == message_id,
                OutgoingEmail.status == EmailStatus.PENDING,
                or_(OutgoingEmail.claimed_until.is_(None), OutgoingEmail.claimed_until <= moment),
            )
            .values(claimed_until=moment + CLAIM, attempts=OutgoingEmail.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    if claimed.rowcount != 1:
        return None
    recipient, raw = db.session.execute(
        select(OutgoingEmail.recipient, OutgoingEmail.message).where(OutgoingEmail.id == message_id)
    ).one()
    end_read()
    return recipient, raw


def _sent(message_id: int) -> None:
    keep = current_app.config.get("DEMO_MODE") or current_app.config.get("MAIL_KEEP_SENT")
    values = {
        "status": EmailStatus.SENT,
        "sent_at": clock.now(),
        "claimed_until": None,
        "last_error": "",
    }
    if not keep:
        # A credentials e-mail carries a temporary password: once delivered, drop the copy.
        values["message"] = b""
    _update(message_id, **values)


def _release(message_id: int, error: str) -> None:
    _update(message_id, claimed_until=None, last_error=error[:2000])


def _refused(message_id: int, error: str, permanent: bool) -> None:
    if permanent:
        _update(message_id, status=EmailStatus.REFUSED, claimed_until=None, last_error=error)
        return
    attempts = db.session.scalar(
        select(OutgoingEmail.attempts).where(OutgoingEmail.id == message_id)
    )
    end_read()
    wait = backoff(attempts)
    _update(
        message_id, claimed_until=None, last_error=error[:2000], next_attempt_at=clock.now() + wait
    )


def _update(message_id: int, **values) -> None:
    with writing():
        db.session.execute(
            update(OutgoingEmail)
            .where(OutgoingEmail.id == message_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def backoff(attempts: int) -> timedelta:
    """The wait before the next try: doubles from MAIL_RETRY_SECONDS up to the maximum."""
    config = current_app.config
    first = float(config["MAIL_RETRY_SECONDS"])
    longest = float(config["MAIL_RETRY_MAX_MINUTES"]) * 60
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), longest))


#: Profiles that run classes: they may read the outbox (and its credentials e-mails).
OUTBOX_READERS = {Profile.MANAGER, Profile.TRAINER}


def may_read_outbox(user) -> bool:
    """Whether this user may open the outbox page (everyone else gets 404).

    A trainee never does, whatever profile the trainer made them play: the outbox holds the
    credentials e-mails of every class.
    """
    if not getattr(user, "is_authenticated", False) or user.profile not in OUTBOX_READERS:
        return False
    organization = user.organization
    return organization is None or organization.classroom is None


def may_read_bodies() -> bool:
    """The text of e-mails is shown only in demo mode (elsewhere only their delivery)."""
    return bool(current_app.config.get("DEMO_MODE"))


def outbox(limit: int = 200) -> list[OutgoingEmail]:
    """The outbox page: newest first in demo mode; only problems otherwise."""
    if not may_read_bodies():
        return problems(limit)
    query = select(OutgoingEmail).order_by(OutgoingEmail.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def readable(message_id: int) -> OutgoingEmail:
    """One e-mail whose text may be shown; NotFound otherwise."""
    row = db.session.get(OutgoingEmail, message_id) if may_read_bodies() else None
    if row is None or not row.message:
        raise NotFound("E-mail não encontrado.")
    return row


def waiting_for(recipient: str) -> bool:
    """Whether a message to this address still waits for a sender (none is delivering it)."""
    moment = clock.now()
    found = db.session.scalar(
        select(OutgoingEmail.id)
        .where(
            OutgoingEmail.recipient == recipient,
            OutgoingEmail.status == EmailStatus.PENDING,
            or_(OutgoingEmail.claimed_until.is_(None), OutgoingEmail.claimed_until <= moment),
        )
        .limit(1)
    )
    return found is not None


def pending_count() -> int:
    """Messages not yet delivered (for the CLI and the gestor)."""
    return db.session.scalar(
        select(func.count()).where(OutgoingEmail.status == EmailStatus.PENDING)
    )


def problems(limit: int = 200) -> list[OutgoingEmail]:
    """Messages still waiting or refused, oldest first: what the gestor must know about."""
    query = (
        select(OutgoingEmail)
        .where(OutgoingEmail.status != EmailStatus.SENT)
        .order_by(OutgoingEmail.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


# --- transports ------------------------------------------------------------------------


def _transport():
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return _Smtp(config)
    return _Folder(Path(config["MAIL_OUTBOX"]))


class _Folder:
    """The development outbox: one .eml file per message."""

    def __init__(self, folder: Path):
        self.folder = folder

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *_exc) -> None:
        return None

    def send(self, _recipient: str, raw: bytes, message_id: int) -> None:
        # The portal's time first, then the real one (the portal's may be frozen), so names
        # sort by sending order; the random part keeps them unique; the row's id ends the name,
        # so a class's reset finds its files.
        name = (
            f"{clock.now():%Y%m%dT%H%M%S%f}-{time.time_ns()}-{uuid.uuid4().hex[:8]}"
            f"-e{message_id}.eml"
        )
        try:
            (self.folder / name).write_bytes(raw)
        except OSError as error:
            raise ServerAway(f"Pasta da caixa de saída inacessível: {error}") from error


class _Smtp:
    """One SMTP conversation for a whole pass, opened on the first message."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        timeout = float(config["MAIL_TIMEOUT_SECONDS"])
        smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=timeout)
        try:
            if config.get("MAIL_USE_STARTTLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, recipient: str, raw: bytes, _message_id: int) -> None:
        # The accounts a class's trainees get have no mailbox: their e-mails stay in the outbox.
        domain = str(self.config.get("CLASS_EMAIL_DOMAIN") or "").lower()
        if domain and recipient.lower().endswith("@" + domain):
            return
        sender = parseaddr(self.config["MAIL_SENDER"])[1]
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            self.smtp.sendmail(sender, [recipient], raw)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise Refused(_describe(code, text), permanent=code >= 500) from error
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            permanent = error.smtp_code >= 500
            raise Refused(_describe(error.smtp_code, error.smtp_error), permanent) from error
        except (OSError, smtplib.SMTPException) as error:
            self.smtp = None  # the conversation is over; the next pass opens a new one
            raise ServerAway(f"Servidor de e-mail indisponível: {error}") from error


def _describe(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"O servidor de e-mail recusou a mensagem ({code}): {text}"


def next_pause(report: Report, previous: float, interval: float) -> float:
    """Seconds until the next pass: the interval, or a growing pause while the server is away."""
    if report.server_away is None:
        return interval
    longest = float(current_app.config["MAIL_RETRY_MAX_MINUTES"]) * 60
    first = float(current_app.config["MAIL_RETRY_SECONDS"])
    return min(max(previous * 2, first), longest)


def oldest_waiting() -> datetime | None:
    """When the oldest undelivered message was queued."""
    return db.session.scalar(
        select(OutgoingEmail.created_at)
        .where(OutgoingEmail.status == EmailStatus.PENDING)
        .order_by(OutgoingEmail.id)
        .limit(1)
    )


def delete_files(message_ids: set[int]) -> int:
    """Remove the .eml files of these (deleted) rows from the outbox folder; how many."""
    folder = Path(current_app.config["MAIL_OUTBOX"])
    if not message_ids or not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob("*-e*.eml"):
        ident = path.stem.rpartition("-e")[2]
        if ident.isdigit() and int(ident) in message_ids:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
