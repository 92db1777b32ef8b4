"""Completing a task from a posted ActionForm: shared by the agent's and the requester's screens."""

from __future__ import annotations

from flask import flash, request
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from ..models import Ticket
from ..services import tasks
from ..services.errors import NotFound, ServiceError
from .forms import ActionForm


def uploads(form) -> list:
    """The real files of a form's `anexos` (a client may send it as a plain field)."""
    return [
        (f.stream, f.filename)
        for f in form.anexos.data or []
        if isinstance(f, FileStorage) and f.filename
    ]


def act_from_form(form: ActionForm, ticket: Ticket) -> ServiceError | None:
    """Run the decision the form carries; return the refusal to show again (None when done)."""
    try:
        tasks.act(
            ticket,
            current_user,
            request.form.get("decisao", ""),
            form.comentario.data,
            form.versao.data,
            uploads(form),
            rating=request.form.get("avaliacao", ""),
        )
    except tasks.TaskMoved as moved:
        # Show the ticket as it is now, with its current version: acting again is a new,
        # informed decision, not the stale one resent. The form may be gone: the message stays.
        flash(moved.message, "danger")
        form.show_version(ticket.version)
        return moved
    except NotFound:
        raise  # the task left this user's groups: its page answers 404
    except ServiceError as error:
        getattr(form, error.field or "comentario", form.comentario).errors.append(error.message)
        return error
    return None
