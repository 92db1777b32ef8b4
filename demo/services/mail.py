"""Outgoing e-mail: SMTP when configured, otherwise an outbox folder of .eml files."""

from __future__ import annotations

import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app, render_template

from . import clock


def send(to: str, template: str, **context) -> EmailMessage:
    """Render `email/<template>.txt` and `.html` in pt-BR and deliver them to one address."""
    context.setdefault("config", current_app.config)
    subject = render_template(f"email/{template}.assunto.txt", **context).strip()
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain="suporte.servicos.gov.br")
    message.set_content(render_template(f"email/{template}.txt", **context))
    message.add_alternative(render_template(f"email/{template}.html", **context), subtype="html")
    _deliver(message)
    return message


def _deliver(message: EmailMessage) -> None:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
            if config.get("MAIL_USE_STARTTLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return
    outbox = Path(config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    # The portal's time first, then the real one (the portal's may be frozen), so names sort
    # by sending order; the random part keeps them unique.
    name = f"{clock.now():%Y%m%dT%H%M%S%f}-{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
    (outbox / name).write_bytes(message.as_bytes(policy=policy.SMTP))


@dataclass(frozen=True)
class OutboxMessage:
    """One e-mail of the outbox, as the outbox page shows it."""

    id: str
    to: str
    subject: str
    date: datetime | None
    text: str
    html: str | None


def outbox_messages(outbox: str | Path) -> list[OutboxMessage]:
    """List the outbox, newest first."""
    folder = Path(outbox)
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.eml"), reverse=True)
    return [_read(path) for path in paths]


def outbox_message(outbox: str | Path, message_id: str) -> OutboxMessage | None:
    """Read one outbox message by its file stem; None if it does not exist."""
    path = Path(outbox) / f"{message_id}.eml"
    if "/" in message_id or message_id.startswith(".") or not path.is_file():
        return None
    return _read(path)


def _read(path: Path) -> OutboxMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return OutboxMessage(
        id=path.stem,
        to=str(message["To"]),
        subject=str(message["Subject"]),
        date=message["Date"].datetime if message["Date"] else None,
        text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else None,
    )
