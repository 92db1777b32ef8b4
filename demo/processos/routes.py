"""List the processes one may open, and open one (which reserves the ticket number)."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from ..forms import Form
from ..services import tickets, workflow

bp = Blueprint("processos", __name__, template_folder="templates")


@bp.get("/abrir")
def abrir():
    process = workflow.current_process() if tickets.may_open(current_user) else None
    return render_template("processos/abrir.html", process=process, form=Form())


@bp.post("/abrir/<process_id>")
def iniciar(process_id: str):
    if process_id != workflow.current_process().id:
        abort(404)
    if not Form().validate_on_submit():
        abort(400)
    ticket = tickets.open_draft(current_user)
    return redirect(url_for("chamados.formulario", number=ticket.number))
