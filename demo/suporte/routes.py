"""Home of the support site: who you are, and what awaits you."""

from flask import Blueprint, render_template
from flask_login import current_user

from ..services import tasks, teams, tickets

bp = Blueprint("suporte", __name__, template_folder="templates")


@bp.get("/")
def inicio():
    support_team = teams.is_support_team(current_user)
    return render_template(
        "suporte/inicio.html",
        awaiting=[tickets.summary(t) for t in tickets.awaiting(current_user)],
        assigned=[tickets.summary(t) for t in tasks.assigned_to(current_user)]
        if support_team
        else [],
        queued=len(tasks.queue(current_user)) if support_team else 0,
        support_team=support_team,
    )
