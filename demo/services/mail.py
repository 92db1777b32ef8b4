"""Outgoing e-mail, written to the outbox table in the transaction of the event that causes it.

`send` only queues: the message commits, or is rolled back, with the account or the ticket
move it tells about. `services/delivery.py` then hands it to the mail server (or, with no
server configured, to the folder of .eml files) and retries while the server is away.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid

from flask import current_app, render_template

from ..extensions import db
from ..models import OutgoingEmail
from . import clock

SUBJECT_MAX = 300


def send(to: str, template: str, **context) -> OutgoingEmail:
    """Render `email/<template>` in pt-BR for one address and queue it in the session.

    Call it inside the write transaction of the event (`database.writing()`).
    """
    message = compose(to, template, **context)
    row = OutgoingEmail(
        recipient=to,
        subject=str(message["Subject"])[:SUBJECT_MAX],
        message=message.as_bytes(policy=policy.SMTP),
        created_at=clock.now(),
        next_attempt_at=clock.now(),
        organization=_about(context),
    )
    db.session.add(row)
    return row


def compose(to: str, template: str, **context) -> EmailMessage:
    """The message: a plain-text part and an HTML alternative, both from templates."""
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
    return message


def parse(raw: bytes) -> EmailMessage:
    """Read stored message bytes back."""
    return BytesParser(policy=policy.default).parsebytes(raw)


def text_of(message: EmailMessage) -> str:
    """The plain-text part of a message ("" when it has none)."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def _about(context: dict):
    """The órgão an e-mail is about: its ticket's, or its account's (a class's reset needs it)."""
    ticket = context.get("ticket")
    if ticket is not None:
        return ticket.organization
    user = context.get("user")
    return user.organization if user is not None else None
