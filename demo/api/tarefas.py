"""tarefas: the support team's queue, and what an agent does with a task."""

from __future__ import annotations

from ..services import numbering, tasks, teams
from ..services.errors import Forbidden
from . import authenticate, present, schemas, user
from .base import NUMBER, Blueprint
from .docs import errors_doc

bp = Blueprint(
    "api_tarefas",
    __name__,
    tag="tarefas",
    description="A fila da equipe de suporte: assumir, liberar e decidir as tarefas.",
)
bp.before_request(authenticate)


def _task(numero: str):
    numbering.require_number(numero)
    return tasks.task_for(user(), numero)


@bp.get("/tarefas")
@bp.response(200, schemas.TaskList)
@bp.doc(**errors_doc(401, 403, 429))
def fila():
    """A fila dos grupos de quem pergunta, pelo prazo (o mais próximo primeiro)."""
    if not teams.is_support_team(user()):
        raise Forbidden("Somente a equipe de suporte tem uma fila de tarefas.")
    tasks.record_breaches()
    return {"itens": [present.task(user(), t) for t in tasks.queue(user())]}


@bp.route("/tarefas/<numero>", methods=["GET"], parameters=[NUMBER])
@bp.response(200, schemas.Task)
@bp.doc(**errors_doc(400, 401, 404, 429))
def tarefa(numero):
    """A tarefa atual de um chamado da sua fila, com as decisões que o BPMN oferece."""
    return present.task(user(), _task(numero))


@bp.route("/tarefas/<numero>/assumir", methods=["POST"], parameters=[NUMBER])
@bp.arguments(schemas.Version)
@bp.response(200, schemas.Task)
@bp.doc(**errors_doc(400, 401, 403, 404, 409, 429))
def assumir(fields, numero):
    """Assumir: a tarefa passa a ser sua (a menos que um colega já a tenha assumido)."""
    ticket = _task(numero)
    tasks.claim(ticket, user(), fields["versao"])
    return present.task(user(), ticket)


@bp.route("/tarefas/<numero>/liberar", methods=["POST"], parameters=[NUMBER])
@bp.arguments(schemas.Version)
@bp.response(200, schemas.Task)
@bp.doc(**errors_doc(400, 401, 403, 404, 409, 429))
def liberar(fields, numero):
    """Liberar: devolve a tarefa à fila do grupo."""
    ticket = _task(numero)
    tasks.release(ticket, user(), fields["versao"])
    return present.task(user(), ticket)


@bp.route("/tarefas/<numero>/decisao", methods=["POST"], parameters=[NUMBER])
@bp.arguments(schemas.Decision)
@bp.response(200, schemas.Ticket)
@bp.doc(**errors_doc(400, 401, 403, 404, 409, 429))
def decisao(fields, numero):
    """Conclui a tarefa com uma das decisões da etapa (as `acoes`, lidas do BPMN)."""
    ticket = _task(numero)
    tasks.act(ticket, user(), fields["decisao"], fields["comentario"], fields["versao"])
    return present.ticket(user(), ticket)


@bp.route("/tarefas/<numero>/notas", methods=["POST"], parameters=[NUMBER])
@bp.arguments(schemas.NoteInput)
@bp.response(201, schemas.Note)
@bp.doc(**errors_doc(400, 401, 403, 404, 429))
def nota(fields, numero):
    """Uma nota interna da equipe (nunca mostrada ao solicitante)."""
    return present.note(tasks.add_note(_task(numero), user(), fields["texto"])), 201
